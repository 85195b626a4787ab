package io.conversioni.pipeline;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

/**
 * {@code wait_strategy: blocking}: Disruptor's blocking wait (idle stages wait on a monitor: no CPU at all),
 * with one addition. A publisher that puts several events in a row may publish them {@linkplain #publishQuietly
 * quietly} and {@linkplain #wake() wake} the stages once afterwards, instead of once per event. An event loop
 * such as Undertow's IO thread publishes every request that one turn of its loop reads, then wakes the stage
 * thread once, at the start of its next turn: a futex wake (2–3 µs of the IO thread's time each) per turn
 * instead of per request.
 *
 * <p>Correctness is Disruptor's: a waiter looks at the cursor under the monitor before it waits and again
 * after every wake-up, and a publisher advances the cursor before it publishes. A quiet publish only
 * puts off the notify, so a waiter may sleep past it until the owed {@link #wake()}; whoever publishes quietly
 * must call it (the engine does at {@link Engine#close()}, so a stop never leaves a published slot behind).
 *
 * <p>The quiet flag is per thread, so an ordinary publish on another thread (the heartbeat, Disruptor's halt)
 * notifies at once. (One shared volatile flag instead of the {@code ThreadLocal}, which the profile blamed for
 * 3 % of the IO thread, measured the same: 15.9 and 15.2 against 15.0 and 15.4 µs of CPU a request.)
 */
final class DeferrableBlockingWaitStrategy implements WaitStrategy {
    private final Object mutex = new Object();
    /** Per publishing thread: true while it publishes quietly. */
    private final ThreadLocal<boolean[]> quiet = ThreadLocal.withInitial(() -> new boolean[1]);

    @Override
    public long waitFor(final long sequence, final Sequence cursor, final Sequence dependentSequence,
                        final SequenceBarrier barrier) throws AlertException, InterruptedException {
        if (cursor.get() < sequence) {
            synchronized (mutex) {
                while (cursor.get() < sequence) {
                    barrier.checkAlert();
                    mutex.wait();
                }
            }
        }
        long available;
        while ((available = dependentSequence.get()) < sequence) {
            barrier.checkAlert();
            Thread.onSpinWait();
        }
        return available;
    }

    @Override
    public void signalAllWhenBlocking() {
        if (!quiet.get()[0]) {
            wake();
        }
    }

    /** Publishes {@code sequence} without waking a waiting stage; the caller owes a {@link #wake()}. */
    void publishQuietly(final RingBuffer<EventSlot> ring, final long sequence) {
        final boolean[] flag = quiet.get();
        flag[0] = true;
        try {
            ring.publish(sequence);
        } finally {
            flag[0] = false;
        }
    }

    /** {@link #publishQuietly(RingBuffer, long)} for the slots {@code lo..hi}, published as one range. */
    void publishQuietly(final RingBuffer<EventSlot> ring, final long lo, final long hi) {
        final boolean[] flag = quiet.get();
        flag[0] = true;
        try {
            ring.publish(lo, hi);
        } finally {
            flag[0] = false;
        }
    }

    /** Wakes every waiting stage; they look at the cursor again. */
    void wake() {
        synchronized (mutex) {
            mutex.notifyAll();
        }
    }
}
