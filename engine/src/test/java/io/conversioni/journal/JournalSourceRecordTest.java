package io.conversioni.journal;

import io.conversioni.testkit.LeakCheck;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.conversioni.journal.JournalEntries.body;
import static io.conversioni.journal.JournalEntries.utf8;
import static io.conversioni.journal.JournalEntryDescriptor.NO_SOURCE_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.NO_SOURCE_PARTITION;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal's two layout versions: an entry fed from a Kafka record carries its partition and offset
 * (version 2), every other entry is written exactly as before (version 1), a journal written before version 2
 * existed still reads and replays, and the resume point of each partition is the offset after its newest entry.
 */
@ExtendWith(LeakCheck.class)
class JournalSourceRecordTest {
    private static final long T0_MILLIS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final String VIOLATIONS = "[{\"campo\":\"/valore\",\"codice\":\"type\",\"messaggio\":\"x\"}]";

    @TempDir
    Path dir;

    /** One entry's identity and source, copied out of the reusable record. */
    private record Source(JournalRecordKind kind, long sequence, long receiveMillis, int partition, long offset,
                          String body, String violations) {
        static Source of(final JournalRecord r) {
            return new Source(r.kind(), r.sequence(), r.receiveMillis(), r.sourcePartition(), r.sourceOffset(),
                new String(r.body(), 0, r.bodyLength(), java.nio.charset.StandardCharsets.UTF_8),
                new String(r.violations(), 0, r.violationsLength(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static List<Source> readAll(final JournalReader reader) {
        final List<Source> out = new ArrayList<>();
        final JournalRecord record = new JournalRecord();
        while (reader.next(record)) {
            out.add(Source.of(record));
        }
        return out;
    }

    @Test
    void shouldCarryTheSourcePartitionAndOffsetOfARecordAndNoneForAnEntryTakenInByTheNode() {
        final byte[] valid = utf8(body(1));
        final byte[] invalid = utf8(body(2).replace("2.50", "\"due\""));
        final byte[] violations = utf8(VIOLATIONS);
        try (SingleWriterJournal journal = SingleWriterJournal.open(JournalConfig.defaults(dir))) {
            assertEquals(JournalStatus.OK, journal.appendEvent(1, T0_MILLIS + 1, 11, 0, 4, 1_000_000_000_123L,
                valid, 0, valid.length));
            assertEquals(JournalStatus.OK, journal.appendQuarantine(2, T0_MILLIS + 2, 22, 3, 5, 0L,
                invalid, 0, invalid.length, violations, 0, violations.length));
            assertEquals(JournalStatus.OK, journal.appendEvent(3, T0_MILLIS + 3, 33, 0, valid, 0, valid.length));
            assertEquals(JournalStatus.OK, journal.appendHeartbeat(4, T0_MILLIS + 4, 44));
        }
        final JournalConfig config = JournalConfig.defaults(dir);
        try (JournalReader events = JournalReader.openEvents(config);
             JournalReader quarantine = JournalReader.openQuarantine(config)) {
            assertEquals(List.of(
                new Source(JournalRecordKind.EVENT, 1, T0_MILLIS + 1, 4, 1_000_000_000_123L, body(1), ""),
                new Source(JournalRecordKind.QUARANTINE, 2, T0_MILLIS + 2, 5, 0L, "", ""),
                new Source(JournalRecordKind.EVENT, 3, T0_MILLIS + 3, NO_SOURCE_PARTITION, NO_SOURCE_OFFSET, body(1), ""),
                new Source(JournalRecordKind.HEARTBEAT, 4, T0_MILLIS + 4, NO_SOURCE_PARTITION, NO_SOURCE_OFFSET, "", "")),
                readAll(events));
            assertEquals(List.of(new Source(JournalRecordKind.QUARANTINE, 2, T0_MILLIS + 2, 5, 0L,
                new String(invalid, java.nio.charset.StandardCharsets.UTF_8), VIOLATIONS)), readAll(quarantine));
        }
        assertEquals(List.of(2, 2, 1, 1), versions(), "version 2 only for the entries fed from a record");
    }

    @Test
    void shouldReadAJournalWrittenInTheFirstLayoutAndAppendRecordsAfterIt() {
        final JournalConfig config = JournalConfig.defaults(dir);
        final byte[] old = utf8(body(7));
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(config.eventsDirectory())
            .rollCycle(config.rollCycle().chronicle()).build();
             ExcerptAppender appender = queue.createAppender()) {
            // the version 1 layout as the writer had it before sources existed, field by field
            try (DocumentContext document = appender.writingDocument()) {
                document.wire().bytes().writeByte((byte) 1).writeByte(JournalRecordKind.EVENT.code()).writeShort((short) 0)
                    .writeInt(0).writeLong(7).writeLong(T0_MILLIS + 7).writeLong(77).writeLong(-1L)
                    .writeInt(old.length).writeInt(0).write(old);
            }
            try (DocumentContext document = appender.writingDocument()) {
                document.wire().bytes().writeByte((byte) 1).writeByte(JournalRecordKind.HEARTBEAT.code()).writeShort((short) 0)
                    .writeInt(0).writeLong(8).writeLong(T0_MILLIS + 8).writeLong(Long.MIN_VALUE).writeLong(-1L)
                    .writeInt(0).writeInt(0);
            }
        }
        try (SingleWriterJournal journal = SingleWriterJournal.open(config)) {
            assertEquals(JournalStatus.OK, journal.appendEvent(9, T0_MILLIS + 9, 99, 0, 2, 41L, old, 0, old.length));
        }
        try (JournalReader events = JournalReader.openEvents(config)) {
            assertEquals(List.of(
                new Source(JournalRecordKind.EVENT, 7, T0_MILLIS + 7, NO_SOURCE_PARTITION, NO_SOURCE_OFFSET, body(7), ""),
                new Source(JournalRecordKind.HEARTBEAT, 8, T0_MILLIS + 8, NO_SOURCE_PARTITION, NO_SOURCE_OFFSET, "", ""),
                new Source(JournalRecordKind.EVENT, 9, T0_MILLIS + 9, 2, 41L, body(7), "")), readAll(events));
        }
        assertArrayEquals(new long[] {42L, JournalResumePoints.NONE},
            JournalResumePoints.scan(config, new int[] {2, 0}));
    }

    @Test
    void shouldRejectAnEntryOfAnUnknownVersionOrWhoseLengthDisagreesWithItsVersion() {
        final JournalConfig config = JournalConfig.defaults(dir);
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(config.eventsDirectory())
            .rollCycle(config.rollCycle().chronicle()).build();
             ExcerptAppender appender = queue.createAppender()) {
            // a version 2 header cut to the version 1 length: its body would be read from its source fields
            try (DocumentContext document = appender.writingDocument()) {
                document.wire().bytes().writeByte((byte) 2).writeByte(JournalRecordKind.HEARTBEAT.code()).writeShort((short) 0)
                    .writeInt(0).writeLong(1).writeLong(T0_MILLIS).writeLong(0).writeLong(-1L).writeInt(0).writeInt(0);
            }
            try (DocumentContext document = appender.writingDocument()) {
                final Bytes<?> bytes = document.wire().bytes();
                bytes.writeByte((byte) 3).writeByte(JournalRecordKind.HEARTBEAT.code()).writeShort((short) 0)
                    .writeInt(0).writeLong(2).writeLong(T0_MILLIS).writeLong(0).writeLong(-1L).writeInt(0).writeInt(0)
                    .writeInt(0).writeInt(0).writeLong(0);
            }
        }
        try (JournalReader events = JournalReader.openEvents(config)) {
            final JournalRecord record = new JournalRecord();
            assertThrows(IllegalStateException.class, () -> events.next(record));
            assertThrows(IllegalStateException.class, () -> events.next(record));
            assertFalse(events.next(record));
        }
    }

    @Test
    void shouldResumeEachPartitionAfterItsNewestEntryWhateverFollowsIt() {
        final JournalConfig config = JournalConfig.defaults(dir);
        final byte[] b = utf8(body(1));
        try (SingleWriterJournal journal = SingleWriterJournal.open(config)) {
            long sequence = 0;
            for (int i = 0; i < 50; i++) {
                assertTrue(journal.appendEvent(sequence++, T0_MILLIS, 0, 0, i % 2, 1000 + i, b, 0, b.length).isOk());
            }
            assertTrue(journal.appendQuarantine(sequence++, T0_MILLIS, 0, 3, 3, 5L, b, 0, b.length, b, 0, 1).isOk());
            for (int i = 0; i < 20; i++) {
                assertTrue(journal.appendEvent(sequence++, T0_MILLIS, 0, 0, b, 0, b.length).isOk());
                assertTrue(journal.appendHeartbeat(sequence++, T0_MILLIS, 0).isOk());
            }
        }
        assertArrayEquals(new long[] {1050L, 1049L, 6L, JournalResumePoints.NONE},
            JournalResumePoints.scan(config, new int[] {1, 0, 3, 2}));
        assertArrayEquals(new long[0], JournalResumePoints.scan(config, new int[0]));
    }

    /** The version byte of each events-queue entry, in order. */
    private List<Integer> versions() {
        final JournalConfig config = JournalConfig.defaults(dir);
        final List<Integer> out = new ArrayList<>();
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(config.eventsDirectory()).readOnly(true)
            .rollCycle(config.rollCycle().chronicle()).build();
             net.openhft.chronicle.queue.ExcerptTailer tailer = queue.createTailer()) {
            while (true) {
                try (DocumentContext document = tailer.readingDocument()) {
                    if (!document.isPresent()) {
                        return out;
                    }
                    final Bytes<?> bytes = document.wire().bytes();
                    out.add((int) bytes.readByte(bytes.readPosition()));
                }
            }
        }
    }
}
