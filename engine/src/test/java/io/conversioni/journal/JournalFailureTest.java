package io.conversioni.journal;

import io.conversioni.journal.JournalEntries.Entry;
import io.conversioni.testkit.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.conversioni.journal.JournalEntries.body;
import static io.conversioni.journal.JournalEntries.readAllEvents;
import static io.conversioni.journal.JournalEntries.readAllQuarantine;
import static io.conversioni.journal.JournalEntries.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(LeakCheck.class)
class JournalFailureTest {
    private static final long T0_MILLIS = 1_767_225_600_000L;

    @TempDir
    Path dir;

    @Test
    void shouldAnswerClosedAndWriteNothingOnceTheJournalIsClosed() {
        final byte[] bytes = utf8(body(1));
        final SingleWriterJournal journal = SingleWriterJournal.open(JournalConfig.defaults(dir));
        assertEquals(JournalStatus.OK, journal.appendEvent(1, T0_MILLIS, 0, 202, bytes, 0, bytes.length));
        journal.close();

        assertEquals(JournalStatus.CLOSED, journal.appendEvent(2, T0_MILLIS, 0, 202, bytes, 0, bytes.length));
        assertEquals(JournalStatus.CLOSED, journal.appendQuarantine(3, T0_MILLIS, 0, 400, bytes, 0, bytes.length,
            bytes, 0, 1));
        assertEquals(JournalStatus.CLOSED, journal.appendHeartbeat(4, T0_MILLIS, 0));
        assertTrue(journal.lastError().contains("closed"), journal.lastError());
        assertEquals(List.of(1L), readAllEvents(dir).stream().map(Entry::sequence).toList());
    }

    @Test
    void shouldRollBackAnEntryWhoseWriteBreaksHalfWaySoThatNoReaderSeesPartOfIt() {
        final byte[] bytes = utf8(body(1));
        try (SingleWriterJournal journal = SingleWriterJournal.open(JournalConfig.defaults(dir))) {
            assertEquals(JournalStatus.OK, journal.appendEvent(1, T0_MILLIS, 0, 202, bytes, 0, bytes.length));
            // The header is written, then copying a body that runs past its array throws inside the document.
            assertEquals(JournalStatus.WRITE_FAILED,
                journal.appendEvent(2, T0_MILLIS, 0, 202, bytes, 0, bytes.length + 1_000));
            assertTrue(journal.lastError().startsWith("cannot write the EVENT journal entry"), journal.lastError());
            assertEquals(JournalStatus.WRITE_FAILED, journal.appendQuarantine(3, T0_MILLIS, 0, 400, bytes, 0,
                bytes.length, bytes, 5, bytes.length));
            assertEquals(JournalStatus.OK, journal.appendEvent(4, T0_MILLIS, 0, 202, bytes, 0, bytes.length));
        }
        final List<Entry> events = readAllEvents(dir);
        assertEquals(List.of(1L, 4L), events.stream().map(Entry::sequence).toList());
        assertEquals(body(1), events.get(1).body());
        assertTrue(readAllQuarantine(dir).isEmpty(), "the failed quarantine write left nothing");
    }

    @Test
    void shouldAnswerWriteFailedWhenTheEventsQueueIsClosedBehindTheWriter() {
        final byte[] bytes = utf8(body(1));
        try (SingleWriterJournal journal = SingleWriterJournal.open(JournalConfig.defaults(dir))) {
            assertEquals(JournalStatus.OK, journal.appendEvent(1, T0_MILLIS, 0, 202, bytes, 0, bytes.length));
            journal.eventsQueue().close();
            assertEquals(JournalStatus.WRITE_FAILED, journal.appendEvent(2, T0_MILLIS, 0, 202, bytes, 0, bytes.length));
            assertTrue(journal.lastError().contains("Closed"), journal.lastError());
            assertEquals(JournalStatus.WRITE_FAILED, journal.appendHeartbeat(3, T0_MILLIS, 0));
        }
        assertEquals(List.of(1L), readAllEvents(dir).stream().map(Entry::sequence).toList());
    }

    @Test
    void shouldWriteNoQuarantineMarkerWhenTheQuarantineQueueFails() {
        final byte[] bytes = utf8(body(1));
        try (SingleWriterJournal journal = SingleWriterJournal.open(JournalConfig.defaults(dir))) {
            assertEquals(JournalStatus.OK, journal.appendEvent(1, T0_MILLIS, 0, 202, bytes, 0, bytes.length));
            journal.quarantineQueue().close();
            assertEquals(JournalStatus.WRITE_FAILED, journal.appendQuarantine(2, T0_MILLIS, 0, 400, bytes, 0,
                bytes.length, bytes, 0, 2));
            assertEquals(JournalStatus.OK, journal.appendEvent(3, T0_MILLIS, 0, 202, bytes, 0, bytes.length));
        }
        assertEquals(List.of(1L, 3L), readAllEvents(dir).stream().map(Entry::sequence).toList());
    }

    @Test
    void shouldRefuseToOpenWhenAFileStandsWhereTheQueueDirectoryShouldBe() throws Exception {
        final JournalConfig config = JournalConfig.defaults(dir);
        Files.writeString(config.eventsDirectory(), "not a queue");
        final UncheckedIOException thrown =
            assertThrows(UncheckedIOException.class, () -> SingleWriterJournal.open(config));
        assertTrue(thrown.getMessage().contains(config.eventsDirectory().toString()), thrown.getMessage());
    }

    @Test
    void shouldRefuseToReadADirectoryWithNoJournal() {
        final JournalConfig missing = JournalConfig.defaults(dir.resolve("missing"));
        final IllegalStateException thrown =
            assertThrows(IllegalStateException.class, () -> JournalReader.openEvents(missing));
        assertTrue(thrown.getMessage().contains(JournalConfig.KEY_DIRECTORY), thrown.getMessage());
    }
}
