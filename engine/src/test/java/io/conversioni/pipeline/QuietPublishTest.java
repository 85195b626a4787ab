package io.conversioni.pipeline;

import io.conversioni.config.EngineConfig;
import io.conversioni.testkit.Await;
import io.conversioni.testkit.LeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.conversioni.pipeline.EngineFixtures.CONFIG_DIR;
import static io.conversioni.pipeline.EngineFixtures.T0;
import static io.conversioni.pipeline.EngineFixtures.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Engine#tryPublishQuietly}: events published without waking the stage threads are all processed once
 * the publisher wakes them ({@link Engine#wakeStages()}, as an event loop does once per turn), in every wiring
 * and wait strategy, and a stop processes the ones whose wake-up never came.
 */
@Timeout(60)
@ExtendWith(LeakCheck.class)
class QuietPublishTest {
    @TempDir
    Path data;

    private final List<Engine> engines = new ArrayList<>();

    @AfterEach
    void closeEngines() {
        engines.forEach(Engine::close);
    }

    private Engine engine(final int stageThreads, final String wait) throws Exception {
        final String yaml = "pipeline:\n  stage_threads: " + stageThreads + "\n  wait_strategy: " + wait + "\n";
        final Engine engine = Engine.create(EngineConfig.parse(yaml, CONFIG_DIR), data, () -> T0 + 5_000);
        engines.add(engine);
        engine.start();
        return engine;
    }

    private static byte[] body(final int i) {
        return event(String.format("CLIENTE-MILANO-%06d", i), "acquisto_concluso", T0 + i, "10.00", "email")
            .getBytes(StandardCharsets.UTF_8);
    }

    /** Counts answers; the count's increment publishes them to the test thread. */
    private static final class Count implements OutcomeListener {
        final AtomicInteger answered = new AtomicInteger();

        @Override
        public void onOutcome(final EventView e, final Object attachment) {
            answered.incrementAndGet();
        }

        boolean await(final int expected, final long seconds) {
            Await.poll(Duration.ofSeconds(seconds), () -> answered.get() >= expected);
            return answered.get() == expected;
        }
    }

    @ParameterizedTest(name = "stage_threads {0}, wait {1}")
    @CsvSource({"1, blocking", "2, blocking", "4, blocking", "1, sleeping", "0, blocking"})
    void shouldProcessEveryQuietlyPublishedEventOnceTheStagesAreWokenOncePerTurn(final int stageThreads,
                                                                               final String wait) throws Exception {
        final Engine engine = engine(stageThreads, wait);
        final Count count = new Count();
        int sent = 0;
        for (int turn = 0; turn < 300; turn++) {
            final int events = 1 + turn % 7; // turns of 1 to 7 events, like an IO thread's loop
            for (int i = 0; i < events; i++) {
                final byte[] b = body(sent++);
                assertTrue(engine.tryPublishQuietly(b, 0, b.length, count, null));
            }
            engine.wakeStages();
            if (turn % 50 == 0) {
                // let the stage threads run dry and go to sleep, so the next turn's events find them waiting
                assertTrue(count.await(sent, 10), "answered " + count.answered.get() + " of " + sent);
                if (stageThreads > 0 && wait.equals("blocking")) {
                    awaitStageThreadsWaiting();
                }
            }
        }
        assertTrue(count.await(sent, 10), "answered " + count.answered.get() + " of " + sent);
        assertEquals(sent, engine.counters().outcomes(Outcome.ACCEPTED));
    }

    @ParameterizedTest(name = "stage_threads {0}, wait {1}: defers {2}")
    @CsvSource({"1, blocking, true", "4, blocking, true", "1, sleeping, false", "0, blocking, false"})
    void shouldDeferWakeUpsOnlyWhereAStageThreadBlocks(final int stageThreads, final String wait,
                                                       final boolean defers) throws Exception {
        assertEquals(defers, engine(stageThreads, wait).defersWakes());
    }

    @ParameterizedTest(name = "stage_threads {0}")
    @CsvSource({"1", "2", "4"})
    void shouldProcessQuietlyPublishedEventsAtCloseWhenNoWakeUpCame(final int stageThreads) throws Exception {
        final Engine engine = engine(stageThreads, "blocking");
        awaitStageThreadsWaiting();
        final Count count = new Count();
        for (int i = 0; i < 5; i++) {
            final byte[] b = body(i);
            assertTrue(engine.tryPublishQuietly(b, 0, b.length, count, null));
        }
        final long start = System.nanoTime();
        engine.close();
        assertEquals(5, count.answered.get(), "close processed the events whose wake-up was owed");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10),
            "close woke the stages instead of waiting for its drain timeout");
    }

    /** Waits until every stage thread of the engine waits on the strategy's monitor (the ring ran dry). */
    private static void awaitStageThreadsWaiting() {
        Await.until("the stage threads wait on the strategy's monitor", Duration.ofSeconds(10), () -> {
            boolean any = false;
            boolean allWaiting = true;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith("conversioni-") && isStageThread(t.getName())) {
                    any = true;
                    allWaiting &= t.getState() == Thread.State.WAITING;
                }
            }
            return any && allWaiting;
        });
    }

    private static boolean isStageThread(final String name) {
        switch (name.substring("conversioni-".length())) {
            case "stages": case "decode-journal": case "window-respond":
            case "decode": case "journal": case "window": case "respond":
                return true;
            default:
                return false;
        }
    }
}
