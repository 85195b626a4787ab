package io.conversioni.pipeline;

import io.conversioni.config.EngineConfig;
import io.conversioni.testkit.Await;
import io.conversioni.testkit.LeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.conversioni.pipeline.EngineFixtures.CONFIG_DIR;
import static io.conversioni.pipeline.EngineFixtures.T0;
import static io.conversioni.pipeline.EngineFixtures.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Engine#tryPublishRun}: a batch's events claimed and published as one run of consecutive slots reach every
 * stage in order with their own attachment, in every wiring, quiet or not; a run longer than the free slots
 * publishes the ones that fit and says how many; a stopped engine takes none.
 */
@Timeout(60)
@ExtendWith(LeakCheck.class)
class PublishRunTest {
    @TempDir
    Path data;

    private final List<Engine> engines = new ArrayList<>();

    @AfterEach
    void closeEngines() {
        engines.forEach(Engine::close);
    }

    private Engine engine(final String pipeline) throws Exception {
        final Engine engine = Engine.create(EngineConfig.parse("pipeline:\n" + pipeline, CONFIG_DIR), data,
            () -> T0 + 5_000);
        engines.add(engine);
        engine.start();
        return engine;
    }

    /** {@code count} events cut from one buffer, as a batch request holds them, with a blank line between. */
    private static final class Run {
        final byte[] body;
        final int[] starts;
        final int[] lengths;
        final Object[] attachments;

        Run(final int first, final int count) {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            starts = new int[count];
            lengths = new int[count];
            attachments = new Object[count];
            for (int i = 0; i < count; i++) {
                final byte[] e = event(String.format("CLIENTE-BATCH-%06d", first + i), "acquisto_concluso", T0 + i,
                    "10.00", "email").getBytes(StandardCharsets.UTF_8);
                starts[i] = out.size();
                lengths[i] = e.length;
                out.writeBytes(e);
                out.writeBytes("\n\n".getBytes(StandardCharsets.UTF_8));
                attachments[i] = Integer.valueOf(first + i);
            }
            body = out.toByteArray();
        }
    }

    /** Records each answer's attachment against its event's id_cliente, and the order of the sequences. */
    private static final class Answers implements OutcomeListener {
        final ConcurrentHashMap<Object, String> clienteByAttachment = new ConcurrentHashMap<>();
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger outOfOrder = new AtomicInteger();
        private long lastSequence = -1;

        @Override
        public void onOutcome(final EventView e, final Object attachment) {
            clienteByAttachment.put(attachment, e.event().text(io.conversioni.event.ConversionEvent.ID_CLIENTE));
            if (e.sequence() <= lastSequence) {
                outOfOrder.incrementAndGet();
            }
            lastSequence = e.sequence();
            answered.incrementAndGet();
        }

        void await(final int expected) {
            Await.until(expected + " answers", Duration.ofSeconds(20), () -> answered.get() >= expected);
        }
    }

    @ParameterizedTest(name = "stage_threads {0}, wait {1}, quiet {2}")
    @CsvSource({"1, blocking, true", "1, blocking, false", "2, blocking, true", "4, blocking, true",
        "1, sleeping, false", "0, blocking, true"})
    void shouldAnswerEveryEventOfARunWithItsOwnAttachmentInRingOrder(final int stageThreads, final String wait,
                                                                    final boolean quiet) throws Exception {
        final Engine engine = engine("  stage_threads: " + stageThreads + "\n  wait_strategy: " + wait + "\n");
        final Answers answers = new Answers();
        int sent = 0;
        for (int round = 0; round < 40; round++) {
            final int count = 1 + round * 7 % 120;
            final Run run = new Run(sent, count);
            // a run from the middle of the arrays, as after a first run that the fair share cut short
            final int from = count > 2 ? 1 : 0;
            final int published = engine.tryPublishRun(run.body, run.starts, run.lengths, from, count - from, answers,
                run.attachments, quiet);
            assertEquals(count - from, published);
            if (quiet) {
                engine.wakeStages();
            }
            for (int i = from; i < count; i++) {
                expected.put(run.attachments[i], String.format("CLIENTE-BATCH-%06d", sent + i));
            }
            sent += count;
        }
        answers.await(expected.size());
        assertEquals(expected, answers.clienteByAttachment, "each event came back with its own attachment");
        assertEquals(0, answers.outOfOrder.get(), "answers follow the ring's order");
        assertEquals(expected.size(), engine.counters().outcomes(Outcome.ACCEPTED));
    }

    private final ConcurrentHashMap<Object, String> expected = new ConcurrentHashMap<>();

    @Test
    void shouldPublishOnlyTheEventsThatFitTheFreeSlotsAndSaySo() throws Exception {
        final Engine engine = engine("  stage_threads: 1\n  wait_strategy: blocking\n  ring_size: 64\n");
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger answered = new AtomicInteger();
        final OutcomeListener held = (e, attachment) -> {
            try {
                // the first answer holds the stage thread: the ring stays full behind it
                assertTrue(release.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            answered.incrementAndGet();
        };
        final Run first = new Run(0, 10);
        assertEquals(10, engine.tryPublishRun(first.body, first.starts, first.lengths, 0, 10, held, first.attachments,
            false));
        Await.until("the stage thread holds the first answer", Duration.ofSeconds(10),
            () -> engine.ringOccupancy() == 10 && engine.counters().outcomes(Outcome.ACCEPTED) >= 1);
        final Run rest = new Run(10, 100);
        assertEquals(54, engine.tryPublishRun(rest.body, rest.starts, rest.lengths, 0, 100, held, rest.attachments,
            false), "the 54 free slots of 64");
        assertEquals(0, engine.tryPublishRun(rest.body, rest.starts, rest.lengths, 54, 46, held, rest.attachments,
            false), "a full ring takes none");
        release.countDown();
        Await.until("64 answers", Duration.ofSeconds(20), () -> answered.get() == 64);
        assertEquals(64, engine.counters().outcomes(Outcome.ACCEPTED));
        assertEquals(64, answered.get(), "nothing more was answered than was published");
    }

    /** The insight latency is read once per Disruptor batch: a run longer than its buffer still records every event. */
    @Test
    void shouldRecordTheInsightLatencyOfEveryEventOfALongRun() throws Exception {
        final Engine engine = engine("  stage_threads: 1\n  wait_strategy: blocking\n  heartbeat: 60s\n");
        final Answers answers = new Answers();
        final int count = DedupeWindowStage.LATENCY_RUN * 2 + 37;
        final Run run = new Run(0, count);
        final long before = System.nanoTime();
        assertEquals(count, engine.tryPublishRun(run.body, run.starts, run.lengths, 0, count, answers, run.attachments,
            true));
        engine.wakeStages();
        answers.await(count);
        final long elapsed = System.nanoTime() - before;
        engine.close(); // makes the window thread's last latencies visible
        final org.HdrHistogram.Histogram latency = engine.windows().newInsightLatencyHistogram();
        engine.windows().copyInsightLatencyInto(latency);
        assertEquals(count, latency.getTotalCount(), "one latency per event, none left behind at the batch's end");
        assertTrue(latency.getMaxValue() <= latency.highestEquivalentValue(elapsed), "no latency beyond the wait");
    }

    /**
     * Events of one run share a receive time and are recorded as one histogram update; runs and single events
     * interleaved in one Disruptor batch still give one latency each, none longer than the wait.
     */
    @Test
    void shouldRecordOneLatencyAnEventForRunsAndSingleEventsInterleaved() throws Exception {
        final Engine engine = engine("  stage_threads: 1\n  wait_strategy: blocking\n  heartbeat: 60s\n");
        final Answers answers = new Answers();
        final long before = System.nanoTime();
        int published = 0;
        for (int round = 0; round < 6; round++) {
            final Run run = new Run(published, 40 + round * 50);
            published += engine.tryPublishRun(run.body, run.starts, run.lengths, 0, run.starts.length, answers,
                run.attachments, true);
            final Run single = new Run(published, 1);
            assertTrue(engine.tryPublish(single.body, single.starts[0], single.lengths[0], answers, single.attachments[0]));
            published++;
        }
        engine.wakeStages();
        answers.await(published);
        final long elapsed = System.nanoTime() - before;
        engine.close();
        final org.HdrHistogram.Histogram latency = engine.windows().newInsightLatencyHistogram();
        engine.windows().copyInsightLatencyInto(latency);
        assertEquals(published, latency.getTotalCount(), "one latency per event");
        assertTrue(latency.getMaxValue() <= latency.highestEquivalentValue(elapsed), "no latency beyond the wait");
    }

    /** A bad range is refused before any slot is claimed: the ring goes on taking events after it. */
    @Test
    void shouldRefuseARunOutsideItsBuffersBeforeClaimingAnySlot() throws Exception {
        final Engine engine = engine("  stage_threads: 1\n  wait_strategy: blocking\n  ring_size: 64\n");
        final Run run = new Run(0, 3);
        final int[] pastTheEnd = {run.starts[0], run.starts[1], run.body.length - 2};
        assertThrows(IndexOutOfBoundsException.class, () -> engine.tryPublishRun(run.body, pastTheEnd, run.lengths, 0, 3,
            null, run.attachments, false));
        assertThrows(IndexOutOfBoundsException.class, () -> engine.tryPublishRun(run.body, run.starts, run.lengths, 2, 2,
            null, run.attachments, false));
        assertEquals(0, engine.ringOccupancy(), "no slot was claimed");
        final Answers answers = new Answers();
        assertEquals(3, engine.tryPublishRun(run.body, run.starts, run.lengths, 0, 3, answers, run.attachments, false));
        answers.await(3);
    }

    @Test
    void shouldTakeNoEventOnceTheEngineIsClosed() throws Exception {
        final Engine engine = engine("  stage_threads: 1\n");
        engine.close();
        final Run run = new Run(0, 5);
        assertEquals(0, engine.tryPublishRun(run.body, run.starts, run.lengths, 0, 5, null, run.attachments, false));
    }
}
