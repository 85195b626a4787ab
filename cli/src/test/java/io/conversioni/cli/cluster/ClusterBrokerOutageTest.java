package io.conversioni.cli.cluster;

import io.conversioni.cluster.KafkaLeakCheck;
import io.conversioni.testkit.Await;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker down under load, twice: killed (SIGKILL), then stopped (SIGTERM), each time started again on the same
 * log dir. Node a owns every partition, node b none (it only receives). While the broker is down every POST
 * through either node answers 503 + Retry-After within a bounded time (no 500, no hang); after {@code restart()}
 * the nodes, never restarted, answer 202 again by themselves. In the end every event that got a 202 is
 * {@code duplicato} when re-delivered and counted exactly once: nothing was half-written.
 */
@Tag("slow")
@ExtendWith(KafkaLeakCheck.class)
@Timeout(300)
class ClusterBrokerOutageTest {
    private static final int SENDERS = 3;
    private static final int ACKS_PER_PHASE = 60;
    /** verdict_timeout (1 s) plus room for a loaded machine: a 503 slower than this is a request that hung. */
    private static final long MAX_UNAVAILABLE_MS = 8_000;

    @TempDir
    Path root;

    @Test
    void shouldAnswer503WhileTheBrokerIsDownAndRecoverByItself() throws Exception {
        try (ClusterNodes cluster = ClusterNodes.withBroker(root)) {
            cluster.start(List.of("a=0-5", "b="), "verdict_timeout: 1s");
            final NodeProcess a = cluster.node("a");
            final NodeProcess b = cluster.node("b");
            final ClusterLoad load = new ClusterLoad(List.of(a, b), cluster.token(), "CLIENTE-BROKER", Instant.now(),
                SENDERS, 20261208L);
            try (load) {
                awaitAcks(load, ACKS_PER_PHASE, cluster);
                for (String how : List.of("kill", "stop")) {
                    if ("kill".equals(how)) {
                        cluster.broker().kill();
                    } else {
                        cluster.broker().stop();
                    }
                    final long unavailableBefore = load.unavailable();
                    Await.until("503s through both nodes after the broker's " + how, Duration.ofSeconds(60),
                        () -> load.unavailable() >= unavailableBefore + 20,
                        () -> "503s " + load.unavailable() + ", unexpected " + load.unexpected() + "\n" + cluster.logs());
                    cluster.broker().restart();
                    awaitAcks(load, load.acknowledged() + ACKS_PER_PHASE, cluster);
                }
                load.finish(Duration.ofSeconds(120));
            }
            assertNull(load.unexpected(), "only 202, or 503 with Retry-After, ever answered");
            assertTrue(load.slowestUnavailableMs() < MAX_UNAVAILABLE_MS,
                "every 503 came within " + MAX_UNAVAILABLE_MS + " ms; the slowest took " + load.slowestUnavailableMs());
            assertTrue(a.isAlive() && b.isAlive(), "the nodes were never restarted");
            final int distinct = load.created();
            System.out.printf("%d distinct events, %d answers 503, %d requests without an answer, slowest 503 %d ms%n",
                distinct, load.unavailable(), load.noAnswer(), load.slowestUnavailableMs());
            assertEquals(distinct, load.acknowledged(), "every event sent got a 202 in the end");

            final Map<Integer, String> notDuplicate = load.redeliverAll(Duration.ofSeconds(120));
            assertTrue(notDuplicate.isEmpty(), notDuplicate.size() + " acknowledged events not duplicato when "
                + "re-delivered, e.g. " + notDuplicate.entrySet().stream().limit(3).toList());
            cluster.assertCountedOnce(distinct, List.of(a), List.of(b));
        }
    }

    private static void awaitAcks(final ClusterLoad load, final int acks, final ClusterNodes cluster) {
        Await.until(acks + " events acknowledged", Duration.ofSeconds(120), () -> load.acknowledged() >= acks,
            () -> "acks " + load.acknowledged() + ", 503s " + load.unavailable() + ", no answer " + load.noAnswer()
                + ", unexpected " + load.unexpected() + "\n" + cluster.logs());
    }
}
