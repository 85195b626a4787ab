package io.conversioni.cli.cluster;

import io.conversioni.cluster.KafkaLeakCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ingress contract on every node of the README's three-node cluster (processes started as an operator would,
 * from the shipped config/cluster/nodo-a.yaml, nodo-b.yaml and nodo-c.yaml, against a real broker; each node owns two
 * of the six partitions). Through each node: a new event is
 * {@code accettato} with its window; the same bytes re-delivered to the next node (python3's http.client) are
 * {@code duplicato} naming the first's {@code sequenza}; a schema violation is {@code rifiutato} (400) on the node
 * that took it; a batch is judged event by event. Then the totals count each distinct event once.
 */
@Tag("slow")
@ExtendWith(KafkaLeakCheck.class)
@Timeout(240)
class ClusterIngressContractTest {
    @TempDir
    static Path root;

    private static ClusterNodes cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ClusterNodes.withBroker(root);
        cluster.startShipped("a", "b", "c");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void shouldAnswerEveryNodeLikeOneNodeAndCountEachDistinctEventOnce() throws Exception {
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
        cluster.assertCountedOnce(distinct, nodes, List.of());
    }

    /** An id_cliente as the schema wants it ({@code CLIENTE-WORD-NNNNNN}), distinct per node and item. */
    private static String id(final String word, final int node, final int item) {
        return String.format("CLIENTE-%s-%06d", word, node * 100 + item);
    }
}
