package io.conversioni.report;

import io.conversioni.json.JsonTree;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The cluster's daily report: the nodes' counts summed field by field, and what the nodes cover. */
class ClusterDailyReportTest {
    private static final long NOW = Instant.parse("2024-05-20T15:00:00Z").toEpochMilli();

    private static String node(final String name, final String partitions, final boolean partial, final long received,
                               final String value, final String byCode) {
        return "{\"giorno\":\"2024-05-20\",\"generato_il\":\"2024-05-20T14:00:00Z\",\"parziale\":" + partial
            + ",\"copertura\":{\"nodo\":\"" + name + "\",\"partizioni\":[" + partitions + "],\"partizioni_totali\":6},"
            + "\"eventi\":{\"ricevuti\":" + received + ",\"accettati\":" + (received - 1) + ",\"rifiutati\":1,"
            + "\"rifiutati_per_codice\":{" + byCode + "},\"valore_accettato\":" + value + "}}";
    }

    @Test
    void shouldSumEveryCountAndSayWhetherTheNodesCoverEveryPartition() {
        final String a = node("a", "0,1,2", false, 10, "100.50", "\"enum\":1");
        final String b = node("b", "3,4,5", true, 5, "0.75", "\"required\":1");
        final String c = node("c", "", false, 2, "0.00", "\"enum\":1");
        final Map<?, ?> sum = (Map<?, ?>) JsonTree.parse(ClusterDailyReport.json("2024-05-20", List.of(a, b, c), 6, NOW));

        assertEquals(Boolean.TRUE, sum.get("completo"));
        assertEquals(Boolean.TRUE, sum.get("parziale"), "b's report is partial");
        assertEquals("[0, 1, 2, 3, 4, 5]", String.valueOf(sum.get("partizioni_coperte")));
        assertEquals("2024-05-20T15:00:00Z", sum.get("generato_il"));
        final Map<?, ?> events = (Map<?, ?>) sum.get("eventi");
        assertEquals("17", String.valueOf(events.get("ricevuti")));
        assertEquals("14", String.valueOf(events.get("accettati")));
        assertEquals("3", String.valueOf(events.get("rifiutati")));
        assertEquals("101.25", String.valueOf(events.get("valore_accettato")));
        assertEquals("{enum=2, required=1}", String.valueOf(events.get("rifiutati_per_codice")));
        assertEquals(3, ((List<?>) sum.get("nodi")).size());
    }

    @Test
    void shouldSayIncompleteWhenANodesReportIsMissingAndRefuseAReportOfAnotherDayOrNode() {
        final Map<?, ?> sum = (Map<?, ?>) JsonTree.parse(ClusterDailyReport.json("2024-05-20",
            List.of(node("a", "0,1,2", false, 10, "1.00", "")), 6, NOW));
        assertEquals(Boolean.FALSE, sum.get("completo"));
        assertEquals("[0, 1, 2]", String.valueOf(sum.get("partizioni_coperte")));

        assertThrows(IllegalArgumentException.class, () -> ClusterDailyReport.json("2024-05-21",
            List.of(node("a", "0", false, 1, "1.00", "")), 6, NOW));
        assertThrows(IllegalArgumentException.class, () -> ClusterDailyReport.json("2024-05-20",
            List.of("{\"giorno\":\"2024-05-20\",\"eventi\":{}}"), 6, NOW), "a single node's report, without copertura");
    }
}
