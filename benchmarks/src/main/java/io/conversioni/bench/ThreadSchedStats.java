package io.conversioni.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a benchmark's threads spent an interval, from Linux's per-thread scheduler statistics
 * ({@code /proc/self/task/TID/schedstat}: nanoseconds on a CPU, nanoseconds runnable but waiting for one, and the
 * rest of the interval, off the run queue: waiting on a monitor or a futex, parked, or blocked in the kernel, a
 * page fault of the journal's mapping for one). Threads are named by their kernel name (the first 15 characters of
 * the Java name) and summed when two share it. This is what separates, in the pipeline benchmark, the stage
 * thread's own work from the time it had work and no core (a host shared with other builds) and the time it slept.
 * Benchmark control thread, at iteration edges; allocates freely. Off Linux it reads nothing and says so.
 */
final class ThreadSchedStats {
    private static final Path TASKS = Path.of("/proc/self/task");

    /** Per kernel thread name: {on-CPU ns, run-queue wait ns}. */
    private final Map<String, long[]> byName;
    private final long wallNanos;

    private ThreadSchedStats(final Map<String, long[]> byName, final long wallNanos) {
        this.byName = byName;
        this.wallNanos = wallNanos;
    }

    /** The counters of every thread whose kernel name starts with one of {@code prefixes}, now. */
    static ThreadSchedStats sample(final String... prefixes) {
        final Map<String, long[]> byName = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                try {
                    final String name = Files.readString(task.resolve("comm")).trim();
                    if (!startsWithAny(name, prefixes)) {
                        continue;
                    }
                    final String[] fields = Files.readString(task.resolve("schedstat")).trim().split(" ");
                    final long[] sum = byName.computeIfAbsent(name, n -> new long[2]);
                    sum[0] += Long.parseLong(fields[0]);
                    sum[1] += Long.parseLong(fields[1]);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between the listing and the read: it has nothing more to say
                }
            }
        } catch (IOException e) {
            return new ThreadSchedStats(Map.of(), System.nanoTime());
        }
        return new ThreadSchedStats(byName, System.nanoTime());
    }

    private static boolean startsWithAny(final String name, final String[] prefixes) {
        for (String p : prefixes) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * One line per thread seen at both ends: ns per event on a CPU, waiting for a CPU, and off the run queue, of
     * {@code events} decided between {@code start} and this sample; then the interval's wall ns per event.
     */
    String perEventSince(final ThreadSchedStats start, final long events) {
        if (byName.isEmpty() || events <= 0) {
            return "scheduler statistics: none (not Linux, or no events)";
        }
        final double wall = (wallNanos - start.wallNanos) / (double) events;
        final StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
            "scheduler statistics, ns per event (wall %.0f): thread on-cpu / waiting for a cpu / off the run queue", wall));
        for (Map.Entry<String, long[]> e : byName.entrySet()) {
            final long[] before = start.byName.get(e.getKey());
            if (before == null) {
                continue;
            }
            final double cpu = (e.getValue()[0] - before[0]) / (double) events;
            final double queued = (e.getValue()[1] - before[1]) / (double) events;
            sb.append(String.format(Locale.ROOT, "%n  %-16s %8.0f / %8.0f / %8.0f", e.getKey(), cpu, queued,
                Math.max(0, wall - cpu - queued)));
        }
        return sb.toString();
    }
}
