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

    public ReportJob(final EngineConfig config, final Path dataDir, final AlertLog alertLog) {
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
            DailyReport.build(config, dataDir, yesterday, alertLog, nowMillis).write(dir);
            done = yesterday + " definitivo; ";
        }
        DailyReport.build(config, dataDir, today, alertLog, nowMillis).write(dir);
        return done + today + " aggiornato";
    }
}
