package io.conversioni.cli.cluster;

import io.conversioni.cluster.KafkaLeakCheck;
import io.conversioni.testkit.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's three-node cluster as processes, started as an operator would from the shipped
 * {@code config/cluster/nodo-a.yaml}, {@code nodo-b.yaml} and {@code nodo-c.yaml} (each node owns two of the six
 * partitions; {@code verdict_timeout: 1s} added) against a real broker, driven by real clients (java.net.http, python3's http.client). One broker and
 * three nodes serve every test (starting them is most of the time); each test first restarts whatever a failed one
 * left down, and counts against the totals it found, so the tests stay independent in their verdicts.
 * <ul>
 * <li>the ingress contract on every node: accepted, the same bytes re-delivered to another node a duplicate, a
 * schema violation rejected where it arrived, a batch judged event by event;</li>
 * <li>{@code kill -9} of an owner under concurrent load, then its restart on the same data folder; then a SIGTERM
 * of another node, which exits 0, and its restart;</li>
 * <li>the broker killed, then stopped, each time started again, under load: 503 + Retry-After meanwhile, the nodes
 * recover by themselves;</li>
 * <li>a replacement for node a with an empty data folder rebuilds its partitions from the topic: the same windows,
 * every event it had answers {@code duplicato}.</li>
 * </ul>
 * After the failures, every event that got a 202 answers {@code duplicato} when re-delivered to another node and
 * the totals count each distinct event exactly once: nothing acknowledged lost, nothing half-written, no retry of a
 * journaled event counted twice.
 */
@Tag("slow")
@ExtendWith(KafkaLeakCheck.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(240)
class ClusterProcessTest {
    private static final int SENDERS = 6;
    private static final int ACKS_PER_PHASE = 120;
    /** verdict_timeout (1 s) plus room for a loaded machine: a 503 slower than this is a request that hung. */
    private static final long MAX_UNAVAILABLE_MS = 8_000;
    /** Three cells-publishing intervals (about a second each). */
    private static final long SETTLED_MS = 3_000;

    @TempDir
    static Path root;

    private static ClusterNodes cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ClusterNodes.withBroker(root);
        // a second, not the default five, before an unanswered request is 503: the failure tests wait less
        cluster.startShipped(List.of("a", "b", "c"), "verdict_timeout: 1s");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Whatever an earlier failed test left down is started again, so that each test begins with the whole cluster. */
    @BeforeEach
    void everythingRunning() throws Exception {
        if (!cluster.broker().isRunning()) {
            cluster.broker().restart();
        }
        for (NodeProcess node : cluster.nodes()) {
            if (!node.isAlive()) {
                node.restart();
            }
        }
    }

    @Test
    @Order(1)
    void shouldAnswerEveryNodeLikeOneNodeAndCountEachDistinctEventOnce() throws Exception {
        final long[] before = cluster.acceptedTotals();
        final List<NodeProcess> nodes = cluster.nodes();
        final String token = cluster.token();
        final Instant at = Instant.now();
        long distinct = 0;
        for (int i = 0; i < nodes.size(); i++) {
            final NodeProcess node = nodes.get(i);
            final NodeProcess next = nodes.get((i + 1) % nodes.size());
            final String where = " (through node " + node.name() + ")\n" + cluster.logs();

            final String first = Events.valid(id("CONTRATTO", i, 0), 10 + i, at);
            final HttpResponse<String> accepted = node.post(Events.SINGLE, Events.JSON, first, token);
            assertEquals(202, accepted.statusCode(), accepted.body() + where);
            assertEquals("accettato", Events.text(accepted.body(), "esito"), accepted.body());
            assertNotNull(Events.text(accepted.body(), "finestra"), accepted.body());
            final long sequenza = Events.number(accepted.body(), "sequenza");
            assertTrue(sequenza >= 0, accepted.body());
            distinct++;

            final PythonHttp.Answer again = PythonHttp.post(next, Events.SINGLE, Events.JSON, first, token);
            assertEquals(202, again.status(), again.body() + where);
            assertEquals("duplicato", Events.text(again.body(), "esito"), again.body());
            assertEquals(sequenza, Events.number(again.body(), "duplicato_di"),
                "the re-delivery through " + next.name() + " names the first's sequenza: " + again.body());

            final HttpResponse<String> rejected = node.post(Events.SINGLE, Events.JSON,
                Events.invalid(id("RIFIUTO", i, 0), at), token);
            assertEquals(400, rejected.statusCode(), rejected.body() + where);
            assertEquals("rifiutato", Events.text(rejected.body(), "esito"), rejected.body());
            assertTrue(rejected.body().contains("\"campo\":\"/canale\""), rejected.body());

            final String batch = String.join("\n",
                Events.valid(id("LOTTO", i, 1), 1, at),
                first,
                Events.invalid(id("LOTTO", i, 2), at),
                Events.valid(id("LOTTO", i, 3), 3, at)) + "\n";
            final HttpResponse<String> judged = node.post(Events.BATCH, Events.NDJSON, batch, token);
            assertEquals(200, judged.statusCode(), judged.body() + where);
            assertEquals(4, Events.number(judged.body(), "eventi"), judged.body());
            assertEquals(2, Events.number(judged.body(), "accettati"), judged.body());
            assertEquals(1, Events.number(judged.body(), "duplicati"), judged.body());
            assertEquals(1, Events.number(judged.body(), "rifiutati"), judged.body());
            assertEquals(0, Events.number(judged.body(), "non_disponibili"), judged.body());
            final String risultati = judged.body().substring(judged.body().indexOf("\"risultati\""));
            assertTrue(risultati.matches("(?s).*accettato.*duplicato.*rifiutato.*accettato.*"),
                "the results in the batch's order: " + risultati);
            distinct += 2;
        }
        cluster.assertCountedOnce(before, distinct);
    }

    @Test
    @Order(2)
    void shouldCountEveryAcknowledgedEventOnceWhenAnOwnerIsKilledUnderLoad() throws Exception {
        final long[] before = cluster.acceptedTotals();
        final NodeProcess a = cluster.node("a");
        final ClusterLoad load = new ClusterLoad(cluster.nodes(), cluster.token(), "CLIENTE-KILL", Instant.now(),
            SENDERS, 20261207L);
        try (load) {
            awaitAcks(load, ACKS_PER_PHASE);
            a.kill(); // SIGKILL under load: no drain, no snapshot, no commit
            final long unavailableBefore = load.unavailable();
            final int acksBefore = load.acknowledged();
            Await.until("503s for a's partitions and 202s for the others' while a is down", Duration.ofSeconds(90),
                () -> load.unavailable() > unavailableBefore && load.acknowledged() >= acksBefore + ACKS_PER_PHASE / 2,
                () -> "503s " + load.unavailable() + ", acks " + load.acknowledged() + "\n" + cluster.logs());
            a.restart();
            awaitAcks(load, load.acknowledged() + ACKS_PER_PHASE);
            load.finish(Duration.ofSeconds(120));
        }
        assertAllCountedOnce(load, before);
        assertTrue(load.unavailable() > 0, "the kill was seen by the senders");

        final NodeProcess b = cluster.node("b");
        assertEquals(0, b.terminate(), "SIGTERM: node b drains, stops its consumer and exits 0:\n" + b.logTail());
        assertTrue(b.log().contains("stopped cleanly"), b.logTail());
        b.restart();
        final HttpResponse<String> again = b.post(Events.SINGLE, Events.JSON, load.body(0), cluster.token());
        assertEquals("duplicato", Events.text(again.body(), "esito"), "after a clean restart: " + again.body());
    }

    @Test
    @Order(3)
    void shouldAnswer503WhileTheBrokerIsDownAndRecoverByItself() throws Exception {
        final long[] before = cluster.acceptedTotals();
        final ClusterLoad load = new ClusterLoad(cluster.nodes(), cluster.token(), "CLIENTE-BROKER", Instant.now(),
            SENDERS, 20261208L);
        try (load) {
            awaitAcks(load, ACKS_PER_PHASE / 2);
            for (String how : List.of("kill", "stop")) {
                if ("kill".equals(how)) {
                    cluster.broker().kill();
                } else {
                    cluster.broker().stop();
                }
                final long unavailableBefore = load.unavailable();
                Await.until("503s through the nodes after the broker's " + how, Duration.ofSeconds(60),
                    () -> load.unavailable() >= unavailableBefore + 20,
                    () -> "503s " + load.unavailable() + ", unexpected " + load.unexpected() + "\n" + cluster.logs());
                cluster.broker().restart();
                awaitAcks(load, load.acknowledged() + ACKS_PER_PHASE / 2);
            }
            load.finish(Duration.ofSeconds(120));
        }
        for (NodeProcess node : cluster.nodes()) {
            assertTrue(node.isAlive(), "node " + node.name() + " was never restarted: it recovered by itself");
        }
        assertTrue(load.slowestUnavailableMs() < MAX_UNAVAILABLE_MS,
            "every 503 came within " + MAX_UNAVAILABLE_MS + " ms; the slowest took " + load.slowestUnavailableMs());
        assertAllCountedOnce(load, before);
    }

    @Test
    @Order(4)
    void shouldRebuildAReplacementNodeWithAnEmptyDataFolderFromTheTopic() throws Exception {
        final long[] before = cluster.acceptedTotals();
        final ClusterLoad load = new ClusterLoad(cluster.nodes(), cluster.token(), "CLIENTE-RICOSTRUITO", Instant.now(),
            SENDERS, 20261209L);
        try (load) {
            awaitAcks(load, ACKS_PER_PHASE);
            load.finish(Duration.ofSeconds(120));
        }
        assertAllCountedOnce(load, before);
        final NodeProcess b = cluster.node("b");
        final String windowsBefore = settledWindowCounts(b);

        final NodeProcess a = cluster.node("a");
        a.replaceWithEmptyDataFolder(); // partitions 0-1 rebuilt from the topic before a reports ready
        assertTrue(a.log().contains("rebuilt since"), "the replacement says it rebuilt:\n" + a.logTail());
        assertEquals(windowsBefore, settledWindowCounts(a), "the replacement's windows are the lost node's");
        assertEquals(windowsBefore, settledWindowCounts(b), "and the cluster's are unchanged");
        final Map<Integer, String> notDuplicate = load.redeliverAll(Duration.ofSeconds(120));
        assertTrue(notDuplicate.isEmpty(), notDuplicate.size() + " events not duplicato after the rebuild, e.g. "
            + notDuplicate.entrySet().stream().limit(3).toList());
    }

    /**
     * {@link #windowCounts} once it has stopped changing: the same for {@link #SETTLED_MS} (owners publish their cells
     * about once a second, so the merged view follows the last answers within that), at most 30 s.
     */
    private static String settledWindowCounts(final NodeProcess node) {
        final String[] last = {""};
        final long[] since = {System.nanoTime()};
        Await.until("the merged windows on " + node.name() + " settle", Duration.ofSeconds(30), () -> {
            final String now;
            try {
                now = windowCounts(node);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            if (!now.equals(last[0])) {
                last[0] = now;
                since[0] = System.nanoTime();
                return false;
            }
            return System.nanoTime() - since[0] >= java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(SETTLED_MS);
        }, () -> last[0]);
        return last[0];
    }

    /**
     * The counts of {@code GET /api/v1/metriche?per=canale} over the two hours around now, without what a rebuild
     * from the topic cannot have (a node's own rejections never reach Kafka) or what moves with the clock (chiusa,
     * revisione, freshness): the totals' accettati, duplicati, in_ritardo, valore_totale and each group's.
     */
    private static String windowCounts(final NodeProcess node) throws Exception {
        final Instant now = Instant.now();
        final String from = now.minusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.HOURS).toString();
        final String to = now.plusSeconds(7200).truncatedTo(java.time.temporal.ChronoUnit.HOURS).toString();
        final HttpResponse<String> metriche = node.get("/api/v1/metriche?per=canale&da=" + from + "&a=" + to,
            cluster.token());
        assertEquals(200, metriche.statusCode(), metriche.body());
        final StringBuilder counts = new StringBuilder();
        final java.util.regex.Matcher totale = java.util.regex.Pattern.compile("\"totale\":\\{\"accettati\":(\\d+),"
            + "\"duplicati\":(\\d+),\"rifiutati\":\\d+,\"in_ritardo\":(\\d+),\"valore_totale\":([0-9.]+)")
            .matcher(metriche.body());
        assertTrue(totale.find(), metriche.body());
        counts.append("totale ").append(totale.group(1)).append(' ').append(totale.group(2)).append(' ')
            .append(totale.group(3)).append(' ').append(totale.group(4));
        final java.util.regex.Matcher group = java.util.regex.Pattern.compile("\"chiave\":\"([^\"]*)\",\"accettati\":"
            + "(\\d+),\"duplicati\":(\\d+),\"in_ritardo\":(\\d+),\"conversioni\":(\\d+),\"valore_totale\":([0-9.]+)")
            .matcher(metriche.body());
        while (group.find()) {
            counts.append(" | ").append(group.group(1));
            for (int g = 2; g <= 6; g++) {
                counts.append(' ').append(group.group(g));
            }
        }
        return counts.toString();
    }

    /** Only 202, or 503 + Retry-After; every event 202'd in the end, duplicato on re-delivery, counted once. */
    private static void assertAllCountedOnce(final ClusterLoad load, final long[] before) throws Exception {
        assertNull(load.unexpected(), "only 202, or 503 with Retry-After, ever answered");
        final int distinct = load.created();
        System.out.printf("%d distinct events, %d answers 503, %d requests without an answer, slowest 503 %d ms%n",
            distinct, load.unavailable(), load.noAnswer(), load.slowestUnavailableMs());
        assertEquals(distinct, load.acknowledged(), "every event sent got a 202 in the end");
        final Map<Integer, String> notDuplicate = load.redeliverAll(Duration.ofSeconds(120));
        assertTrue(notDuplicate.isEmpty(), notDuplicate.size() + " acknowledged events not duplicato when "
            + "re-delivered, e.g. " + notDuplicate.entrySet().stream().limit(3).toList());
        cluster.assertCountedOnce(before, distinct);
    }

    private static void awaitAcks(final ClusterLoad load, final int acks) {
        Await.until(acks + " events acknowledged", Duration.ofSeconds(120), () -> load.acknowledged() >= acks,
            () -> "acks " + load.acknowledged() + ", 503s " + load.unavailable() + ", no answer " + load.noAnswer()
                + ", unexpected " + load.unexpected() + "\n" + cluster.logs());
    }

    /** An id_cliente as the schema wants it ({@code CLIENTE-WORD-NNNNNN}), distinct per node and item. */
    private static String id(final String word, final int node, final int item) {
        return String.format("CLIENTE-%s-%06d", word, node * 100 + item);
    }
}
