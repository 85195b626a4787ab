package io.conversioni.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The inline wiring's drain ({@code stage_threads: 0}) must never leave a published slot behind: a publisher that
 * finds the drain taken relies on the holder to see its slot. The race is made certain here with a hook that
 * publishes from a second thread while the holder has found nothing more and is about to give the drain back.
 * (The whole engine under this wiring is tested by {@link StageWiringTest}.)
 */
@Timeout(20)
class InlineDrainTest {
    private static final class Recorder implements EventHandler<EventSlot> {
        final List<Long> sequences = new ArrayList<>();
        final List<String> threads = new ArrayList<>();

        @Override
        public void onEvent(final EventSlot slot, final long sequence, final boolean endOfBatch) {
            sequences.add(sequence);
            threads.add(Thread.currentThread().getName());
        }
    }

    private static void publish(final RingBuffer<EventSlot> ring) {
        final long sequence = ring.next();
        ring.get(sequence).fill(EventSlot.KIND_HEARTBEAT, null, 0, 0, 0, 0, null, null);
        ring.publish(sequence);
    }

    @Test
    void shouldDrainASlotPublishedWhileTheHolderIsGivingTheDrainBack() throws Exception {
        final RingBuffer<EventSlot> ring = RingBuffer.createMultiProducer(() -> new EventSlot(16), 64);
        final Recorder stages = new Recorder();
        final InlineDrain[] drain = new InlineDrain[1];
        final AtomicInteger hookRuns = new AtomicInteger();
        final AtomicInteger handOvers = new AtomicInteger();
        drain[0] = new InlineDrain(ring, stages, handOvers::incrementAndGet, () -> {
            if (hookRuns.getAndIncrement() == 0) {
                // another publisher, while this thread still holds the drain: its own drain attempt returns at once
                final Thread other = new Thread(() -> {
                    publish(ring);
                    drain[0].afterPublish();
                }, "other-publisher");
                other.start();
                try {
                    other.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        publish(ring);
        drain[0].afterPublish();
        assertEquals(List.of(0L, 1L), stages.sequences, "the other publisher's slot was drained by the holder");
        assertEquals(Thread.currentThread().getName(), stages.threads.get(1));
        assertEquals(1, handOvers.get(), "one holder so far: handed over once");
    }

    @Test
    void shouldCountASlotWhoseStagesThrewAsDrainedInsteadOfMeetingItAgain() {
        final RingBuffer<EventSlot> ring = RingBuffer.createMultiProducer(() -> new EventSlot(16), 64);
        final Recorder recorder = new Recorder();
        final InlineDrain drain = new InlineDrain(ring, (slot, sequence, endOfBatch) -> {
            recorder.onEvent(slot, sequence, endOfBatch);
            if (sequence == 0) {
                throw new IllegalStateException("a bug outside any one stage");
            }
        }, () -> { });
        // preemptive: a drain that meets the slot again and again never returns
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            publish(ring);
            drain.afterPublish(); // returns: the slot is logged and passed
            publish(ring);
            drain.afterPublish();
        });
        assertEquals(List.of(0L, 1L), recorder.sequences, "slot 0 once, then slot 1");
    }

    @Test
    void shouldHandTheStoresOverWhenTheDrainingThreadChanges() throws Exception {
        final RingBuffer<EventSlot> ring = RingBuffer.createMultiProducer(() -> new EventSlot(16), 64);
        final Recorder stages = new Recorder();
        final AtomicInteger handOvers = new AtomicInteger();
        final InlineDrain drain = new InlineDrain(ring, stages, handOvers::incrementAndGet);
        publish(ring);
        drain.afterPublish();
        publish(ring);
        drain.afterPublish(); // the same thread: no hand-over
        final Thread other = new Thread(() -> {
            publish(ring);
            drain.afterPublish();
        }, "other-publisher");
        other.start();
        other.join();
        assertEquals(List.of(0L, 1L, 2L), stages.sequences);
        assertEquals("other-publisher", stages.threads.get(2));
        assertEquals(2, handOvers.get());
        assertEquals(true, drain.drainAll(1_000), "nothing left to drain");
    }
}
