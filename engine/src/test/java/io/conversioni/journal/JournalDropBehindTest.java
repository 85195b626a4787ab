package io.conversioni.journal;

import io.conversioni.testkit.Await;
import io.conversioni.testkit.LeakCheck;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The page thread's drop-behind: the pages far behind the writer leave the page cache, every byte of them reads
 * back the same from the device, and 0 keeps them. Residency is read with {@code mincore} (through
 * {@link MappedByteBuffer#isLoaded()} on one page at a time), which faults nothing in.
 */
@ExtendWith(LeakCheck.class)
class JournalDropBehindTest {
    private static final long T0_MILLIS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final long BEHIND = 16L << 20;
    /** Chronicle keeps the file's first 80 MiB mapped (its header) and two 80 MiB mappings at the write position. */
    private static final long CHECKED_FROM = 96L << 20;
    private static final long CHECKED_TO = 192L << 20;
    private static final int BODY_BYTES = 60_000;
    private static final int ENTRIES = 5_400; // about 324 MB of journal
    private static final String THREAD = "conversioni-journal-pretouch";

    @TempDir
    Path dir;

    @Test
    void shouldReleaseThePagesFarBehindTheWriterAndReadThemBackUnchanged() throws Exception {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "drop-behind is Linux only");
        final JournalConfig config = JournalConfig.defaults(dir).withDropBehindBytes(BEHIND);
        try (SingleWriterJournal journal = SingleWriterJournal.open(config)) {
            for (int i = 0; i < ENTRIES; i++) {
                final byte[] body = body(i);
                assertEquals(JournalStatus.OK, journal.appendEvent(i, T0_MILLIS + i, 0, 202, body, 0, body.length));
            }
            Await.poll(Duration.ofSeconds(30), () -> journal.droppedBehindBytes() >= CHECKED_TO);
            assertTrue(journal.droppedBehindBytes() >= CHECKED_TO, "dropped " + journal.droppedBehindBytes());

            final Path cycleFile = JournalEntries.onlyCycleFile(dir.resolve("events"));
            final double resident = residentShare(cycleFile, CHECKED_FROM, CHECKED_TO);
            assertTrue(resident < 0.05, String.format("%.1f %% of the pages 96-192 MiB into %s still cached",
                resident * 100, cycleFile));
        }
        try (Stream<Thread> threads = Thread.getAllStackTraces().keySet().stream()) {
            assertFalse(threads.anyMatch(t -> t.isAlive() && t.getName().equals(THREAD)), "stopped by close");
        }

        try (JournalReader reader = JournalReader.openEvents(config)) {
            final JournalRecord record = new JournalRecord();
            for (int i = 0; i < ENTRIES; i++) {
                assertTrue(reader.next(record), "entry " + i + " of " + ENTRIES);
                assertEquals(i, record.sequence());
                assertArrayEquals(body(i), Arrays.copyOf(record.body(), record.bodyLength()), "body of entry " + i);
            }
            assertFalse(reader.next(record), "no entry past the last");
        }
    }

    @Test
    void shouldDropNothingWhenOff() throws Exception {
        try (SingleWriterJournal journal = SingleWriterJournal.open(JournalConfig.defaults(dir).withDropBehindBytes(0))) {
            final byte[] body = body(1);
            for (int i = 0; i < 1_000; i++) { // 60 MB: four drop steps past a 16 MiB distance, were it on
                assertEquals(JournalStatus.OK, journal.appendEvent(i, T0_MILLIS + i, 0, 202, body, 0, body.length));
            }
            Await.poll(Duration.ofSeconds(10), () -> journal.pretouchedBytes() >= (50L << 20));
            assertEquals(0, journal.droppedBehindBytes());
        }
    }

    @Test
    void shouldNameTheKeyWhenTheDistanceIsOutOfRange() {
        final JournalConfig config = JournalConfig.defaults(dir);
        assertEquals(JournalConfig.DEFAULT_DROP_BEHIND_BYTES, config.dropBehindBytes());
        final IllegalArgumentException negative =
            assertThrows(IllegalArgumentException.class, () -> config.withDropBehindBytes(-1));
        assertTrue(negative.getMessage().startsWith("journal.drop_behind must be between 0 (off) and"),
            negative.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> config.withDropBehindBytes(JournalConfig.MAX_DROP_BEHIND_BYTES + 1));
        assertEquals(0, config.withDropBehindBytes(0).dropBehindBytes());
    }

    private static byte[] body(final int sequence) {
        final byte[] body = new byte[BODY_BYTES];
        Arrays.fill(body, (byte) ('a' + sequence % 26));
        final byte[] head = ("{\"n\":" + sequence + ",\"pad\":\"").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, body, 0, head.length);
        body[BODY_BYTES - 2] = '"';
        body[BODY_BYTES - 1] = '}';
        return body;
    }

    /** Share of the pages of {@code [from, to)} in the page cache, one page in 16 looked at. */
    private static double residentShare(final Path file, final long from, final long to) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            final MappedByteBuffer pages = channel.map(FileChannel.MapMode.READ_ONLY, from, to - from);
            try {
                int looked = 0;
                int resident = 0;
                for (int offset = 0; offset < pages.capacity(); offset += 16 * 4096) {
                    looked++;
                    if (pages.slice(offset, 4096).isLoaded()) {
                        resident++;
                    }
                }
                return (double) resident / looked;
            } finally {
                IoUtil.unmap(pages);
            }
        }
    }
}
