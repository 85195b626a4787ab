package io.conversioni.pipeline;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pipeline.stage_threads: 0}: no stage thread. After each publish, the publishing thread (Undertow's IO
 * thread, the heartbeat) tries to take the drain; the one that gets it runs every published slot through the
 * four stages ({@link SingleThreadStages}, in ring order) until none is left, and gives it back. A publisher that
 * finds the drain taken returns at once: the holder sees its slot before it gives the drain back, because it
 * looks once more after giving it back (publish, then try the flag; give the flag back, then look: one of the
 * two always sees the other).
 *
 * <p>Why: on two cores the hand-off to a stage thread (a futex wake per publish, the stage thread parking and
 * waking, the answer coming back as a task) costs more CPU per HTTP request than the stages' own work.
 *
 * <p>One drain at a time: the stores stay single-writer; the writer is the thread holding the drain, and
 * taking it (a CAS) orders everything the previous holder wrote before what this one reads. When the holding
 * thread differs from the last one, the stores' owner checks are handed over first.
 */
final class InlineDrain {
    private static final Logger LOG = LoggerFactory.getLogger(InlineDrain.class);

    private final RingBuffer<EventSlot> ring;
    private final EventPoller<EventSlot> poller;
    private final EventPoller.Handler<EventSlot> handler;
    private final Runnable handOver;
    private final Runnable beforeRelease;
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Written and read only while holding the drain. */
    private Thread lastHolder;

    /**
     * @param ring     the ring; the drain adds its sequence to the ring's gating sequences.
     * @param stages   runs each slot through the stages, in ring order ({@link SingleThreadStages}).
     * @param handOver hands the stores' single-writer ownership over, when the draining thread changes.
     */
    InlineDrain(final RingBuffer<EventSlot> ring, final EventHandler<EventSlot> stages, final Runnable handOver) {
        this(ring, stages, handOver, null);
    }

    /** @param beforeRelease runs on the holder before it gives the drain back (tests: a publish in that window), or null. */
    InlineDrain(final RingBuffer<EventSlot> ring, final EventHandler<EventSlot> stages, final Runnable handOver,
                final Runnable beforeRelease) {
        this.beforeRelease = beforeRelease;
        this.ring = ring;
        this.poller = ring.newPoller();
        ring.addGatingSequences(poller.getSequence());
        this.handOver = handOver;
        this.handler = (slot, sequence, endOfBatch) -> {
            try {
                stages.onEvent(slot, sequence, endOfBatch);
            } catch (Exception e) {
                // SingleThreadStages already catches what a stage throws; should anything else throw, the slot
                // must still count as drained, or every later drain would meet it again
                LOG.error("inline drain failed on ring sequence {}", sequence, e);
            }
            return true;
        };
    }

    /** After a publish: drains the ring unless another thread is draining it (then it sees this slot). */
    void afterPublish() {
        while (draining.compareAndSet(false, true)) {
            try {
                final Thread current = Thread.currentThread();
                if (current != lastHolder) {
                    handOver.run();
                    lastHolder = current;
                }
                while (poll() == EventPoller.PollState.PROCESSING) {
                    // until nothing published is left
                }
                if (beforeRelease != null) {
                    beforeRelease.run();
                }
            } finally {
                draining.set(false);
            }
            VarHandle.fullFence(); // the flag's release above, then the look below: see the class doc
            if (!hasBacklog()) {
                return;
            }
        }
    }

    private EventPoller.PollState poll() {
        try {
            return poller.poll(handler);
        } catch (Exception e) {
            // the handler above throws nothing: this is the poller itself
            LOG.error("inline drain failed", e);
            return EventPoller.PollState.IDLE;
        }
    }

    private boolean hasBacklog() {
        final long next = poller.getSequence().get() + 1;
        return next <= ring.getCursor() && ring.isAvailable(next);
    }

    /** Close: drains what is left (publishers have stopped), waiting up to the timeout for one in flight. */
    boolean drainAll(final long timeoutMillis) {
        final long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (poller.getSequence().get() < ring.getCursor()) {
            afterPublish();
            if (System.nanoTime() - deadline > 0) {
                LOG.warn("the ring did not drain within {} ms; stopping anyway", timeoutMillis);
                return false;
            }
            LockSupport.parkNanos(100_000);
        }
        return true;
    }
}
