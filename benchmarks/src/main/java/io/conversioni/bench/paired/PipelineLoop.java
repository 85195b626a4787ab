package io.conversioni.bench.paired;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashSet;
import java.util.Set;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.function.LongUnaryOperator;
import java.util.concurrent.locks.LockSupport;

import io.conversioni.bench.SeededTraffic;
import io.conversioni.config.EngineConfig;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.Outcome;

/**
 * The whole in-process pipeline for {@link PairedBursts}, as {@code PipelineThroughputBenchmark} runs it
 * (journal on, ASYNC, in a temp folder; the unique {@link SeededTraffic} stream): each burst publishes
 * {@code calls} events from this thread and returns the time until the engine has decided all of them.
 * {@code -Dthreads=N} and {@code -Dwait=blocking|sleeping} pick the wiring (default 1, blocking). The
 * engine of every build stays open, idle between its bursts, until the JVM exits (then it is closed and its
 * folder deleted).
 *
 * <p>{@code -Dcpu=true}: a burst returns the CPU time its events cost instead of the wall time: this thread's (the
 * publisher's) plus that of the threads its engine started (stages, pretouch, heartbeat). On a host shared with
 * other work the wall time swings with how long the threads waited for a core; the CPU time does much less, so a
 * change that saves work shows through it.
 */
public final class PipelineLoop implements LongUnaryOperator {
    private final Engine engine;
    private final byte[][] bodies = SeededTraffic.bodies();
    private long next;
    private long decided;
    private final boolean cpu = Boolean.getBoolean("cpu");
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    /** The threads this loop's engine started, told apart from the other builds' engines by when they appeared. */
    private final long[] engineThreadIds;

    public PipelineLoop() throws Exception {
        final String yaml = "pipeline:\n  wait_strategy: " + System.getProperty("wait", "blocking")
            + "\n  stage_threads: " + Integer.getInteger("threads", 1) + "\n";
        final Path dataDir = Files.createTempDirectory("conversioni-paired");
        final Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        engine = Engine.create(EngineConfig.parse(yaml, SeededTraffic.configDir()), dataDir, () -> SeededTraffic.NOW_MILLIS);
        engine.start();
        engineThreadIds = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> !before.contains(t) && t.getName().startsWith("conversioni-")).mapToLong(Thread::getId).toArray();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            engine.close();
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (final IOException e) {
                System.err.println("could not delete " + dataDir + ": " + e);
            }
        }));
    }

    @Override
    public long applyAsLong(final long calls) {
        final long startCpu = cpu ? cpuNanos() : 0;
        final long start = System.nanoTime();
        for (long i = 0; i < calls; i++) {
            final byte[] body = SeededTraffic.next(bodies, next++);
            while (!engine.tryPublish(body, 0, body.length, null, null)) {
                LockSupport.parkNanos(20_000);
            }
        }
        decided += calls;
        while (finished() < decided) {
            LockSupport.parkNanos(10_000);
        }
        return cpu ? cpuNanos() - startCpu : System.nanoTime() - start;
    }

    /** CPU time so far of this thread and of this engine's threads. */
    private long cpuNanos() {
        long sum = threads.getCurrentThreadCpuTime();
        for (final long id : engineThreadIds) {
            sum += Math.max(0, threads.getThreadCpuTime(id));
        }
        return sum;
    }

    private long finished() {
        long sum = 0;
        for (int o = Outcome.ACCEPTED; o <= Outcome.JOURNAL_FAILED; o++) {
            sum += engine.counters().outcomes(o);
        }
        return sum;
    }

    @Override
    public String toString() {
        return "decided " + decided;
    }
}
