package io.conversioni.ingress;

import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.OutcomeListener;
import io.undertow.server.HttpServerExchange;
import org.xnio.XnioIoThread;

import java.util.concurrent.RejectedExecutionException;

/**
 * Publishes events from Undertow's IO threads with one stage wake-up per turn of the IO thread's loop instead of
 * one per event. The first event an IO thread publishes in a turn schedules a task on that same thread; XNIO runs
 * it at the start of the next turn, before it waits for the network again, so every event of the turn is
 * published when it wakes the stages. An event thus waits at most for the rest of its turn (the other ready
 * connections' handlers, microseconds each) before a sleeping stage thread hears of it; a stage thread that is
 * still busy sees it at once. Off an IO thread, or when the IO thread no longer takes tasks, the publish wakes the
 * stages itself. Thread-safe: each IO thread has its own task, at its thread number, touched only by that thread.
 */
final class StageWakes {
    private final Engine engine;
    /** At each IO thread's number (XNIO numbers a worker's threads from 0); slot i written by thread i only. */
    private final Owed[] owed;
    /** False where a quiet publish would wake nobody later (inline wiring, spinning strategies): no task then. */
    private final boolean defers;

    StageWakes(final Engine engine, final int ioThreads) {
        this.engine = engine;
        this.owed = new Owed[ioThreads];
        this.defers = engine.defersWakes();
    }

    /** {@link Engine#tryPublish}, from the exchange's thread; false when the ring is full or the engine stopping. */
    boolean tryPublish(final HttpServerExchange exchange, final byte[] body, final int offset, final int length,
                       final OutcomeListener listener, final Object attachment) {
        final Owed wake = defers && exchange.isInIoThread() ? owedBy(exchange.getIoThread()) : null;
        if (wake == null) {
            return engine.tryPublish(body, offset, length, listener, attachment);
        }
        if (!engine.tryPublishQuietly(body, offset, length, listener, attachment)) {
            return false;
        }
        wake.schedule();
        return true;
    }

    /**
     * {@link Engine#tryPublishRun}, from the exchange's thread: one claim and one publish for the run, and on an IO
     * thread no wake of its own (the turn's one wake-up covers it). How many of the run went in, from the first.
     */
    int tryPublishRun(final HttpServerExchange exchange, final byte[] body, final int[] starts, final int[] lengths,
                      final int from, final int count, final OutcomeListener listener, final Object[] attachments) {
        final Owed wake = defers && exchange.isInIoThread() ? owedBy(exchange.getIoThread()) : null;
        final int published = engine.tryPublishRun(body, starts, lengths, from, count, listener, attachments, wake != null);
        if (wake != null && published > 0) {
            wake.schedule();
        }
        return published;
    }

    /** The current IO thread's owed wake-up, or null for a thread outside the numbering. */
    private Owed owedBy(final XnioIoThread thread) {
        final int n = thread.getNumber();
        if (n < 0 || n >= owed.length) {
            return null;
        }
        Owed o = owed[n];
        if (o == null || o.thread != thread) {
            o = new Owed(engine, thread);
            owed[n] = o;
        }
        return o;
    }

    /** One IO thread's owed wake-up. */
    private static final class Owed implements Runnable {
        private final Engine engine;
        private final XnioIoThread thread;
        private boolean scheduled;

        Owed(final Engine engine, final XnioIoThread thread) {
            this.engine = engine;
            this.thread = thread;
        }

        void schedule() {
            if (scheduled) {
                return;
            }
            scheduled = true;
            try {
                thread.execute(this);
            } catch (RejectedExecutionException stopping) {
                run();
            }
        }

        @Override
        public void run() {
            scheduled = false;
            engine.wakeStages();
        }
    }
}
