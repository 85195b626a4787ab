package io.conversioni.report;

import io.conversioni.alert.AlertLog;
import io.conversioni.config.EngineConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The scheduled job {@value #NAME}: refreshes today's integrity report (partial) and, after midnight UTC,
 * writes yesterday's final one once (when it is missing or was written while the day was not over).
 * Threading: the scheduler's job thread. Each run replays the journal read-only, once per report written.
 */
public final class ReportJob {
    public static final String NAME = "rapporto_giornaliero";

    private final EngineConfig config;
    private final Path dataDir;
    private final AlertLog alertLog;
    /** A cluster node's partitions, named in each report; null on a single node. */
    private final Coverage coverage;
    /** Told each report written (a cluster node shares it); never null. */
    private final Listener listener;

    /** What a cluster node does with each report it wrote: the job thread; a failure fails the run. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (day, report) -> { };

        void written(LocalDate day, DailyReport report) throws Exception;
    }

    public ReportJob(final EngineConfig config, final Path dataDir, final AlertLog alertLog) {
        this(config, dataDir, alertLog, null, Listener.NONE);
    }

    /**
     * A cluster node's job: each report says which node and partitions it covers ({@code coverage}) and is handed to
     * {@code listener} once written.
     */
    public ReportJob(final EngineConfig config, final Path dataDir, final AlertLog alertLog, final Coverage coverage,
                     final Listener listener) {
        this.coverage = coverage;
        this.listener = listener;
        this.config = config;
        this.dataDir = dataDir;
        this.alertLog = alertLog;
    }

    public static Path reportsDir(final Path dataDir) {
        return dataDir.resolve("reports");
    }

    public String run(final long nowMillis) throws Exception {
        final LocalDate today = LocalDate.ofInstant(Instant.ofEpochMilli(nowMillis), ZoneOffset.UTC);
        final LocalDate yesterday = today.minusDays(1);
        final Path dir = reportsDir(dataDir);
        String done = "";
        final Path previous = dir.resolve(yesterday + ".json");
        if (!Files.exists(previous) || Files.readString(previous).contains("\"parziale\":true")) {
            final DailyReport report = build(yesterday, nowMillis);
            report.write(dir);
            listener.written(yesterday, report);
            done = yesterday + " definitivo; ";
        }
        final DailyReport report = build(today, nowMillis);
        report.write(dir);
        listener.written(today, report);
        return done + today + " aggiornato" + (coverage == null ? "" : " (" + coverage + ")");
    }

    private DailyReport build(final LocalDate day, final long nowMillis) throws java.io.IOException {
        final DailyReport report = DailyReport.build(config, dataDir, day, alertLog, nowMillis);
        return coverage == null ? report : report.coverage(coverage);
    }
}
