package io.conversioni.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conversioni.config.ConfigReader;
import io.conversioni.config.EngineConfig;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.EventView;
import io.conversioni.testkit.Await;
import io.conversioni.window.MetricheQuery;
import io.conversioni.window.WindowView;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cluster-wide metriche against a real broker: engines publish their window cells ({@link CellsPublisher}) and a
 * merged view on another node in the same JVM ({@link ClusterWindows}) renders, through the unchanged
 * {@link MetricheQuery}, the same JSON field by field as one engine fed every event: totals, per canale, evento and
 * campagna (campaign groups compared by name: ids are node-local), CPA, {@code chiusa} and {@code revisione}.
 */
@ExtendWith(KafkaLeakCheck.class)
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterWindowsTest {
    private static final Path CONFIG_DIR = Path.of("..", "config");
    /** A window start on a day costi.csv has campaign spend for. */
    private static final long T0 = Instant.parse("2024-07-15T09:00:00Z").toEpochMilli();
    private static final String ENGINE_YAML = "pipeline:\n  heartbeat: 60s\n";
    private static final int PARTITIONS = 6;
    private static final long INTERVAL_MS = 200;
    private static final String[] EVENTI = {"richiesta_demo", "acquisto_concluso", "iscrizione_evento", "cancello_abbandono"};
    private static final String[] CANALI = {"email", "social_media", "webform", "sms"};
    private static final String[] CAMPAGNE = {"Campagna_Email_Verano2024", "Campagna_Social_Estate2024",
        "Campagna_SMS_Saldi2024", "Campagna_Nuova_Città", ""};
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path brokerFolder;
    private static KafkaBroker broker;

    @TempDir
    Path data;
    private final List<AutoCloseable> open = new ArrayList<>();

    /** One delivery: its body, the receive time it carries, and the events partition its id_cliente hashes to. */
    private record Delivery(String body, long receiveMillis, int partition) {
    }

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(brokerFolder);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        open.clear();
    }

    private static ClusterSettings settings(final String name, final String node, final String owns) throws Exception {
        return ClusterSettings.read(ConfigReader.parse("cluster:\n"
            + "  bootstrap_servers: " + broker.bootstrapServers() + "\n"
            + "  topic: eventi_" + name + "\n  reply_topic: esiti_" + name + "\n  cells_topic: finestre_" + name + "\n"
            + "  partitions: " + PARTITIONS + "\n  node: " + node + "\n  owns: \"" + owns + "\"\n"
            + "  broker_timeout: 10s\n", "test.yaml").section("cluster"));
    }

    private Engine engine(final String name) throws Exception {
        final Engine engine = Engine.create(EngineConfig.parse(ENGINE_YAML, CONFIG_DIR), data.resolve(name), () -> T0);
        open.add(engine);
        engine.start();
        return engine;
    }

    private static int partitionOf(final String idCliente) {
        return Utils.toPositive(Utils.murmur2(idCliente.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    private static String event(final String id, final String evento, final long time, final long cents,
                                final String canale, final String campagna) {
        return "{\"id_cliente\":\"" + id + "\",\"evento\":\"" + evento + "\",\"timestamp\":\"" + Instant.ofEpochMilli(time)
            + "\",\"valore\":" + cents / 100 + "." + String.format("%02d", cents % 100) + ",\"canale\":\"" + canale
            + "\",\"stato\":\"completato\"" + (campagna.isEmpty() ? "" : ",\"metadati\":{\"campagna\":\"" + campagna + "\"}")
            + "}";
    }

    /**
     * Seeded deliveries over three windows: event times ascending (so lateness depends on no node's view of the
     * others), every 9th a re-delivery of the one before (duplicato), every 31st invalid (rifiutato at its receive
     * time); then late events into the first window once every partition's watermark has passed it (in_ritardo,
     * revisione), each a new event.
     */
    private static List<Delivery> deliveries() {
        final Random random = new Random(23);
        final List<Delivery> out = new ArrayList<>();
        long time = T0 + 500;
        String previous = null;
        long previousReceive = 0;
        for (int i = 0; i < 700; i++) {
            time += 1 + random.nextInt(2_400);
            final long receive = time + random.nextInt(3_000);
            final String id = String.format("CLIENTE-ROMA-%06d", random.nextInt(90));
            if (i % 31 == 30) {
                final String bad = "{\"id_cliente\":\"" + id + "\",\"valore\":\"due\"}";
                out.add(new Delivery(bad, previousReceive, partitionOf(id)));
                continue;
            }
            if (i % 9 == 8 && previous != null) {
                out.add(new Delivery(previous, previousReceive + 1, partitionOf(idOf(previous))));
                continue;
            }
            final String body = event(id, EVENTI[random.nextInt(EVENTI.length)], time, random.nextInt(30_000),
                CANALI[random.nextInt(CANALI.length)], CAMPAGNE[random.nextInt(CAMPAGNE.length)]);
            out.add(new Delivery(body, receive, partitionOf(id)));
            previous = body;
            previousReceive = receive;
        }
        assertTrue(time > T0 + 11 * 60_000L && time < T0 + 15 * 60_000L, "three windows, the last one open");
        for (int i = 0; i < 30; i++) {
            final String id = String.format("CLIENTE-ROMA-%06d", random.nextInt(90));
            out.add(new Delivery(event(id, EVENTI[random.nextInt(EVENTI.length)], T0 + 60_000 + i * 1_000,
                random.nextInt(30_000), CANALI[random.nextInt(CANALI.length)], CAMPAGNE[random.nextInt(CAMPAGNE.length)]),
                time + 1_000 + i, partitionOf(id)));
        }
        return out;
    }

    private static String idOf(final String body) {
        final int at = body.indexOf("\"id_cliente\":\"") + 14;
        return body.substring(at, body.indexOf('"', at));
    }

    /** Feeds the deliveries of the given partitions to the engine in order, as its owner consumer would, and waits. */
    private static void feed(final Engine engine, final List<Delivery> deliveries, final int fromPartition,
                             final int toPartition) {
        final AtomicLong decided = new AtomicLong();
        final long[] offsets = new long[PARTITIONS];
        long fed = 0;
        for (Delivery d : deliveries) {
            if (d.partition() < fromPartition || d.partition() > toPartition) {
                continue;
            }
            final byte[] b = d.body().getBytes(StandardCharsets.UTF_8);
            final long offset = offsets[d.partition()]++;
            Await.until("the ring took a record", () -> engine.tryPublishRecord(b, 0, b.length, d.receiveMillis(),
                d.partition(), offset, (EventView e, Object a) -> decided.incrementAndGet(), null));
            fed++;
        }
        final long expected = fed;
        Await.until(expected + " records decided", Duration.ofSeconds(60), () -> decided.get() == expected);
    }

    private ClusterWindows merged(final String name, final WindowView local) throws Exception {
        final ClusterWindows merged = ClusterWindows.start(settings(name, "c", ""), local, INTERVAL_MS,
            System::currentTimeMillis);
        open.add(merged);
        return merged;
    }

    private CellsPublisher publisher(final String name, final String node, final String owns, final Engine engine)
        throws Exception {
        final CellsPublisher p = CellsPublisher.start(settings(name, node, owns), engine.windows(), engine.counters(),
            partition -> 7 * partition,
            System::currentTimeMillis, INTERVAL_MS);
        open.add(p);
        return p;
    }

    @Test
    void shouldRenderTheSameMetricheFromOnePublishingEngineAsFromTheEngineItself() throws Exception {
        ClusterTopics.ensure(settings("uno", "a", "0-5"), 3_600_000);
        final Engine a = engine("a");
        feed(a, deliveries(), 0, PARTITIONS - 1);
        publisher("uno", "a", "0-5", a);
        final ClusterWindows merged = merged("uno", a.windows());
        assertSameMetriche(a, merged);
        assertNull(merged.stateDifference(a.windows()), "the same windows, cell by cell");
    }

    @Test
    void shouldMergeTwoOwnersIntoTheMetricheOfOneEngineFedEveryEvent() throws Exception {
        ClusterTopics.ensure(settings("due", "a", "0-2"), 3_600_000);
        final List<Delivery> deliveries = deliveries();
        final Engine single = engine("single");
        final Engine a = engine("a");
        final Engine b = engine("b");
        feed(single, deliveries, 0, PARTITIONS - 1);
        feed(a, deliveries, 0, 2);
        feed(b, deliveries, 3, 5);
        assertTrue(a.windows().tooLateCount() + b.windows().tooLateCount() == single.windows().tooLateCount());
        publisher("due", "a", "0-2", a);
        publisher("due", "b", "3-5", b);
        final ClusterWindows merged = merged("due", single.windows());
        assertSameMetriche(single, merged);
        assertNull(merged.stateDifference(single.windows()), "the same windows, cell by cell");

        Await.until("every partition owned and fresh", Await.DEFAULT_TIMEOUT, () -> merged.coverageJson().contains("\"completa\":true"),
            merged::coverageJson);
        final JsonNode coverage = JSON.readTree(merged.coverageJson());
        for (int p = 0; p < PARTITIONS; p++) {
            final JsonNode partition = coverage.get("partizioni").get(p);
            assertEquals(p, partition.get("partizione").asInt());
            assertEquals(p <= 2 ? "a" : "b", partition.get("nodo").asText());
            assertEquals(Instant.ofEpochMilli((p <= 2 ? a : b).windows().watermarkMillis()).toString(),
                partition.get("filigrana").asText());
        }
        assertEquals(single.windows().maxEventTimeMillis(), merged.maxEventTimeMillis());
        assertEquals(single.windows().tooLateCount(), merged.tooLateCount());
        assertEquals(single.windows().futureCount(), merged.futureCount());
        assertEquals(Math.min(a.windows().watermarkMillis(), b.windows().watermarkMillis()), merged.watermarkMillis(),
            "the cluster's watermark is the lowest owner's");
        for (int e = 0; e < EVENTI.length; e++) {
            for (int c = 0; c < CANALI.length; c++) {
                assertEquals(single.counters().accepted(e, c), merged.acceptedCount(e, c), EVENTI[e] + " " + CANALI[c]);
                assertEquals(single.counters().valueCents(e, c), merged.valueCents(e, c), EVENTI[e] + " " + CANALI[c]);
            }
        }
        final JsonNode answer = JSON.readTree(new MetricheQuery(merged, single.config())
            .render(T0 - 3_600_000, T0 + 3_600_000, "canale", "{\"eventi_totali\":1}", merged.coverageJson()));
        assertEquals(1, answer.get("motore").get("eventi_totali").asInt());
        assertEquals(PARTITIONS, answer.get("cluster").get("partizioni").size(), "the answer says what it covers");
        final JsonNode status = JSON.readTree(new ClusterStatus(merged, partition -> -1).render());
        assertEquals("c", status.get("nodo").asText());
        assertEquals(2, status.get("nodi").size(), status.toString());
        assertEquals(0, status.get("problemi").size(), status.toString());
        assertEquals(7 * 4, status.get("partizioni").get(4).get("ritardo_consumatore").asLong(), "the owner's lag");
    }

    /** Waits until the merged view renders what {@code reference} renders, for every grouping, then checks it did. */
    private static void assertSameMetriche(final Engine reference, final ClusterWindows merged) throws Exception {
        final MetricheQuery expected = new MetricheQuery(reference.windows(), reference.config());
        final MetricheQuery actual = new MetricheQuery(merged, reference.config());
        final long from = T0 - 3_600_000;
        final long to = T0 + 3_600_000;
        Await.until("the merged view caught up", Duration.ofSeconds(60), () -> {
            for (String per : MetricheQuery.GROUPINGS) {
                if (difference(expected.render(from, to, per), actual.render(from, to, per)) != null) {
                    return false;
                }
            }
            return true;
        }, () -> difference(expected.render(from, to, "campagna"), actual.render(from, to, "campagna")));
        for (String per : MetricheQuery.GROUPINGS) {
            final String want = expected.render(from, to, per);
            assertNull(difference(want, actual.render(from, to, per)), per);
            final JsonNode finestre = JSON.readTree(want).get("finestre");
            assertEquals(3, finestre.size(), want);
            assertTrue(finestre.get(0).get("chiusa").asBoolean() && finestre.get(1).get("chiusa").asBoolean(), want);
            assertFalse(finestre.get(2).get("chiusa").asBoolean(), want);
            assertEquals(30, finestre.get(0).get("revisione").asLong(), "the late events revised the first window");
            assertTrue(JSON.readTree(want).get("totale").get("rifiutati").asLong() > 0, want);
            assertTrue(JSON.readTree(want).get("totale").get("duplicati").asLong() > 0, want);
        }
        assertTrue(expected.render(from, to, "campagna").matches("(?s).*\"cpa\":[0-9].*"), "some campaign has a CPA");
    }

    /** Null when equal as JSON (each window's gruppi compared by chiave), else the path of the first difference. */
    private static String difference(final String expected, final String actual) {
        try {
            return difference("", normalized(JSON.readTree(expected)), normalized(JSON.readTree(actual)));
        } catch (final Exception e) {
            return e.toString();
        }
    }

    private static JsonNode normalized(final JsonNode root) {
        for (JsonNode window : root.get("finestre")) {
            final List<JsonNode> groups = new ArrayList<>();
            window.get("gruppi").forEach(groups::add);
            groups.sort(Comparator.comparing(g -> g.get("chiave").asText()));
            final ArrayNode sorted = JSON.createArrayNode();
            groups.forEach(sorted::add);
            ((ObjectNode) window).set("gruppi", sorted);
        }
        return root;
    }

    private static String difference(final String path, final JsonNode e, final JsonNode a) {
        if (e.isObject() && a.isObject()) {
            final List<String> en = new ArrayList<>();
            e.fieldNames().forEachRemaining(en::add);
            final List<String> an = new ArrayList<>();
            a.fieldNames().forEachRemaining(an::add);
            if (!en.equals(an)) {
                return path + ": fields " + en + " against " + an;
            }
            for (String name : en) {
                final String d = difference(path + "." + name, e.get(name), a.get(name));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (e.isArray() && a.isArray()) {
            if (e.size() != a.size()) {
                return path + ": " + e.size() + " elements against " + a.size();
            }
            for (int i = 0; i < e.size(); i++) {
                final String d = difference(path + "[" + i + "]", e.get(i), a.get(i));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return e.equals(a) ? null : path + ": " + e + " against " + a;
    }
}
