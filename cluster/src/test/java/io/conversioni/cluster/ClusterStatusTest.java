package io.conversioni.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conversioni.window.SingleWriterWindowStore;
import io.conversioni.window.WindowConfig;
import io.conversioni.window.WindowSnapshot;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The merge rules and the cluster view without a broker: records as owners publish them ({@link CellsCodec}) applied
 * to a {@link ClusterWindows} in order, as its reader thread would.
 */
class ClusterStatusTest {
    private static final long NOW = 1_721_034_000_000L;
    private static final long INTERVAL = 100;
    private static final WindowConfig CONFIG = WindowConfig.defaults();
    private static final long W = NOW - 3 * CONFIG.windowLengthMs();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long[] clock = {NOW};

    private ClusterWindows view(final int partitions) {
        return new ClusterWindows(new SingleWriterWindowStore(CONFIG), "z", partitions, INTERVAL, () -> clock[0], null,
            "finestre");
    }

    private static CellsCodec.Header header(final String node, final long publish, final long watermark,
                                            final int... partitions) {
        final long[] watermarks = new long[partitions.length];
        final long[] lags = new long[partitions.length];
        java.util.Arrays.fill(watermarks, watermark);
        java.util.Arrays.fill(lags, 3);
        return new CellsCodec.Header(publish, node, partitions, watermarks, lags, new long[5]);
    }

    private static void node(final ClusterWindows v, final CellsCodec.Header h) {
        v.apply(CellsCodec.nodeKey(h.node()), CellsCodec.encodeNode(h));
    }

    /** A window record of {@code h}'s partitions with {@code unique} accepted events of campaign {@code campagna}. */
    private static void window(final ClusterWindows v, final CellsCodec.Header h, final long start, final long unique,
                               final String campagna) {
        final WindowSnapshot w = WindowSnapshot.detached(CONFIG);
        w.reset(start, 1, false, 1);
        w.total().addField(0, unique);
        w.canale(1).addField(0, unique);
        w.campagnaForUpdate(2).addField(0, unique);
        final String[] names = new String[CONFIG.campaignCapacity()];
        names[0] = "(nessuna)";
        names[1] = "(altre)";
        names[2] = campagna;
        v.apply(CellsCodec.windowKey(CellsCodec.partitionSet(h.partitions()), start),
            CellsCodec.encodeWindow(h, w, names, null));
    }

    private static JsonNode status(final ClusterWindows v) throws Exception {
        v.publishIfChanged();
        return JSON.readTree(new ClusterStatus(v, p -> -1).render());
    }

    private static List<String> problems(final JsonNode status) {
        final List<String> out = new ArrayList<>();
        status.get("problemi").forEach(p -> out.add(p.get("codice").asText() + "@" + p.get("partizione").asInt()));
        return out;
    }

    @Test
    void shouldWritePartitionSetsCanonically() {
        assertEquals("0-2,5", CellsCodec.partitionSet(new int[] {5, 2, 0, 1}));
        assertEquals("0,2,4", CellsCodec.partitionSet(new int[] {4, 0, 2}));
        assertEquals("3,4", CellsCodec.partitionSet(new int[] {3, 4}));
        assertEquals("", CellsCodec.partitionSet(new int[0]));
        assertEquals("0-2|" + W, CellsCodec.windowKey("0-2", W));
    }

    @Test
    void shouldReportPartitionsWithNoOwnerTwoOwnersOrNoRecentUpdate() throws Exception {
        final ClusterWindows v = view(5);
        node(v, header("a", NOW - 10, W, 0, 1));
        node(v, header("b", NOW - 20, W, 1));
        node(v, header("c", NOW - 10 * INTERVAL, W, 2));
        node(v, header("d", NOW - 10 * INTERVAL, W, 0)); // a previous owner of 0: stale beside a fresh one
        node(v, header("e", NOW, W, 4));
        final JsonNode status = status(v);
        assertEquals(List.of("proprietario_doppio@1", "partizione_ferma@2", "senza_proprietario@3"), problems(status),
            status.toString());
        assertFalse(status.get("completa").asBoolean());
        assertEquals("a", status.get("partizioni").get(0).get("nodo").asText(), "the newest claim owns");
        assertEquals(3, status.get("partizioni").get(0).get("ritardo_consumatore").asLong());
        assertTrue(status.get("partizioni").get(3).get("nodo").isNull());
        assertEquals(5, status.get("nodi").size());
        assertTrue(status.get("nodi").get(2).get("fermo").asBoolean(), "c");
        assertFalse(JSON.readTree(v.coverageJson()).get("completa").asBoolean());

        node(v, header("b", NOW - 5, W, 3)); // b moves to 3, c is back
        node(v, header("c", NOW, W, 2));
        final JsonNode fixed = status(v);
        assertEquals(List.of(), problems(fixed), fixed.toString());
        assertTrue(fixed.get("completa").asBoolean());
        assertTrue(JSON.readTree(v.coverageJson()).get("completa").asBoolean());
    }

    @Test
    void shouldLeaveOutTheOlderOfTwoCellSetsThatShareAPartitionAndReportIt() throws Exception {
        final ClusterWindows v = view(3);
        window(v, header("a", NOW - 50, Long.MIN_VALUE, 0, 1, 2), W, 5, "Uno");
        window(v, header("a", NOW - 10, Long.MIN_VALUE, 0, 1), W, 3, "Due");
        window(v, header("c", NOW - 10, Long.MIN_VALUE, 2), W, 1, "Uno");
        final JsonNode status = status(v);
        final WindowSnapshot read = v.newSnapshot();
        assertTrue(v.readWindow(W, read));
        assertEquals(4, read.total().uniqueCount(), "0-1 and 2, without the older 0-2");
        assertEquals(4, read.canale(1).uniqueCount());
        assertEquals(2, read.revision(), "the included sets' revisions added");
        assertEquals(List.of("celle_sovrapposte@0", "celle_sovrapposte@1", "celle_sovrapposte@2"), problems(status));
        final List<String> campaigns = new ArrayList<>();
        for (int id = 2; id < read.campaignCellsUsed(); id++) {
            campaigns.add(v.campaigns().name(id) + "=" + read.campagna(id).uniqueCount());
        }
        campaigns.sort(null);
        assertEquals(List.of("Due=3", "Uno=1"), campaigns, "campaigns merged by name");

        v.apply(CellsCodec.windowKey("0-2", W), null); // the old owner's tombstone
        assertEquals(List.of(), problems(status(v)));
        assertTrue(v.readWindow(W, read));
        assertEquals(4, read.total().uniqueCount());
        v.apply(CellsCodec.windowKey("0,1", W), null);
        v.apply(CellsCodec.windowKey("2", W), null);
        v.publishIfChanged();
        assertFalse(v.readWindow(W, read), "every key of the window gone");
    }

    @Test
    void shouldCloseAMergedWindowOnlyOnceEveryPartitionsWatermarkReachedItsEnd() throws Exception {
        final ClusterWindows v = view(2);
        final long end = W + CONFIG.windowLengthMs();
        window(v, header("a", NOW, end, 0), W, 2, "Uno");
        final WindowSnapshot read = v.newSnapshot();
        v.publishIfChanged();
        assertTrue(v.readWindow(W, read));
        assertFalse(read.closed(), "partition 1 has no owner yet");
        node(v, header("b", NOW, end - 1, 1));
        v.publishIfChanged();
        assertTrue(v.readWindow(W, read));
        assertFalse(read.closed(), "b's watermark is 1 ms short");
        assertEquals(end - 1, v.watermarkMillis());
        node(v, header("b", NOW + 1, end, 1));
        v.publishIfChanged();
        assertTrue(v.readWindow(W, read));
        assertTrue(read.closed());
        assertEquals(2, read.total().uniqueCount());
        node(v, header("b", NOW - 1, end - 5, 1)); // an older record read late changes nothing
        v.publishIfChanged();
        assertTrue(v.readWindow(W, read));
        assertTrue(read.closed());
    }

    @Test
    void shouldSkipAndCountRecordsItCannotRead() throws Exception {
        final ClusterWindows v = view(1);
        window(v, header("a", NOW, Long.MIN_VALUE, 0), W, 2, "Uno");
        v.apply(null, new byte[] {1});
        v.apply("0|" + W, "non binario".getBytes(StandardCharsets.UTF_8));
        v.apply("0|12345", CellsCodec.encodeNode(header("a", NOW, W, 0)));
        v.apply("senza finestra", CellsCodec.encodeNode(header("a", NOW, W, 0)));
        v.apply(CellsCodec.nodeKey("a"), new byte[] {CellsCodec.VERSION, CellsRecord.KIND_NODE, 0});
        final JsonNode status = status(v);
        assertEquals(5, status.get("record_illeggibili").asLong(), status.toString());
        final WindowSnapshot read = v.newSnapshot();
        assertTrue(v.readWindow(W, read));
        assertEquals(2, read.total().uniqueCount(), "the good record kept");
        assertThrows(IllegalArgumentException.class, () -> CellsCodec.decode(new byte[] {9}));
    }

    @Test
    void shouldDecodeWhatItEncodes() {
        final CellsCodec.Header h = header("nodo-è", NOW, W, 0, 3);
        final CellsRecord r = CellsCodec.decode(CellsCodec.encodeNode(h));
        assertEquals("nodo-è", r.node);
        assertArrayEquals(new int[] {0, 3}, r.partitions);
        assertEquals(W, r.watermarkOf(3));
        assertEquals(Long.MIN_VALUE, r.watermarkOf(1));
        assertEquals(NOW, r.publishMillis);
    }
}
