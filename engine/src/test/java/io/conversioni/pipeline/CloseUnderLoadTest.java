package io.conversioni.pipeline;

import io.conversioni.config.EngineConfig;
import io.conversioni.testkit.LeakCheck;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.conversioni.pipeline.EngineFixtures.CONFIG_DIR;
import static io.conversioni.pipeline.EngineFixtures.T0;
import static io.conversioni.pipeline.EngineFixtures.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Engine#close()} while publishers race it: every publish that returned true is answered exactly once
 * and journaled, every one that returned false is never answered, and a restart counts exactly the answered
 * events. Publishers that claim a slot after the stop began get false (their slot is cancelled), with no
 * counter shared by the publishers on the hot path. The window in which a publisher claims after the drain
 * is a few instructions wide, so this is a stress test of the whole stop, not a deterministic test of that
 * window; the argument for it is in {@code Engine.publish}.
 */
@Timeout(120)
@ExtendWith(LeakCheck.class)
class CloseUnderLoadTest {
    private static final int PUBLISHERS = 3;
    private static final int ROUNDS = 3;

    @TempDir
    Path data;

    @ParameterizedTest(name = "stage_threads {0}, wait {1}")
    @CsvSource({"0, blocking", "1, blocking", "2, blocking", "4, blocking", "1, sleeping"})
    void shouldAnswerExactlyThePublishesItTookWhenClosedUnderLoad(final int stageThreads, final String wait)
            throws Exception {
        final String yaml = "pipeline:\n  stage_threads: " + stageThreads + "\n  wait_strategy: " + wait
            + "\n  ring_size: 256\ndedupe:\n  mode: exact\n";
        final AtomicInteger unique = new AtomicInteger();
        long taken = 0;
        for (int round = 0; round < ROUNDS; round++) {
            final Path dir = Files.createDirectories(data.resolve("round-" + round));
            final Engine engine = Engine.create(EngineConfig.parse(yaml, CONFIG_DIR), dir, () -> T0 + 5_000);
            engine.start();
            final AtomicLong accepted = new AtomicLong();
            final AtomicLong answered = new AtomicLong();
            final AtomicLong answeredAfterFalse = new AtomicLong();
            final AtomicBoolean stop = new AtomicBoolean();
            final CountDownLatch going = new CountDownLatch(PUBLISHERS);
            final Thread[] publishers = new Thread[PUBLISHERS];
            for (int p = 0; p < PUBLISHERS; p++) {
                publishers[p] = new Thread(() -> {
                    going.countDown();
                    while (!stop.get()) {
                        final int i = unique.getAndIncrement();
                        final byte[] b = event(String.format("CLIENTE-MILANO-%06d", i % 1_000_000), "acquisto_concluso",
                            T0 + (i % 4_000), "10.00", "email").getBytes(StandardCharsets.UTF_8);
                        final boolean[] refused = {false};
                        final boolean took = engine.tryPublish(b, 0, b.length, (e, a) -> {
                            answered.incrementAndGet();
                            if (((boolean[]) a)[0]) {
                                answeredAfterFalse.incrementAndGet();
                            }
                        }, refused);
                        if (took) {
                            accepted.incrementAndGet();
                        } else {
                            refused[0] = true;
                        }
                        if (!took && !engine.isReady()) {
                            return; // the engine is stopping: this publisher is done
                        }
                    }
                }, "close-race-publisher-" + p);
                publishers[p].start();
            }
            going.await();
            // let the ring fill and drain a few times, measured in progress, not time
            final long target = 1_000 + round * 100L;
            while (accepted.get() < target) {
                Thread.onSpinWait();
            }
            engine.close();
            stop.set(true);
            for (Thread t : publishers) {
                t.join(30_000);
                assertTrue(!t.isAlive(), "publisher stopped");
            }
            assertEquals(accepted.get(), answered.get(), "round " + round + ": every publish that returned true is "
                + "answered once, none that returned false");
            assertEquals(0, answeredAfterFalse.get(), "round " + round + ": a refused publish is never answered");
            taken += accepted.get();
            try (Engine reopened = Engine.create(EngineConfig.parse(yaml, CONFIG_DIR), dir, () -> T0 + 5_000)) {
                reopened.start();
                final long counted = reopened.counters().outcomes(Outcome.ACCEPTED)
                    + reopened.counters().outcomes(Outcome.DUPLICATE);
                assertEquals(accepted.get(), counted, "round " + round + ": the journal holds exactly the answered events");
            }
        }
        assertTrue(taken > 0);
    }
}
