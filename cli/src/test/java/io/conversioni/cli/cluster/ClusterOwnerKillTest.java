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
 * {@code kill -9} of an owner under concurrent load, then its restart on the same data folder: node a (partitions
 * 0-2) is killed while four senders post distinct events to a and b; the events a owned answer 503 + Retry-After
 * through b (or find a's port closed) until a is back, and are sent again until answered. Afterwards every event
 * that ever got a 202 answers {@code duplicato} when re-delivered to the other node, and the totals count each
 * distinct event exactly once: nothing acknowledged was lost, no retry of a journaled event counted twice.
 */
@Tag("slow")
@ExtendWith(KafkaLeakCheck.class)
@Timeout(300)
class ClusterOwnerKillTest {
    private static final int SENDERS = 4;
    private static final int ACKS_PER_PHASE = 150;

    @TempDir
    Path root;

    @Test
    void shouldCountEveryAcknowledgedEventOnceWhenAnOwnerIsKilledUnderLoad() throws Exception {
        try (ClusterNodes cluster = ClusterNodes.withBroker(root)) {
            cluster.start(List.of("a=0-2", "b=3-5"), "verdict_timeout: 1s");
            final NodeProcess a = cluster.node("a");
            final NodeProcess b = cluster.node("b");
            final ClusterLoad load = new ClusterLoad(List.of(a, b), cluster.token(), "CLIENTE-KILL", Instant.now(),
                SENDERS, 20261207L);
            try (load) {
                awaitAcks(load, ACKS_PER_PHASE, cluster);
                a.kill(); // SIGKILL under load: no drain, no snapshot, no commit
                final long unavailableBefore = load.unavailable();
                final int acksBefore = load.acknowledged();
                Await.until("503s for a's partitions and 202s for b's while a is down", Duration.ofSeconds(60),
                    () -> load.unavailable() > unavailableBefore && load.acknowledged() >= acksBefore + ACKS_PER_PHASE / 3,
                    () -> "503s " + load.unavailable() + ", acks " + load.acknowledged() + "\n" + cluster.logs());
                a.restart();
                awaitAcks(load, load.acknowledged() + ACKS_PER_PHASE, cluster);
                load.finish(Duration.ofSeconds(120));
            }
            assertNull(load.unexpected(), "only 202, or 503 with Retry-After, ever answered");
            final int distinct = load.created();
            System.out.printf("%d distinct events, %d answers 503, %d requests without an answer, slowest 503 %d ms%n",
                distinct, load.unavailable(), load.noAnswer(), load.slowestUnavailableMs());
            assertEquals(distinct, load.acknowledged(), "every event sent got a 202 in the end");
            assertTrue(load.unavailable() > 0, "the kill was seen by the senders");

            final Map<Integer, String> notDuplicate = load.redeliverAll(Duration.ofSeconds(120));
            assertTrue(notDuplicate.isEmpty(), notDuplicate.size() + " acknowledged events not duplicato when "
                + "re-delivered, e.g. " + notDuplicate.entrySet().stream().limit(3).toList());
            cluster.assertCountedOnce(distinct, List.of(a, b), List.of());
        }
    }

    private static void awaitAcks(final ClusterLoad load, final int acks, final ClusterNodes cluster) {
        Await.until(acks + " events acknowledged", Duration.ofSeconds(90), () -> load.acknowledged() >= acks,
            () -> "acks " + load.acknowledged() + ", 503s " + load.unavailable() + ", unexpected " + load.unexpected()
                + "\n" + cluster.logs());
    }
}
