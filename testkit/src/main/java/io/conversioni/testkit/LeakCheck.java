package io.conversioni.testkit;

import net.openhft.chronicle.core.io.AbstractCloseable;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A JUnit extension ({@code @ExtendWith(LeakCheck.class)}) that fails a test that leaves a journal behind: a Chronicle closeable not closed, a queue file still open or
 * mapped ({@code /proc/self/fd}, {@code /proc/self/maps}), or a thread it started still alive. Chronicle's
 * one background releaser thread and JUnit's timeout watcher live as long as the JVM and are allowed, and so
 * do the JDK's own shared daemons (a test client's {@code HttpClient} threads, the process reaper).
 * Runs on JUnit's test thread; allocation does not matter.
 */
public final class LeakCheck implements BeforeEachCallback, AfterEachCallback {
    private static final long WAIT_MS = 2_000;
    private static final String QUEUE_FILE = ".cq4";
    /** JUnit's own daemon for {@code @Timeout}, started by the first such test and kept for the run. */
    private static final String JUNIT_TIMEOUT_WATCHER = "junit-jupiter-timeout-watcher";

    private final Set<Long> threadsBefore = new HashSet<>();

    @Override
    public void beforeEach(final ExtensionContext context) {
        AbstractCloseable.enableCloseableTracing();
        threadsBefore.clear();
        for (final Thread thread : Thread.getAllStackTraces().keySet()) {
            threadsBefore.add(thread.getId());
        }
    }

    @Override
    public void afterEach(final ExtensionContext context) throws Exception {
        BackgroundResourceReleaser.releasePendingResources();
        AbstractCloseable.waitForCloseablesToClose(WAIT_MS);
        try {
            AbstractCloseable.assertCloseablesClosed();
        } finally {
            AbstractCloseable.disableCloseableTracing();
        }
        final List<String> leaks = new ArrayList<>();
        // a closed journal's threads and mappings go away shortly after close(): wait for that, not longer
        final boolean clean = Await.poll(Duration.ofMillis(WAIT_MS), () -> {
            BackgroundResourceReleaser.releasePendingResources();
            leaks.clear();
            leaks.addAll(leaks());
            return leaks.isEmpty();
        });
        if (!clean) {
            throw new AssertionError("leaked by " + context.getDisplayName() + ": " + leaks);
        }
    }

    /**
     * The JDK's own daemons that outlive their user by design: a test's {@code java.net.http.HttpClient} (Java 17
     * has no close; its selector and workers end when the client is collected), HttpURLConnection's keep-alive
     * timer, the process reaper of
     * {@code ProcessBuilder}, the common pool. A server thread never has these names.
     */
    private static boolean jdkShared(final String name) {
        return name.startsWith("HttpClient-") || name.equals("process reaper") || name.startsWith("ForkJoinPool.commonPool-")
            || name.equals("Keep-Alive-Timer"); // HttpURLConnection's keep-alive cache (the JWKS fetch)
    }

    private List<String> leaks() {
        final List<String> leaks = new ArrayList<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && !threadsBefore.contains(thread.getId())
                && !thread.getName().contains(BackgroundResourceReleaser.BACKGROUND_RESOURCE_RELEASER)
                && !thread.getName().equals(JUNIT_TIMEOUT_WATCHER) && !jdkShared(thread.getName())) {
                leaks.add("thread " + thread.getName());
            }
        }
        try (Stream<Path> fds = Files.list(Paths.get("/proc/self/fd"))) {
            fds.forEach(fd -> {
                try {
                    final String target = Files.readSymbolicLink(fd).toString();
                    if (target.contains(QUEUE_FILE)) {
                        leaks.add("open file " + target);
                    }
                } catch (final IOException gone) {
                    // The descriptor closed while we listed: not a leak.
                }
            });
            for (final String mapping : Files.readAllLines(Paths.get("/proc/self/maps"))) {
                if (mapping.contains(QUEUE_FILE)) {
                    leaks.add("mapping " + mapping.substring(mapping.lastIndexOf(' ') + 1));
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read /proc/self", e);
        }
        return leaks;
    }
}
