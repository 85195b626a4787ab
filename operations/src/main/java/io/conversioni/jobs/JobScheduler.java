package io.conversioni.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Runs the engine's periodic jobs (reconciliation, the daily report) on one daemon thread, one job at a
 * time, each with a fixed delay between the end of a run and the next; {@link #runNow} queues an extra run.
 * A run that fails is recorded (esito {@code errore}, the message kept) and the schedule goes on. The
 * engine's own maintenance (snapshots, retention) runs elsewhere and is {@linkplain #external listed} here
 * so that one view shows everything.
 *
 * <p>Threading: register jobs before {@link #start}; {@link #statuses} and {@link #runNow} from any thread
 * (HTTP worker threads); never blocks a caller. {@link #close} stops the thread and waits for a running job
 * (bounded), so nothing leaks. Allocates per run and per status read.
 */
public final class JobScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobScheduler.class);

    /** The work of one job; returns what it did, in a few words. */
    @FunctionalInterface
    public interface Task {
        String run(long nowMillis) throws Exception;
    }

    private final ScheduledExecutorService executor;
    private final LongSupplier clock;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private volatile boolean started;
    /** The executor's one thread, joined at close so that none outlives the scheduler. */
    private volatile Thread thread;

    public JobScheduler(final LongSupplier clock) {
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "conversioni-jobs");
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    /** A job run every {@code intervalMillis}, first after {@code initialDelayMillis}. Before {@link #start}. */
    public synchronized void schedule(final String name, final long intervalMillis, final long initialDelayMillis,
                                      final Task task) {
        if (started || jobs.containsKey(name)) {
            throw new IllegalStateException(started ? "scheduler already started" : "job " + name + " registered twice");
        }
        jobs.put(name, new Scheduled(name, intervalMillis, initialDelayMillis, task));
    }

    /** A job that runs elsewhere (the engine's snapshots): its status and how to start it now. */
    public synchronized void external(final String name, final Supplier<JobStatus> status, final BooleanSupplier trigger) {
        if (started || jobs.containsKey(name)) {
            throw new IllegalStateException(started ? "scheduler already started" : "job " + name + " registered twice");
        }
        jobs.put(name, new External(status, trigger));
    }

    public synchronized void start() {
        started = true;
        final long now = clock.getAsLong();
        for (Job job : jobs.values()) {
            if (job instanceof Scheduled s) {
                s.nextRunMillis = now + s.initialDelayMillis;
                executor.scheduleWithFixedDelay(() -> s.runOnce(true), s.initialDelayMillis, s.intervalMillis,
                    TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Every job, in registration order. */
    public List<JobStatus> statuses() {
        final List<JobStatus> out = new ArrayList<>();
        synchronized (this) {
            jobs.values().forEach(j -> out.add(j.status()));
        }
        return out;
    }

    public synchronized boolean has(final String name) {
        return jobs.containsKey(name);
    }

    /**
     * Starts job {@code name} now (queued behind a running one). Returns false when there is no such job or it
     * could not be started (the scheduler is closed, the engine is not running).
     */
    public boolean runNow(final String name) {
        final Job job;
        synchronized (this) {
            job = jobs.get(name);
        }
        if (job == null) {
            return false;
        }
        if (job instanceof External e) {
            return e.trigger.getAsBoolean();
        }
        try {
            executor.execute(() -> ((Scheduled) job).runOnce(false));
            return true;
        } catch (RejectedExecutionException closed) {
            return false;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("a job was still running 30 s after close; its thread is a daemon and ends with the process");
            } else if (thread != null) {
                thread.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private interface Job {
        JobStatus status();
    }

    private record External(Supplier<JobStatus> source, BooleanSupplier trigger) implements Job {
        @Override
        public JobStatus status() {
            return source.get();
        }
    }

    private final class Scheduled implements Job {
        final String name;
        final long intervalMillis;
        final long initialDelayMillis;
        final Task task;
        volatile long lastRunMillis = -1;
        volatile long nextRunMillis = -1;
        volatile String esito = "mai_eseguito";
        volatile String lastError;

        Scheduled(final String name, final long intervalMillis, final long initialDelayMillis, final Task task) {
            this.name = name;
            this.intervalMillis = intervalMillis;
            this.initialDelayMillis = initialDelayMillis;
            this.task = task;
        }

        /** The job thread only. */
        void runOnce(final boolean scheduled) {
            final long start = clock.getAsLong();
            lastRunMillis = start;
            esito = "in_corso";
            try {
                esito = "ok: " + task.run(start);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                esito = "interrotto";
            } catch (Exception | LinkageError | AssertionError e) {
                esito = "errore";
                lastError = e.getMessage() == null ? e.toString() : e.getMessage();
                LOG.error("job {} failed: {}", name, lastError, e instanceof RuntimeException ? e : null);
            }
            if (scheduled) {
                nextRunMillis = clock.getAsLong() + intervalMillis;
            }
        }

        @Override
        public JobStatus status() {
            return new JobStatus(name, intervalMillis, lastRunMillis, nextRunMillis, esito, lastError);
        }
    }
}
