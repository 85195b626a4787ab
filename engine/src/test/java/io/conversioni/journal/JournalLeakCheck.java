package io.conversioni.journal;

import net.openhft.chronicle.core.io.AbstractCloseable;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Fails a test that leaves a journal behind: a Chronicle closeable not closed, a queue file still open or
 * mapped ({@code /proc/self/fd}, {@code /proc/self/maps}), or a thread it started still alive. Chronicle's
 * one background releaser thread and JUnit's timeout watcher live as long as the JVM and are allowed.
 */
final class JournalLeakCheck implements BeforeEachCallback, AfterEachCallback {
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
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        List<String> leaks = leaks();
        while (!leaks.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
            BackgroundResourceReleaser.releasePendingResources();
            leaks = leaks();
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("leaked by " + context.getDisplayName() + ": " + leaks);
        }
    }

    private List<String> leaks() throws IOException {
        final List<String> leaks = new ArrayList<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && !threadsBefore.contains(thread.getId())
                && !thread.getName().contains(BackgroundResourceReleaser.BACKGROUND_RESOURCE_RELEASER)
                && !thread.getName().equals(JUNIT_TIMEOUT_WATCHER)) {
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
        }
        for (final String mapping : Files.readAllLines(Paths.get("/proc/self/maps"))) {
            if (mapping.contains(QUEUE_FILE)) {
                leaks.add("mapping " + mapping.substring(mapping.lastIndexOf(' ') + 1));
            }
        }
        return leaks;
    }
}
