package io.conversioni.bench;

import io.conversioni.config.EngineConfig;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.Outcome;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The whole in-process pipeline, journal on (ASYNC, a real Chronicle queue in a temp folder):
 * one publisher thread → ring → decode + validate → journal → dedupe + window → respond. Each
 * operation publishes one event (when the ring is full, parking until an eighth of it is free, so the score is the
 * sustained rate the stages drain and the publisher does not steal their cores). The traffic is {@link SeededTraffic}
 * (4096 valid bodies, each pass with new id_cliente letters, the clock fixed so that all are inside the windows' horizon), shared with
 * the peers in {@code io.conversioni.bench.peers}. Insight latency percentiles (receive → window updated) are printed at
 * the end of each trial from the engine's own HdrHistogram. Every event is distinct ({@link SeededTraffic#next}):
 * after the first 131072 the dedupe table (default capacity) is full of live keys and each insert evicts one
 * (counted, printed at the end), the cost a unique stream at this rate pays with the default capacity.
 *
 * <p>Allocation: {@code -prof gc} divides everything the JVM allocated (JMH, Chronicle mapping its next chunk,
 * heartbeats, the publisher) by the operations, so on a slow or busy machine its B/op grows with no engine change.
 * The precise check is here: the bytes the engine's stage threads ({@code conversioni-*}) allocated during the last
 * measurement iteration, divided by the events they finished in it (HotSpot's per-thread allocation counter). Above
 * {@value #STAGE_ALLOCATION_LIMIT_BYTES} B/event the trial fails (so {@code benchmarks/run.sh} fails).
 *
 * <p>At the end of each trial it also prints, per engine thread and for the publisher, where the last iteration's
 * wall time per event went ({@link ThreadSchedStats}: on a CPU, runnable without one, off the run queue), which
 * tells the stages' own cost from a shared host's and from sleeping (docs/performance.md, "Pipeline efficiency").
 *
 * <p>Experiments: {@code -Dbench.extra=LINES} appends configuration lines to the engine's, {@code |} for a newline and
 * {@code ~} for a space (JMH splits {@code -jvmArgsAppend} at spaces), e.g. {@code -jvmArgsAppend
 * -Dbench.extra=journal:|~~pretouch:~0}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class PipelineThroughputBenchmark {
    private static final long NOW = SeededTraffic.NOW_MILLIS;
    /** How long the publisher sleeps at a time while the ring has no room (see {@link #waitForRoom}). */
    private static final long FULL_PARK_NANOS = 500_000;
    /** Bytes per event the stage threads may allocate (an object per event is at least 16 B). */
    static final double STAGE_ALLOCATION_LIMIT_BYTES = 4.0;
    /** Kernel thread names (15 characters) of the engine's threads and of JMH's worker, the publisher. */
    private static final String[] SCHED_THREADS = {"conversioni-", "io.conversioni."};

    @Param({"blocking", "sleeping"})
    public String waitStrategy;

    @Param({"1", "2", "4"})
    public int stageThreads;

    /** {@code pipeline.ring_size}; the shipped 16384 by default (a smaller ring keeps its slots in the cache). */
    @Param({"16384"})
    public int ringSize;

    private Path dataDir;
    private Engine engine;
    private byte[][] bodies;
    private long next;
    private long iterationStartBytes;
    private long iterationStartEvents;
    private double stageBytesPerEvent = Double.NaN;
    private ThreadSchedStats iterationStartSched;
    private String schedPerEvent = "";

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dataDir = Files.createTempDirectory("conversioni-bench");
        final Path configDir = SeededTraffic.configDir();
        engine = Engine.create(EngineConfig.parse("pipeline:\n  wait_strategy: " + waitStrategy
            + "\n  stage_threads: " + stageThreads + "\n  ring_size: " + ringSize + "\n"
            + System.getProperty("bench.extra", "").replace("|", "\n").replace("~", " "), configDir),
            dataDir, () -> NOW);
        engine.start();
        bodies = SeededTraffic.bodies();
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        iterationStartBytes = stageThreadAllocatedBytes();
        iterationStartEvents = finishedEvents();
        iterationStartSched = ThreadSchedStats.sample(SCHED_THREADS);
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
        final long events = finishedEvents() - iterationStartEvents;
        stageBytesPerEvent = events == 0 ? Double.NaN : (stageThreadAllocatedBytes() - iterationStartBytes) / (double) events;
        schedPerEvent = ThreadSchedStats.sample(SCHED_THREADS).perEventSince(iterationStartSched, events);
    }

    private long finishedEvents() {
        long sum = 0;
        for (int o = Outcome.ACCEPTED; o <= Outcome.JOURNAL_FAILED; o++) {
            sum += engine.counters().outcomes(o);
        }
        return sum;
    }

    /** Bytes allocated so far by the engine's stage threads (HotSpot's per-thread counter). */
    private static long stageThreadAllocatedBytes() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long bytes = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            final String name = t.getName();
            if (name.startsWith("conversioni-") && !name.equals("conversioni-heartbeat") && !name.equals("conversioni-snapshot")) {
                bytes += Math.max(0, threads.getThreadAllocatedBytes(t.getId()));
            }
        }
        return bytes;
    }

    @Benchmark
    public void publishOneEvent() {
        final byte[] body = SeededTraffic.next(bodies, next++);
        while (!engine.tryPublish(body, 0, body.length, null, null)) {
            waitForRoom();
        }
    }

    /**
     * The ring is full: give the cores to the stages until an eighth of it is free again, as a sender told 503 waits
     * before it retries. Looking again every 20 µs instead cost this thread 350 ns of CPU an event in wake-ups on the
     * two cores the stages need (docs/performance.md); an eighth of the ring is milliseconds of work, so they never
     * run dry meanwhile.
     */
    private void waitForRoom() {
        final long room = engine.ringSize() / 8;
        do {
            LockSupport.parkNanos(FULL_PARK_NANOS);
        } while (engine.ringSize() - engine.ringOccupancy() < room);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        final Histogram latency = engine.windows().newInsightLatencyHistogram();
        engine.close();
        engine.windows().copyInsightLatencyInto(latency);
        System.out.printf("%n[%s] events accepted %d, duplicates %d, rejected %d, dedupe evictions %d; insight latency p50 %.1f us, "
                + "p99 %.1f us, p99.9 %.1f us, max %.1f us%n", waitStrategy + "/" + stageThreads,
            engine.counters().outcomes(Outcome.ACCEPTED), engine.counters().outcomes(Outcome.DUPLICATE),
            engine.counters().outcomes(Outcome.REJECTED), engine.dedupeEvictions(), latency.getValueAtPercentile(50) / 1e3,
            latency.getValueAtPercentile(99) / 1e3, latency.getValueAtPercentile(99.9) / 1e3, latency.getMaxValue() / 1e3);
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        System.out.printf("[%s] stage threads allocated %.3f B/event in the last iteration%n",
            waitStrategy + "/" + stageThreads, stageBytesPerEvent);
        System.out.printf("[%s] last iteration's %s (io.conversioni.: the publisher)%n", waitStrategy + "/" + stageThreads,
            schedPerEvent);
        if (stageBytesPerEvent > STAGE_ALLOCATION_LIMIT_BYTES) {
            throw new IllegalStateException(String.format(java.util.Locale.ROOT, "ALLOCATION: the engine's stage threads "
                + "allocate %.3f B per event (limit %.1f); engine stages must allocate nothing per event", stageBytesPerEvent,
                STAGE_ALLOCATION_LIMIT_BYTES));
        }
    }
}
