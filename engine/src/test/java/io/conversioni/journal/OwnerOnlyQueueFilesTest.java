package io.conversioni.journal;

import io.conversioni.testkit.Await;
import io.conversioni.testkit.LeakCheck;
import io.conversioni.files.OwnerOnlyFiles;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.conversioni.journal.JournalEntries.body;
import static io.conversioni.journal.JournalEntries.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The files Chronicle creates for the journal and the text queues are 0600 in 0700 folders, across a roll. */
@ExtendWith(LeakCheck.class)
class OwnerOnlyQueueFilesTest {
    private static final long T0_MILLIS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    @TempDir
    Path dir;

    /**
     * Chronicle tells its store listener of a new cycle file on its background releaser thread, so a file's mode
     * is set shortly after it is created (in a 0700 folder meanwhile): wait for that, bounded.
     */
    private static void awaitOwnerOnly(final Path root) {
        Await.poll(java.time.Duration.ofSeconds(10), () -> {
            net.openhft.chronicle.core.io.BackgroundResourceReleaser.releasePendingResources();
            try {
                return wideModes(root).isEmpty();
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static List<String> wideModes(final Path root) throws Exception {
        final List<String> wide = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                final String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                if (!mode.equals(Files.isDirectory(p) ? "rwx------" : "rw-------")) {
                    wide.add(root.relativize(p) + " " + mode);
                }
            }
        }
        return wide;
    }

    @Test
    void shouldKeepEveryJournalFileOwnerOnlyAcrossARollCycle() throws Exception {
        assumeTrue(OwnerOnlyFiles.isPosix(dir), "needs a POSIX file system");
        final Path data = dir.resolve("data");
        final SetTimeProvider clock = new SetTimeProvider(TimeUnit.MILLISECONDS.toNanos(T0_MILLIS));
        final byte[] event = utf8(body(1));
        try (SingleWriterJournal journal = SingleWriterJournal.open(JournalConfig.of(data, "FIVE_MINUTELY", 10, "async"),
            clock)) {
            assertEquals(JournalStatus.OK, journal.appendEvent(1, T0_MILLIS, 1, 202, event, 0, event.length));
            assertEquals(JournalStatus.OK, journal.appendQuarantine(2, T0_MILLIS, 2, 400, event, 0, event.length,
                utf8("[]"), 0, 2));
            clock.advanceMillis(TimeUnit.MINUTES.toMillis(5));
            assertEquals(JournalStatus.OK, journal.appendEvent(3, T0_MILLIS + 300_000, 3, 202, event, 0, event.length));
        }
        try (Stream<Path> cycles = Files.list(data.resolve("events"))) {
            assertTrue(cycles.filter(p -> p.toString().endsWith(".cq4")).count() >= 2, "rolled to a second cycle");
        }
        awaitOwnerOnly(data);
        assertEquals(List.of(), wideModes(data));
    }

    @Test
    void shouldKeepATextQueueOwnerOnly() throws Exception {
        assumeTrue(OwnerOnlyFiles.isPosix(dir), "needs a POSIX file system");
        final Path alerts = dir.resolve("data").resolve("alerts");
        try (TextRecordQueue queue = TextRecordQueue.open(alerts)) {
            queue.append("{\"regola\":\"duplicati\"}");
        }
        try (Stream<Path> files = Files.list(alerts)) {
            assertTrue(files.anyMatch(p -> p.toString().endsWith(".cq4")), "a cycle file was written");
        }
        awaitOwnerOnly(dir.resolve("data"));
        assertEquals(List.of(), wideModes(dir.resolve("data")));
        final List<String> read = new ArrayList<>();
        try (TextRecordQueue queue = TextRecordQueue.openReadOnly(alerts)) {
            queue.forEach(read::add);
        }
        assertEquals(List.of("{\"regola\":\"duplicati\"}"), read);
        assertEquals(List.of(), wideModes(dir.resolve("data")), "a read-only reader widens nothing");
    }
}
