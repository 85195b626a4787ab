package io.conversioni.journal;

import io.conversioni.SafetyChecks;
import io.conversioni.journal.JournalEntries.Entry;
import io.conversioni.testkit.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.conversioni.journal.JournalEntries.body;
import static io.conversioni.journal.JournalEntries.readAllEvents;
import static io.conversioni.journal.JournalEntries.readAllQuarantine;
import static io.conversioni.journal.JournalEntries.utf8;
import static io.conversioni.journal.JournalEntryDescriptor.NO_QUARANTINE_INDEX;
import static io.conversioni.journal.JournalEntryDescriptor.NO_RECEIVE_NANOS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@ExtendWith(LeakCheck.class)
class SingleWriterJournalTest {
    private static final long T0_MILLIS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final String VIOLATIONS =
        "[{\"campo\":\"/valore\",\"codice\":\"type\",\"messaggio\":\"must be a number\"}]";

    @TempDir
    Path dir;

    @Test
    void shouldReadBackEachKindInAppendOrderWithSequenceTimesAndOutcome() {
        final byte[] valid = utf8("xx" + body(1) + "yy");
        final byte[] invalid = utf8(body(2).replace("2.50", "\"due\""));
        final byte[] violations = utf8("  " + VIOLATIONS);
        try (SingleWriterJournal journal = SingleWriterJournal.open(JournalConfig.defaults(dir))) {
            assertEquals(JournalStatus.OK, journal.appendEvent(1, T0_MILLIS + 1, 111, 202, valid, 2, valid.length - 4));
            assertEquals(JournalStatus.OK, journal.appendQuarantine(2, T0_MILLIS + 2, 222, 400, invalid, 0,
                invalid.length, violations, 2, violations.length - 2));
            assertEquals(JournalStatus.OK, journal.appendHeartbeat(3, T0_MILLIS + 3, NO_RECEIVE_NANOS));
            assertEquals(JournalStatus.OK, journal.appendEvent(4, T0_MILLIS + 4, 444, 202, valid, 2, valid.length - 4));
            assertEquals("", journal.lastError());
        }

        final List<Entry> quarantine = readAllQuarantine(dir);
        assertEquals(1, quarantine.size());
        assertEquals(new Entry(JournalRecordKind.QUARANTINE, 2, T0_MILLIS + 2, 222, 400, NO_QUARANTINE_INDEX,
            new String(invalid, StandardCharsets.UTF_8), VIOLATIONS), quarantine.get(0));

        final long quarantineIndex;
        try (JournalReader reader = JournalReader.openQuarantine(JournalConfig.defaults(dir))) {
            final JournalRecord record = new JournalRecord();
            assertTrue(reader.next(record));
            quarantineIndex = record.index();
        }
        assertEquals(List.of(
            new Entry(JournalRecordKind.EVENT, 1, T0_MILLIS + 1, 111, 202, NO_QUARANTINE_INDEX, body(1), ""),
            new Entry(JournalRecordKind.QUARANTINE, 2, T0_MILLIS + 2, 222, 400, quarantineIndex, "", ""),
            new Entry(JournalRecordKind.HEARTBEAT, 3, T0_MILLIS + 3, NO_RECEIVE_NANOS, 0, NO_QUARANTINE_INDEX, "", ""),
            new Entry(JournalRecordKind.EVENT, 4, T0_MILLIS + 4, 444, 202, NO_QUARANTINE_INDEX, body(1), "")),
            readAllEvents(dir));
    }

    @Test
    void shouldPreserveEverySeededRandomEntryIncludingBodiesLongerThanTheRecordsFirstArrays() {
        final Random random = new Random(20_260_101L);
        final List<Entry> written = new ArrayList<>();
        try (SingleWriterJournal journal = SingleWriterJournal.open(JournalConfig.defaults(dir))) {
            for (long sequence = 0; sequence < 200; sequence++) {
                final byte[] bytes = new byte[random.nextInt(3_000)];
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = (byte) ('a' + random.nextInt(26));
                }
                final long receiveMillis = T0_MILLIS + random.nextInt(1_000_000);
                final long receiveNanos = random.nextLong();
                final int outcome = random.nextInt();
                assertEquals(JournalStatus.OK,
                    journal.appendEvent(sequence, receiveMillis, receiveNanos, outcome, bytes, 0, bytes.length));
                written.add(new Entry(JournalRecordKind.EVENT, sequence, receiveMillis, receiveNanos, outcome,
                    NO_QUARANTINE_INDEX, new String(bytes, StandardCharsets.UTF_8), ""));
            }
        }
        assertEquals(written, readAllEvents(dir));
    }

    @ParameterizedTest
    @EnumSource(JournalDurability.class)
    void shouldWriteAndReadBackWithEitherDurability(final JournalDurability durability) {
        final JournalConfig config = JournalConfig.defaults(dir).withDurability(durability);
        final byte[] bytes = utf8(body(7));
        try (SingleWriterJournal journal = SingleWriterJournal.open(config)) {
            assertEquals(JournalStatus.OK, journal.appendEvent(7, T0_MILLIS, 1, 202, bytes, 0, bytes.length));
            assertEquals(JournalStatus.OK, journal.appendQuarantine(8, T0_MILLIS, 2, 400, bytes, 0, bytes.length,
                bytes, 0, 3));
            assertEquals(JournalStatus.OK, journal.appendHeartbeat(9, T0_MILLIS + 1_000, 3));
            assertEquals(durability == JournalDurability.SYNC ? 4 : 0, journal.syncCount(),
                "one device flush per queue written");
        }
        final List<Entry> events = readAllEvents(dir);
        assertEquals(3, events.size());
        assertEquals(List.of(7L, 8L, 9L), events.stream().map(Entry::sequence).toList());
        assertEquals(1, readAllQuarantine(dir).size());
    }

    @Test
    void shouldSeeTheEntriesOfAWriterThatWasClosedAndReopened() {
        final byte[] bytes = utf8(body(1));
        try (SingleWriterJournal journal = SingleWriterJournal.open(JournalConfig.defaults(dir))) {
            for (long sequence = 0; sequence < 3; sequence++) {
                assertEquals(JournalStatus.OK,
                    journal.appendEvent(sequence, T0_MILLIS, 0, 202, bytes, 0, bytes.length));
            }
        }
        final long lastIndexBeforeRestart;
        try (JournalReader reader = JournalReader.openEvents(JournalConfig.defaults(dir))) {
            lastIndexBeforeRestart = reader.lastIndex();
        }
        try (SingleWriterJournal journal = SingleWriterJournal.open(JournalConfig.defaults(dir))) {
            for (long sequence = 3; sequence < 5; sequence++) {
                assertEquals(JournalStatus.OK,
                    journal.appendEvent(sequence, T0_MILLIS, 0, 202, bytes, 0, bytes.length));
            }
            assertTrue(journal.lastEventsIndex() > lastIndexBeforeRestart);
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), readAllEvents(dir).stream().map(Entry::sequence).toList());
    }

    @Test
    void shouldReadFromAGivenIndexAndReportTheQueueBounds() {
        final byte[] bytes = utf8(body(1));
        final long[] indexes = new long[5];
        try (SingleWriterJournal journal = SingleWriterJournal.open(JournalConfig.defaults(dir))) {
            for (int i = 0; i < indexes.length; i++) {
                assertEquals(JournalStatus.OK, journal.appendEvent(i, T0_MILLIS + i, 0, 202, bytes, 0, bytes.length));
                indexes[i] = journal.lastEventsIndex();
            }
        }
        try (JournalReader reader = JournalReader.openEvents(JournalConfig.defaults(dir))) {
            assertEquals(indexes[0], reader.firstIndex());
            assertEquals(indexes[4], reader.lastIndex());
            assertTrue(reader.moveToIndex(indexes[3]));
            final JournalRecord record = new JournalRecord();
            assertTrue(reader.next(record));
            assertEquals(3, record.sequence());
            assertEquals(indexes[3], record.index());
            assertTrue(reader.next(record));
            assertEquals(4, record.sequence());
            assertFalse(reader.next(record));
            reader.toStart();
            assertTrue(reader.next(record));
            assertEquals(0, record.sequence());
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldReadEveryEntryInOrderWhileAnotherThreadIsStillWriting() throws Exception {
        final int count = 2_000;
        final ExecutorService writerThread = Executors.newSingleThreadExecutor();
        try (SingleWriterJournal journal = SingleWriterJournal.open(JournalConfig.defaults(dir))) {
            final byte[] bytes = utf8(body(1));
            // The reader needs the queue to exist: the first entry is written before it opens.
            final Future<JournalStatus> first = writerThread.submit(
                () -> journal.appendEvent(0, T0_MILLIS, 0, 202, bytes, 0, bytes.length));
            assertEquals(JournalStatus.OK, first.get());
            final Future<Integer> failures = writerThread.submit(() -> {
                int failed = 0;
                for (long sequence = 1; sequence < count; sequence++) {
                    if (!journal.appendEvent(sequence, T0_MILLIS + sequence, 0, 202, bytes, 0, bytes.length).isOk()) {
                        failed++;
                    }
                    if (sequence % 100 == 0) {
                        Thread.yield(); // let the reader catch up part-way on a two-core machine
                    }
                }
                return failed;
            });
            try (JournalReader reader = JournalReader.openEvents(JournalConfig.defaults(dir))) {
                final JournalRecord record = new JournalRecord();
                long expected = 0;
                while (expected < count) {
                    if (reader.next(record)) {
                        assertEquals(expected, record.sequence());
                        assertEquals(T0_MILLIS + expected, record.receiveMillis());
                        expected++;
                    } else {
                        LockSupport.parkNanos(100_000);
                    }
                }
                assertFalse(reader.next(record));
            }
            assertEquals(0, failures.get());
        } finally {
            writerThread.shutdown();
            assertTrue(writerThread.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldAssertThatOnlyTheOwnerThreadAppendsWhenChecksAreOn() throws Exception {
        assumeTrue(SafetyChecks.ENABLED, "run with -Dconversioni.checks=true");
        final ExecutorService other = Executors.newSingleThreadExecutor();
        try (SingleWriterJournal journal = SingleWriterJournal.open(JournalConfig.defaults(dir))) {
            assertEquals(JournalStatus.OK, journal.appendHeartbeat(1, T0_MILLIS, 0));
            final Future<JournalStatus> fromOther = other.submit(() -> journal.appendHeartbeat(2, T0_MILLIS, 0));
            final Exception thrown = assertThrows(Exception.class, fromOther::get);
            assertTrue(thrown.getCause() instanceof IllegalStateException, String.valueOf(thrown.getCause()));
        } finally {
            other.shutdown();
            assertTrue(other.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertEquals(List.of(1L), readAllEvents(dir).stream().map(Entry::sequence).toList());
    }
}
