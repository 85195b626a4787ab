package io.conversioni.journal;

import io.conversioni.journal.JournalEntries.Entry;
import io.conversioni.testkit.LeakCheck;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.conversioni.journal.JournalEntries.body;
import static io.conversioni.journal.JournalEntries.readAll;
import static io.conversioni.journal.JournalEntries.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Five-minute cycles on a clock the test moves: one event and one quarantined event per cycle, five
 * cycles (0 to 4, the writer in cycle 4).
 */
@ExtendWith(LeakCheck.class)
class JournalRetentionTest {
    private static final long T0_MILLIS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z, a cycle boundary
    private static final int CYCLES = 5;

    @TempDir
    Path dir;

    private final SetTimeProvider clock = new SetTimeProvider(TimeUnit.MILLISECONDS.toNanos(T0_MILLIS));
    private final long[] eventIndexes = new long[CYCLES];

    @ParameterizedTest(name = "roll clock read per batch: {0}")
    @ValueSource(booleans = {false, true})
    void shouldDeleteOnlyCyclesThatAreBothOutOfRetentionAndCoveredBySnapshot(final boolean perBatch) throws IOException {
        try (SingleWriterJournal journal = writeCycles(2, perBatch)) {
            assertEquals(0, journal.deleteExpiredCycles(-1), "nothing covered: nothing deleted");

            // Retention alone would drop cycles 0-2; the snapshot covers only up to cycle 2, kept whole.
            assertEquals(2 + 1, journal.deleteExpiredCycles(eventIndexes[2]));
            assertEquals(List.of(2L, 3L, 4L), sequences(JournalConfig.EVENTS_QUEUE));
            assertEquals(List.of(1L, 2L, 3L, 4L), sequences(JournalConfig.QUARANTINE_QUEUE),
                "quarantine keeps one cycle more");

            // Everything covered: retention (2 cycles, counting the current one) is now the bound.
            assertEquals(1 + 1, journal.deleteExpiredCycles(eventIndexes[4]));
            assertEquals(List.of(3L, 4L), sequences(JournalConfig.EVENTS_QUEUE));
            assertEquals(List.of(2L, 3L, 4L), sequences(JournalConfig.QUARANTINE_QUEUE));
            assertEquals(2, cycleFiles(JournalConfig.EVENTS_QUEUE));
            assertEquals(3, cycleFiles(JournalConfig.QUARANTINE_QUEUE));

            assertEquals(0, journal.deleteExpiredCycles(eventIndexes[4]), "a second pass finds nothing");
        }
    }

    @ParameterizedTest(name = "roll clock read per batch: {0}")
    @ValueSource(booleans = {false, true})
    void shouldNeverDeleteTheCurrentCycleAndKeepAppendingAfterDeleting(final boolean perBatch) throws IOException {
        try (SingleWriterJournal journal = writeCycles(1, perBatch)) {
            assertEquals(4 + 3, journal.deleteExpiredCycles(eventIndexes[4]));
            assertEquals(1, cycleFiles(JournalConfig.EVENTS_QUEUE));
            final byte[] bytes = utf8(body(5));
            assertEquals(JournalStatus.OK, journal.appendEvent(5, clock.currentTimeMillis(), 0, 202, bytes, 0,
                bytes.length));
            assertEquals(List.of(4L, 5L), sequences(JournalConfig.EVENTS_QUEUE));
        }
    }

    @Test
    void shouldDeleteOldCyclesWhenHoursWithoutTrafficLeftNoFileBetweenThem() throws IOException {
        final JournalConfig config = JournalConfig.of(dir, "FIVE_MINUTELY", 2, "async");
        final long cycleMillis = config.rollCycle().lengthMillis();
        try (SingleWriterJournal journal = SingleWriterJournal.open(config, clock)) {
            final long[] written = {0, 1, 7, 8, 40};  // cycles with traffic; none in between
            long covered = -1;
            long at = 0;
            for (final long cycle : written) {
                clock.advanceMillis((cycle - at) * cycleMillis);
                at = cycle;
                final byte[] bytes = utf8(body(cycle));
                assertEquals(JournalStatus.OK, journal.appendEvent(cycle, clock.currentTimeMillis(), 0, 202, bytes, 0,
                    bytes.length));
                covered = journal.lastEventsIndex();
            }
            assertEquals(4, journal.deleteExpiredCycles(covered), "every cycle before the current one goes");
            assertEquals(List.of(40L), sequences(JournalConfig.EVENTS_QUEUE));
            final byte[] bytes = utf8(body(41));
            assertEquals(JournalStatus.OK, journal.appendEvent(41, clock.currentTimeMillis(), 0, 202, bytes, 0,
                bytes.length));
            assertEquals(List.of(40L, 41L), sequences(JournalConfig.EVENTS_QUEUE));
        }
    }

    /**
     * Read once per batch ({@link SingleWriterJournal#beginBatch}), the roll clock rolls at the first batch after the
     * cycle's end: an append later in the batch stays in the older cycle; retention is the same as per append.
     */
    @Test
    void shouldRollAtTheFirstBatchPastTheCycleEndWhenTheClockIsReadPerBatch() throws IOException {
        final JournalConfig config = JournalConfig.of(dir, "FIVE_MINUTELY", 1, "async");
        try (SingleWriterJournal journal = SingleWriterJournal.open(config, clock)) {
            journal.beginBatch();
            append(journal, 0);
            clock.advanceMillis(config.rollCycle().lengthMillis());
            append(journal, 1); // the same batch: one batch late, still in cycle 0
            assertEquals(1, cycleFiles(JournalConfig.EVENTS_QUEUE));
            journal.beginBatch();
            append(journal, 2);
            assertEquals(2, cycleFiles(JournalConfig.EVENTS_QUEUE), "the next batch rolled");
            assertEquals(1, journal.deleteExpiredCycles(journal.lastEventsIndex()), "cycle 0 went, with both entries");
            assertEquals(List.of(2L), sequences(JournalConfig.EVENTS_QUEUE));
        }
    }

    private void append(final SingleWriterJournal journal, final long sequence) {
        final byte[] bytes = utf8(body(sequence));
        assertEquals(JournalStatus.OK, journal.appendEvent(sequence, clock.currentTimeMillis(), 0, 202, bytes, 0,
            bytes.length));
    }

    /** One cycle file per cycle in both queues; {@code perBatch}: each cycle's appends are one batch of the writer. */
    private SingleWriterJournal writeCycles(final int retainCycles, final boolean perBatch) {
        final JournalConfig config = JournalConfig.of(dir, "FIVE_MINUTELY", retainCycles, "async");
        final SingleWriterJournal journal = SingleWriterJournal.open(config, clock);
        final byte[] violations = utf8("[]");
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            if (perBatch) {
                journal.beginBatch();
            }
            final byte[] bytes = utf8(body(cycle));
            final long now = clock.currentTimeMillis();
            assertEquals(JournalStatus.OK, journal.appendQuarantine(cycle, now, 0, 400, bytes, 0, bytes.length,
                violations, 0, violations.length));
            assertEquals(JournalStatus.OK, journal.appendEvent(cycle, now, 0, 202, bytes, 0, bytes.length));
            eventIndexes[cycle] = journal.lastEventsIndex();
            if (cycle < CYCLES - 1) {
                clock.advanceMillis(config.rollCycle().lengthMillis());
            }
        }
        return journal;
    }

    /** Distinct sequences in a queue, read from its first retained entry. */
    private List<Long> sequences(final String queue) {
        try (JournalReader reader = JournalReader.open(dir.resolve(queue), JournalRollCycle.FIVE_MINUTELY, clock)) {
            return readAll(reader).stream().map(Entry::sequence).distinct().toList();
        }
    }

    private long cycleFiles(final String queue) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve(queue))) {
            return files.filter(file -> file.getFileName().toString().endsWith(".cq4")).count();
        }
    }
}
