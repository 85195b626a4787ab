package io.conversioni.ingress;

import io.undertow.server.HttpServerExchange;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioIoThread;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Hands single events' answers from the respond thread to their exchanges' IO threads in runs. Each IO thread has a
 * lane: a queue of answers and one task, scheduled on that thread only when it is not already. Under load one XNIO
 * task, and at most one selector wake-up, carries many answers; and the respond thread allocates nothing to hand
 * them over (XNIO's {@code execute} allocates an empty array for a trace message whenever its thread is not in
 * select: one call per answer was ~8 bytes an event). A full lane (1024 answers waiting) hands the answer on alone.
 *
 * <p>Producers: the respond thread, or in the inline wiring the IO threads that drain the ring; each lane's consumer
 * is its IO thread. Answers to one IO thread run in the order they were handed over.
 */
final class AnswerHandoff {
    private static final Logger LOG = LoggerFactory.getLogger(AnswerHandoff.class);
    private static final int LANE_CAPACITY = 1024;

    /** At each IO thread's number (XNIO numbers a worker's threads from 0), made on first use. */
    private final AtomicReferenceArray<Lane> lanes;

    AnswerHandoff(final int ioThreads) {
        this.lanes = new AtomicReferenceArray<>(ioThreads);
    }

    /** Runs {@code answer} on {@code exchange}'s IO thread, after the answers handed to that thread before it. */
    void send(final HttpServerExchange exchange, final Runnable answer) {
        final XnioIoThread thread = exchange.getIoThread();
        final Lane lane = laneOf(thread);
        if (lane == null || !lane.offer(answer)) {
            thread.execute(answer);
        }
    }

    private Lane laneOf(final XnioIoThread thread) {
        final int n = thread.getNumber();
        if (n < 0 || n >= lanes.length()) {
            return null;
        }
        final Lane lane = lanes.get(n);
        if (lane != null && lane.thread == thread) {
            return lane;
        }
        final Lane made = new Lane(thread);
        return lanes.compareAndSet(n, lane, made) ? made : laneOf(thread);
    }

    /** One IO thread's answers waiting, and the task that runs them there. */
    private static final class Lane implements Runnable {
        private final XnioIoThread thread;
        private final ManyToOneConcurrentArrayQueue<Runnable> waiting =
            new ManyToOneConcurrentArrayQueue<>(LANE_CAPACITY);
        private final AtomicBoolean scheduled = new AtomicBoolean();

        Lane(final XnioIoThread thread) {
            this.thread = thread;
        }

        /** False when the lane is full (the caller hands the answer on alone). */
        boolean offer(final Runnable answer) {
            if (!waiting.offer(answer)) {
                return false;
            }
            // after the offer: a task that cleared the flag before it polls finds the answer, or this schedules one
            if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
                try {
                    thread.execute(this);
                } catch (RuntimeException e) { // the IO thread is stopping: so are its connections
                    scheduled.set(false);
                    throw e;
                }
            }
            return true;
        }

        /** On the IO thread. */
        @Override
        public void run() {
            scheduled.set(false);
            Runnable answer;
            while ((answer = waiting.poll()) != null) {
                try {
                    answer.run();
                } catch (RuntimeException e) {
                    LOG.error("sending an answer failed", e);
                }
            }
        }
    }
}
