package io.conversioni.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The requests of a receiving node that wait for their owner's verdict, by correlation counter: a fixed ring of
 * {@code capacity} slots (a power of two; the ring size, a slot per request in flight), request {@code k} in slot
 * {@code k & (capacity - 1)}. A request is claimed only when the one {@code capacity} before it has ended, so the
 * table never grows: a full slot refuses the request at once (503), and since every request ends within
 * {@code cluster.verdict_timeout}, a slot is never held longer than that.
 *
 * <p>Each slot's state is one long, {@code k << 2 | tag}: {@code DONE(k)} (free for {@code k + capacity}),
 * {@code READY(k)} (waiting; listener, attachment and deadline published before it) and {@code COMPLETING(k)}
 * (one completer won it and is reading its fields). Whoever moves {@code READY(k)} to {@code COMPLETING(k)} by CAS
 * (a verdict, the expiry sweep, a failed send, the publisher taking back a request it could not send, the final
 * sweep at close) is the only one who answers it: every claimed request ends exactly once, and a verdict for a
 * request that already ended (or never existed) finds no {@code READY(k)} and is dropped.
 *
 * <p>Threading: {@link #claim}/{@link #ready} from any number of publishing threads (lock-free: a CAS on the
 * counter); {@link #complete} from any thread; {@link #expire} from one thread only (the verdict router's).
 * Allocates nothing after construction.
 */
final class PendingVerdicts {
    private static final Logger LOG = LoggerFactory.getLogger(PendingVerdicts.class);
    private static final long DONE = 0;
    private static final long READY = 1;
    private static final long COMPLETING = 2;
    private static final long TAG_MASK = 3;
    /** {@link #claim}'s answer when the slot's previous request is still waiting. */
    static final long FULL = -1;

    private final int mask;
    private final long timeoutNanos;
    private final AtomicLongArray state;
    private final VerdictListener[] listeners;
    private final Object[] attachments;
    private final long[] deadlineNanos;
    /** The next correlation counter to claim. */
    private final AtomicLong next = new AtomicLong();
    /** Expiry thread only: the oldest counter the sweep has not seen end. */
    private long sweepCursor;
    /** The one thread that calls {@link #expire}, set by its first call; checked under {@code -ea}. */
    private Thread expiryThread;

    PendingVerdicts(final int capacity, final long timeoutNanos) {
        if (capacity < 1 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("the pending-verdict capacity must be a power of two, was " + capacity);
        }
        this.mask = capacity - 1;
        this.timeoutNanos = timeoutNanos;
        this.state = new AtomicLongArray(capacity);
        this.listeners = new VerdictListener[capacity];
        this.attachments = new Object[capacity];
        this.deadlineNanos = new long[capacity];
        for (int i = 0; i < capacity; i++) {
            state.set(i, tagged(i - capacity, DONE)); // as if request i - capacity had ended
        }
    }

    private static long tagged(final long k, final long tag) {
        return (k << 2) | tag;
    }

    int capacity() {
        return mask + 1;
    }

    /**
     * Claims the next correlation counter, or returns {@link #FULL} when its slot still holds a request waiting for
     * its verdict. The caller must then {@link #ready} it (or {@link #takeBack} it on failure).
     */
    long claim() {
        while (true) {
            final long k = next.get();
            if (state.get((int) k & mask) != tagged(k - capacity(), DONE)) {
                return FULL;
            }
            if (next.compareAndSet(k, k + 1)) { // only the winner of k can move its slot on from DONE(k - capacity)
                return k;
            }
        }
    }

    /**
     * Publishes claimed request {@code k}: from here a verdict, a failure or the expiry sweep may answer it.
     * The volatile store orders the fields before the state for every completer that reads READY(k).
     */
    void ready(final long k, final VerdictListener listener, final Object attachment, final long nowNanos) {
        final int i = (int) k & mask;
        listeners[i] = listener;
        attachments[i] = attachment;
        deadlineNanos[i] = nowNanos + timeoutNanos;
        state.set(i, tagged(k, READY));
    }

    /**
     * Takes back request {@code k} its publisher could not send: true when it was still waiting (now ended, and the
     * listener is not called), false when something else already answered it (its listener was called).
     */
    boolean takeBack(final long k) {
        final int i = (int) k & mask;
        if (!state.compareAndSet(i, tagged(k, READY), tagged(k, COMPLETING))) {
            return false;
        }
        release(i, k);
        return true;
    }

    /**
     * Answers request {@code k} if it is still waiting, and returns whether it was. Any thread; the listener runs on
     * the calling thread, after the slot is free again.
     */
    boolean complete(final long k, final VerdictListener.Result result, final int httpStatus, final byte[] answer) {
        if (k < 0) {
            return false;
        }
        final int i = (int) k & mask;
        if (!state.compareAndSet(i, tagged(k, READY), tagged(k, COMPLETING))) {
            return false;
        }
        final VerdictListener listener = listeners[i];
        final Object attachment = attachments[i];
        release(i, k);
        try {
            listener.onResult(result, httpStatus, answer, attachment);
        } catch (RuntimeException e) { // a listener's bug must not stop the router or the producer's thread
            LOG.error("a verdict listener failed on {}", result, e);
        }
        return true;
    }

    private void release(final int i, final long k) {
        listeners[i] = null; // the exchange is not kept alive by a free slot
        attachments[i] = null;
        state.set(i, tagged(k, DONE));
    }

    /**
     * Expiry thread: answers {@link VerdictListener.Result#NO_VERDICT} to every request whose deadline passed, and
     * returns how many. Deadlines grow with the counter (one timeout for all), so the sweep walks from the oldest
     * request not yet ended and stops at the first still in time (or still being claimed).
     */
    int expire(final long nowNanos) {
        assert isExpiryThread() : "expire() from " + Thread.currentThread().getName() + ", the expiry thread is "
            + expiryThread.getName();
        int expired = 0;
        final long end = next.get();
        while (sweepCursor < end) {
            final long k = sweepCursor;
            final int i = (int) k & mask;
            final long s = state.get(i);
            if (s == tagged(k, READY)) {
                if (deadlineNanos[i] - nowNanos > 0) {
                    break;
                }
                if (complete(k, VerdictListener.Result.NO_VERDICT, 503, null)) {
                    expired++;
                }
                continue; // ended by the sweep or by a verdict in between: the next pass moves on
            }
            if (s != tagged(k, DONE) && s != tagged(k, COMPLETING)) {
                break; // claimed, not ready yet: its deadline is not known
            }
            sweepCursor++;
        }
        return expired;
    }

    private boolean isExpiryThread() {
        if (expiryThread == null) {
            expiryThread = Thread.currentThread();
        }
        return expiryThread == Thread.currentThread();
    }

    /** Answers every request still waiting with {@code NO_VERDICT} (at close, once nothing expires them); returns how many. */
    int completeAll() {
        int n = 0;
        for (int i = 0; i <= mask; i++) {
            final long s = state.get(i);
            if ((s & TAG_MASK) == READY && complete(s >> 2, VerdictListener.Result.NO_VERDICT, 503, null)) {
                n++;
            }
        }
        return n;
    }

    /** Requests claimed and not yet ended (an estimate while publishers run). Any thread. */
    long waiting() {
        long n = 0;
        for (int i = 0; i <= mask; i++) {
            if ((state.get(i) & TAG_MASK) != DONE) {
                n++;
            }
        }
        return n;
    }
}
