package io.conversioni.reconcile;

import io.conversioni.files.OwnerOnlyFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The record of reconciliation runs the daily report reads: one JSON line per run in
 * {@code <data-dir>/reports/riconciliazioni-YYYY-MM-DD.ndjson} (the UTC day of the run), the result's JSON
 * with {@code "eseguita"} (the run's instant) first. Appended by the one job thread; read by any.
 */
public final class ReconciliationLog {
    private final Path dir;

    public ReconciliationLog(final Path dataDir) {
        this.dir = dataDir.resolve("reports");
    }

    public void append(final long ranAtMillis, final ReconciliationResult result) throws IOException {
        OwnerOnlyFiles.createDirectories(dir);
        final String line = ReconciliationFormat.json(ranAtMillis, result) + "\n";
        OwnerOnlyFiles.write(file(LocalDate.ofInstant(Instant.ofEpochMilli(ranAtMillis), ZoneOffset.UTC)),
            line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The runs of {@code day}, oldest first, as JSON lines; empty when there were none. */
    public List<String> read(final LocalDate day) throws IOException {
        try {
            return Files.readAllLines(file(day), StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    private Path file(final LocalDate day) {
        return dir.resolve("riconciliazioni-" + day + ".ndjson");
    }
}
