package io.conversioni.bench.load;

import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The clock of the open loop, on its own thread: request {@code i} is due at {@code start + i × period}; the
 * scheduler parks until the next due time, publishes how many requests are due and wakes the selector thread,
 * which sends them. It never waits for answers, so a slow server makes the queue (and the measured latency) grow
 * instead of slowing the schedule. Allocation-free; it stops by itself after the last request or on {@link #stop()}.
 */
final class ArrivalScheduler implements Runnable {
    private final long startNanos;
    private final double periodNanos;
    private final long totalRequests;
    private final AtomicLong dueCount;
    private final Selector selector;
    private volatile boolean stopped;

    ArrivalScheduler(final long startNanos, final double periodNanos, final long totalRequests, final AtomicLong dueCount,
                     final Selector selector) {
        this.startNanos = startNanos;
        this.periodNanos = periodNanos;
        this.totalRequests = totalRequests;
        this.dueCount = dueCount;
        this.selector = selector;
    }

    /** Intended send time of request {@code index}: latency is measured from here (coordinated omission). */
    static long intendedNanos(final long startNanos, final double periodNanos, final long index) {
        return startNanos + (long) (index * periodNanos);
    }

    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        long published = 0;
        while (published < totalRequests && !stopped) {
            final long now = System.nanoTime();
            final long next = intendedNanos(startNanos, periodNanos, published);
            if (now < next) {
                LockSupport.parkNanos(next - now);
                continue;
            }
            published = Math.min(totalRequests, (long) ((now - startNanos) / periodNanos) + 1);
            // Release: the selector thread's getAcquire sees every count in order; no other state is shared.
            dueCount.setRelease(published);
            selector.wakeup();
        }
    }
}
