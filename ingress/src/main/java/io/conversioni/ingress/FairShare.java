package io.conversioni.ingress;

import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.EventView;
import io.conversioni.pipeline.OutcomeListener;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Shares the last quarter of the ring fairly between callers (token subjects, see
 * {@link IngestHandler#callerKey}). While the ring is less than three quarters full every event goes in as it
 * comes. Past that mark each caller may have at most an equal part of the remaining slots in flight, counting
 * one part more than the callers now holding some, so that a caller that has none still finds room: one sender's
 * flood of batches is then refused ({@code ring_full}) while the others' events still go in, whatever the
 * rate limit says (with the default {@code rate_limit: 0} there is none).
 *
 * <p>An event admitted past the mark is published with its caller's {@link Caller} as the outcome listener,
 * which counts it until its answer is written (on the respond thread) and hands the outcome on.
 *
 * <p>Threading: {@link #admit}, {@link #admitRun} and {@link #refund} from any IO thread; the counts are atomics.
 * Below the mark admitting reads the ring's occupancy only and allocates nothing ({@link #admitRun}: one small
 * {@link Admitted} a run, per batch request); past it, one {@link Caller} per distinct
 * caller is created once and kept while the process runs (callers are token subjects, which only the token
 * issuer can mint).
 */
final class FairShare {
    private final Engine engine;
    private final OutcomeListener outcomes;
    /** Occupancy from which callers are held to their share. */
    private final long mark;
    /** The slots above the mark, shared out. */
    private final long shared;
    private final ConcurrentHashMap<String, Caller> callers = new ConcurrentHashMap<>();
    /** Callers with at least one counted event in flight. */
    private final AtomicInteger holding = new AtomicInteger();

    FairShare(final Engine engine, final OutcomeListener outcomes) {
        this.engine = engine;
        this.outcomes = outcomes;
        final int size = engine.ringSize();
        this.mark = size - size / 4;
        this.shared = size - mark;
    }

    /**
     * The listener to publish {@code caller}'s next event with, or null when the caller already holds its share
     * of a nearly full ring (answer 503 {@code ring_full}). When the publish then fails, {@link #refund} it.
     */
    OutcomeListener admit(final String caller) {
        if (engine.ringOccupancy() < mark) {
            return outcomes;
        }
        Caller c = callers.get(caller);
        if (c == null) {
            c = callers.computeIfAbsent(caller, k -> new Caller(outcomes, holding));
        }
        final int others = holding.get() - (c.inFlight.get() > 0 ? 1 : 0);
        final long share = Math.max(1, shared / (others + 2));
        return c.tryTake(share) ? c : null;
    }

    /**
     * {@link #admit} for up to {@code wanted} of {@code caller}'s events at once (a batch's run): how many of them may go
     * in now and the listener to publish them with, or null when none may. Those that would still find the ring below
     * the mark go in as they come; once it is past the mark, as many as the caller's share has room for: the same
     * events {@link #admit} would take one by one. Call it again for the rest after publishing these; {@link
     * #refund(OutcomeListener, int)} those that were not published after all.
     */
    Admitted admitRun(final String caller, final int wanted) {
        final long occupancy = engine.ringOccupancy();
        if (occupancy < mark) {
            return new Admitted(outcomes, (int) Math.min(wanted, mark - occupancy));
        }
        Caller c = callers.get(caller);
        if (c == null) {
            c = callers.computeIfAbsent(caller, k -> new Caller(outcomes, holding));
        }
        final int others = holding.get() - (c.inFlight.get() > 0 ? 1 : 0);
        final long share = Math.max(1, shared / (others + 2));
        final int taken = c.tryTake(share, wanted);
        return taken == 0 ? null : new Admitted(c, taken);
    }

    /** A run of events {@link #admitRun} let in: how many, and the listener to publish them with. */
    record Admitted(OutcomeListener listener, int count) {
    }

    /** Gives back what {@link #admitRun} counted for {@code events} of its run that were not published after all. */
    static void refund(final OutcomeListener admitted, final int events) {
        for (int i = 0; i < events; i++) {
            refund(admitted);
        }
    }

    /** Gives back what {@link #admit} counted for an event that was not published after all. */
    static void refund(final OutcomeListener admitted) {
        if (admitted instanceof Caller) {
            ((Caller) admitted).release();
        }
    }

    /** One caller's events in flight past the mark; the outcome listener of those events. */
    private static final class Caller implements OutcomeListener {
        private final OutcomeListener next;
        private final AtomicInteger holding;
        final AtomicInteger inFlight = new AtomicInteger();

        Caller(final OutcomeListener next, final AtomicInteger holding) {
            this.next = next;
            this.holding = holding;
        }

        boolean tryTake(final long share) {
            int n;
            do {
                n = inFlight.get();
                if (n >= share) {
                    return false;
                }
            } while (!inFlight.compareAndSet(n, n + 1));
            if (n == 0) {
                holding.incrementAndGet();
            }
            return true;
        }

        /** Takes up to {@code wanted} of the share at once; how many it took (0: the caller holds its share). */
        int tryTake(final long share, final int wanted) {
            int n;
            int taken;
            do {
                n = inFlight.get();
                if (n >= share) {
                    return 0;
                }
                taken = (int) Math.min(wanted, share - n);
            } while (!inFlight.compareAndSet(n, n + taken));
            if (n == 0) {
                holding.incrementAndGet();
            }
            return taken;
        }

        void release() {
            if (inFlight.decrementAndGet() == 0) {
                holding.decrementAndGet();
            }
        }

        @Override
        public void onOutcome(final EventView event, final Object attachment) {
            release(); // the slot is about to be freed: the answer is the last thing the ring does with it
            next.onOutcome(event, attachment);
        }
    }
}
