package io.conversioni.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test helpers: an entry as a comparable value, and reading a whole queue into a list. */
final class JournalEntries {
    private JournalEntries() {
    }

    /** One entry read back, copied out of the reusable record. */
    record Entry(JournalRecordKind kind, long sequence, long receiveMillis, long receiveNanos, int outcomeCode,
                 long quarantineIndex, String body, String violations) {
    }

    static Entry copyOf(final JournalRecord record) {
        return new Entry(record.kind(), record.sequence(), record.receiveMillis(), record.receiveNanos(),
            record.outcomeCode(), record.quarantineIndex(),
            new String(Arrays.copyOf(record.body(), record.bodyLength()), StandardCharsets.UTF_8),
            new String(Arrays.copyOf(record.violations(), record.violationsLength()), StandardCharsets.UTF_8));
    }

    static List<Entry> readAllEvents(final Path journalDirectory) {
        try (JournalReader reader = JournalReader.openEvents(JournalConfig.defaults(journalDirectory))) {
            return readAll(reader);
        }
    }

    static List<Entry> readAllQuarantine(final Path journalDirectory) {
        try (JournalReader reader = JournalReader.openQuarantine(JournalConfig.defaults(journalDirectory))) {
            return readAll(reader);
        }
    }

    static List<Entry> readAll(final JournalReader reader) {
        final List<Entry> entries = new ArrayList<>();
        final JournalRecord record = new JournalRecord();
        while (reader.next(record)) {
            entries.add(copyOf(record));
        }
        return entries;
    }

    /** The one cycle file of a queue directory (asserted to be one). */
    static Path onlyCycleFile(final Path queueDirectory) throws IOException {
        try (Stream<Path> files = Files.list(queueDirectory)) {
            final List<Path> cycles = files.filter(p -> p.toString().endsWith(".cq4"))
                .collect(Collectors.toList());
            assertEquals(1, cycles.size(), "cycle files " + cycles);
            return cycles.get(0);
        }
    }

    static byte[] utf8(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String body(final long sequence) {
        return "{\"id_cliente\":\"C-" + sequence + "\",\"evento\":\"acquisto\",\"valore\":" + sequence + ".50}";
    }
}
