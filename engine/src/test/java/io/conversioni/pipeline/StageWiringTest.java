package io.conversioni.pipeline;

import io.conversioni.config.EngineConfig;
import io.conversioni.testkit.Await;
import io.conversioni.testkit.LeakCheck;
import io.conversioni.window.WindowSnapshot;
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
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.conversioni.pipeline.EngineFixtures.CONFIG_DIR;
import static io.conversioni.pipeline.EngineFixtures.T0;
import static io.conversioni.pipeline.EngineFixtures.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every stage wiring ({@code pipeline.stage_threads} 0, 1, 2, 4) under a burst into a small ring: two
 * publisher threads fill it until it reports full, then everything drains. Each event must be answered
 * exactly once, in ring order, counted right, and with SYNC (the point of the one-thread wiring) never
 * before the journal flushed its batch. (With ASYNC there is no flush to wait for: one thread answers each
 * chunk of a batch right after its appends.) With one thread and ASYNC, ring slots a chunk apart share their
 * decoded-event holders: each answer must still see its own event.
 */
@Timeout(60)
@ExtendWith(LeakCheck.class)
class StageWiringTest {
    private static final int PUBLISHERS = 2;
    private static final int EVENTS_PER_PUBLISHER = 1500;

    @TempDir
    Path data;

    private final List<Engine> engines = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(T0 + 5_000);

    @AfterEach
    void closeEngines() {
        engines.forEach(Engine::close);
    }

    /** Seen on the respond thread only; read by the test thread after the last answer arrived. */
    private static final class Answers implements OutcomeListener {
        final CountDownLatch ringWasFull = new CountDownLatch(1);
        final AtomicInteger answered = new AtomicInteger();
        final int[] byOutcome = new int[Outcome.JOURNAL_FAILED + 1];
        Engine engine;
        long lastSequence = -1;
        int outOfOrder;
        int beforeFlush;
        int firstWaited;

        @Override
        public void onOutcome(final EventView e, final Object attachment) {
            if (firstWaited++ == 0) {
                // hold the first answer until a publisher saw the ring full, so every wiring meets a full ring
                await(ringWasFull);
            }
            if (e.sequence() <= lastSequence) {
                outOfOrder++;
            }
            lastSequence = e.sequence();
            if (engine.journalStage().flushedThroughSequence() < e.sequence()) {
                beforeFlush++;
            }
            byOutcome[e.outcome()]++;
            answered.incrementAndGet(); // release: the test thread reads the fields above after seeing the count
        }

        private static void await(final CountDownLatch latch) {
            try {
                latch.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @ParameterizedTest(name = "stage_threads {0}, durability {1}, wait {2}")
    @CsvSource({"1, sync, blocking", "1, async, sleeping", "2, sync, sleeping", "2, async, blocking",
        "4, sync, blocking", "4, async, sleeping", "0, async, blocking", "0, sync, blocking"})
    void shouldAnswerEveryEventOfABurstOnceInRingOrderAndOnlyAfterItsBatchWasFlushed(final int stageThreads,
        final String durability, final String wait) throws Exception {
        final String yaml = "pipeline:\n  ring_size: 64\n  stage_threads: " + stageThreads + "\n  wait_strategy: " + wait
            + "\njournal:\n  durability: " + durability + "\n";
        final Engine engine = Engine.create(EngineConfig.parse(yaml, CONFIG_DIR), data, now::get);
        engines.add(engine);
        engine.start();
        final Answers answers = new Answers();
        answers.engine = engine;
        final AtomicLong refusals = new AtomicLong();
        final AtomicInteger invalidSent = new AtomicInteger();
        final Thread[] publishers = new Thread[PUBLISHERS];
        for (int p = 0; p < PUBLISHERS; p++) {
            final int publisher = p;
            publishers[p] = new Thread(() -> {
                final Random random = new Random(20261201L + publisher);
                for (int i = 0; i < EVENTS_PER_PUBLISHER; i++) {
                    final boolean invalid = random.nextInt(10) == 0;
                    final String id = String.format("CLIENTE-ROMA-%d%05d", publisher + 1, i);
                    final byte[] body = event(id, "richiesta_demo", T0 + random.nextInt(60_000), "1.50",
                        invalid ? "fax" : "email").getBytes(StandardCharsets.UTF_8);
                    if (invalid) {
                        invalidSent.incrementAndGet();
                    }
                    while (!engine.tryPublish(body, 0, body.length, answers, null)) {
                        refusals.incrementAndGet();
                        answers.ringWasFull.countDown();
                        Thread.onSpinWait();
                    }
                }
            }, "burst-publisher-" + p);
            publishers[p].start();
        }
        for (Thread t : publishers) {
            t.join(TimeUnit.SECONDS.toMillis(40));
        }
        final int total = PUBLISHERS * EVENTS_PER_PUBLISHER;
        Await.poll(Duration.ofSeconds(20), () -> answers.answered.get() >= total);
        assertEquals(total, answers.answered.get(), "every published event answered exactly once");
        assertTrue(refusals.get() > 0, "the burst met a full ring");
        assertEquals(0, answers.outOfOrder, "answers come in ring order");
        if ("sync".equals(durability)) {
            assertEquals(0, answers.beforeFlush, "no answer before its batch's journal flush");
        }
        assertEquals(invalidSent.get(), answers.byOutcome[Outcome.REJECTED]);
        assertEquals(total - invalidSent.get(), answers.byOutcome[Outcome.ACCEPTED]);
        assertEquals(total - invalidSent.get(), engine.counters().outcomes(Outcome.ACCEPTED));
        final WindowSnapshot w = engine.windows().newSnapshot();
        long unique = 0;
        for (long start = T0 / 300_000 * 300_000; start <= T0 + 60_000; start += 300_000) {
            if (engine.windows().readWindow(start, w)) {
                unique += w.total().uniqueCount();
            }
        }
        assertEquals(total - invalidSent.get(), unique, "the windows count every accepted event once");
        // and the journal of the burst replays to the same state
        engine.close();
        final OfflineReplay replayed = OfflineReplay.recorded(EngineConfig.parse(yaml, CONFIG_DIR), data);
        assertNull(engine.windows().stateDifference(replayed.windows()));
    }

    /**
     * One stage thread (or the inline drain) with ASYNC shares each decoded-event holder between the slots
     * {@link SingleThreadStages#CHUNK} apart. In a ring many chunks long, filled before the first answer goes out so
     * that batches span many chunks, every answer must carry its own event's decoded fields and violations. The
     * slots' bodies share arrays too ({@code pipeline.slot_body_size}): with 256 bytes a slot, every third body (padded
     * past it) moves its slot to an array of its own while the others stay in their slices.
     */
    @ParameterizedTest(name = "stage_threads {0}, slot_body_size {1}")
    @CsvSource({"1, 512", "0, 512", "1, 256", "0, 256"})
    void shouldHandEveryAnswerItsOwnDecodedEventWhenSlotsShareHolders(final int stageThreads, final int slotBodySize)
        throws Exception {
        final String yaml = "pipeline:\n  ring_size: 1024\n  stage_threads: " + stageThreads
            + "\n  wait_strategy: blocking\n  slot_body_size: " + slotBodySize + "\njournal:\n  durability: async\n";
        final Engine engine = Engine.create(EngineConfig.parse(yaml, CONFIG_DIR), data, now::get);
        engines.add(engine);
        engine.start();
        final int total = 5_000;
        final CountDownLatch ringWasFull = new CountDownLatch(1);
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger wrongEvent = new AtomicInteger();
        final AtomicInteger firstAnswer = new AtomicInteger();
        final OutcomeListener check = (e, attachment) -> {
            if (firstAnswer.getAndIncrement() == 0) {
                try {
                    ringWasFull.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            final int i = (Integer) attachment;
            final boolean invalid = i % 7 == 0;
            final boolean right = invalid
                ? e.outcome() == Outcome.REJECTED && e.violations().size() > 0
                : e.outcome() == Outcome.ACCEPTED && e.event().valoreCents() == 100_000L + i
                    && e.violations().size() == 0;
            if (!right) {
                wrongEvent.incrementAndGet();
            }
            answered.incrementAndGet();
        };
        // two publishers: with the inline drain, the one that drains holds the first answer while the other fills
        final Thread[] publishers = new Thread[PUBLISHERS];
        for (int p = 0; p < PUBLISHERS; p++) {
            final int first = p;
            publishers[p] = new Thread(() -> {
                for (int i = first; i < total; i += PUBLISHERS) {
                    final int cents = 100_000 + i;
                    final String json = event(String.format("CLIENTE-MILANO-%06d", i), "richiesta_demo", T0 + i,
                        cents / 100 + "." + String.format("%02d", cents % 100), i % 7 == 0 ? "fax" : "email");
                    final byte[] body = (i % 3 == 0 ? "{" + " ".repeat(64) + json.substring(1) : json)
                        .getBytes(StandardCharsets.UTF_8);
                    while (!engine.tryPublish(body, 0, body.length, check, i)) {
                        ringWasFull.countDown();
                        Thread.onSpinWait();
                    }
                }
            }, "holder-publisher-" + p);
            publishers[p].start();
        }
        for (Thread t : publishers) {
            t.join(TimeUnit.SECONDS.toMillis(40));
        }
        Await.poll(Duration.ofSeconds(20), () -> answered.get() >= total);
        assertEquals(total, answered.get(), "every event answered");
        assertEquals(0, ringWasFull.getCount(), "the ring filled, so batches spanned many chunks");
        assertEquals(0, wrongEvent.get(), "every answer saw its own event's decoded fields and violations");
    }
}
