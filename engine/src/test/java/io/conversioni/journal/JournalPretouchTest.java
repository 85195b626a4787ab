package io.conversioni.journal;

import io.conversioni.testkit.Await;
import io.conversioni.testkit.LeakCheck;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pretouch thread: pages ahead of the writer reach the page cache, off with 0, and it is gone (thread,
 * channel, mappings: {@link io.conversioni.testkit.LeakCheck}) once the journal is closed. What it must never do, change
 * a byte the writer wrote, every other journal test checks with it on (the default).
 */
@ExtendWith(LeakCheck.class)
class JournalPretouchTest {
    private static final long T0_MILLIS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final long AHEAD = 16L << 20;
    private static final String THREAD = "conversioni-journal-pretouch";

    @TempDir
    Path dir;

    @Test
    void shouldBringThePagesAheadOfTheWriterIntoThePageCache() throws Exception {
        final byte[] body = "{\"id_cliente\":\"CLIENTE-1\",\"valore\":2.50}".getBytes(StandardCharsets.UTF_8);
        try (SingleWriterJournal journal = SingleWriterJournal.open(
            JournalConfig.defaults(dir).withPretouchBytes(AHEAD))) {
            for (int i = 0; i < 100; i++) {
                assertEquals(JournalStatus.OK, journal.appendEvent(i, T0_MILLIS + i, 0, 202, body, 0, body.length));
            }
            awaitTouched(journal, AHEAD - 4096);

            // 8 to 12 MiB past the writer: further than any read-around of its own faults reaches
            final Path cycleFile = JournalEntries.onlyCycleFile(dir.resolve("events"));
            assertTrue(loaded(cycleFile, 8L << 20, 4L << 20), "pages 8-12 MiB into " + cycleFile + " are cached");
        }
        try (Stream<Thread> threads = Thread.getAllStackTraces().keySet().stream()) {
            assertFalse(threads.anyMatch(t -> t.isAlive() && t.getName().equals(THREAD)), "stopped by close");
        }
    }

    @Test
    void shouldFollowTheWriterIntoTheNextCycleFile() throws Exception {
        final SetTimeProvider clock = new SetTimeProvider(TimeUnit.MILLISECONDS.toNanos(T0_MILLIS));
        final byte[] body = "{\"id_cliente\":\"CLIENTE-1\"}".getBytes(StandardCharsets.UTF_8);
        final JournalConfig config = JournalConfig.defaults(dir).withPretouchBytes(AHEAD);
        try (SingleWriterJournal journal = SingleWriterJournal.open(config, clock)) {
            assertEquals(JournalStatus.OK, journal.appendEvent(1, T0_MILLIS, 0, 202, body, 0, body.length));
            awaitTouched(journal, AHEAD - 4096);
            final long firstFile = journal.pretouchedBytes();

            clock.advanceMillis(config.rollCycle().lengthMillis());
            assertEquals(JournalStatus.OK, journal.appendEvent(2, T0_MILLIS + 1, 0, 202, body, 0, body.length));
            awaitTouched(journal, firstFile + AHEAD - 4096);

            try (Stream<Path> files = Files.list(dir.resolve("events"))) {
                final List<Path> cycles = files.filter(p -> p.toString().endsWith(".cq4")).sorted()
                    .collect(Collectors.toList());
                assertEquals(2, cycles.size(), "cycle files " + cycles);
                assertTrue(loaded(cycles.get(1), 8L << 20, 4L << 20), "pages 8-12 MiB into " + cycles.get(1));
            }
        }
    }

    @Test
    void shouldStartNoThreadWhenOffAndDropBehindToo() {
        try (SingleWriterJournal journal = SingleWriterJournal.open(
            JournalConfig.defaults(dir).withPretouchBytes(0).withDropBehindBytes(0))) {
            final byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            assertEquals(JournalStatus.OK, journal.appendEvent(1, T0_MILLIS, 0, 202, body, 0, body.length));
            assertEquals(0, journal.pretouchedBytes());
            try (Stream<Thread> threads = Thread.getAllStackTraces().keySet().stream()) {
                assertFalse(threads.anyMatch(t -> t.isAlive() && t.getName().equals(THREAD)));
            }
        }
    }

    @Test
    void shouldNameTheKeyWhenTheDistanceIsOutOfRange() {
        final JournalConfig config = JournalConfig.defaults(dir);
        assertEquals(JournalConfig.DEFAULT_PRETOUCH_BYTES, config.pretouchBytes());
        final IllegalArgumentException negative =
            assertThrows(IllegalArgumentException.class, () -> config.withPretouchBytes(-1));
        assertTrue(negative.getMessage().startsWith("journal.pretouch must be between 0 (off) and"),
            negative.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> config.withPretouchBytes(JournalConfig.MAX_PRETOUCH_BYTES + 1));
        assertEquals(JournalConfig.MAX_PRETOUCH_BYTES,
            config.withPretouchBytes(JournalConfig.MAX_PRETOUCH_BYTES).pretouchBytes());
    }

    private static void awaitTouched(final SingleWriterJournal journal, final long bytes) {
        Await.poll(Duration.ofSeconds(10), () -> journal.pretouchedBytes() >= bytes);
        assertTrue(journal.pretouchedBytes() >= bytes, "touched " + journal.pretouchedBytes() + " of " + bytes);
    }

    private static boolean loaded(final Path file, final long offset, final long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            final MappedByteBuffer pages = channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
            try {
                return pages.isLoaded();
            } finally {
                IoUtil.unmap(pages);
            }
        }
    }
}
