package io.conversioni.cli;

import io.conversioni.alert.AlertLog;
import io.conversioni.alert.OfflineAlertLog;
import io.conversioni.config.ConfigException;
import io.conversioni.config.EngineConfig;
import io.conversioni.report.DailyReport;
import io.conversioni.report.ReportJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;

/**
 * {@code conversioni report}: writes the daily integrity report of one UTC day now (JSON and Markdown under
 * {@code <data-dir>/reports/}) and prints the Markdown. Reads the event journal and the alert journal
 * read-only, so it may run beside a server and writes the same report the server's job would. When the alert
 * journal cannot be read, the report says so and goes to {@code reports/offline/} instead, never over the
 * server's; so does a report that sees less than the final one already written (journal cycles deleted since).
 * Exit 0, or 2 on bad usage or input. Runs on the main thread.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Write the daily integrity report (reports/YYYY-MM-DD.json and .md) and print it.",
        "Alerts come from the data folder's alert journal; when it cannot be read, the report says so and is",
        "written to reports/offline/ instead, leaving the server's report alone; so is a report that sees less",
        "than the final one already written (journal cycles deleted since)."})
final class ReportCommand implements Callable<Integer> {
    @Option(names = "--day", paramLabel = "YYYY-MM-DD", description = "The UTC day (default: today).")
    private String day;

    @Mixin
    private DataFolderOptions folder = new DataFolderOptions();

    @Override
    public Integer call() throws IOException {
        DailyReport report;
        final LocalDate date;
        String alertsUnread = null;
        try {
            date = day == null ? LocalDate.now(ZoneOffset.UTC) : LocalDate.parse(day);
            final EngineConfig config = folder.config();
            AlertLog alerts;
            try {
                alerts = OfflineAlertLog.read(folder.dataDir());
            } catch (UncheckedIOException e) {
                alertsUnread = e.getCause().getMessage();
                alerts = AlertLog.NONE;
            }
            report = DailyReport.build(config, folder.dataDir(), date, alerts, System.currentTimeMillis());
            if (alertsUnread != null) {
                report = report.alertsUnread(alertsUnread);
            }
        } catch (DateTimeException e) { // not a date, or one past epoch milliseconds' range (DailyReport.build)
            System.err.println("error: --day must be a date such as 2026-12-01, was '" + day + "'");
            return 2;
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        final Path reports = ReportJob.reportsDir(folder.dataDir());
        final Path existing = reports.resolve(date + ".json");
        String worse = alertsUnread == null ? null : alertsUnread + "; the report counts no alerts";
        if (worse == null && Files.isRegularFile(existing)) {
            try {
                worse = report.seesLessThan(Files.readString(existing, StandardCharsets.UTF_8));
            } catch (IOException e) {
                worse = null; // unreadable (not UTF-8 text): not a report worth keeping
            }
        }
        final Path json = report.write(worse == null ? reports : reports.resolve("offline"));
        if (worse != null) {
            System.err.println("warning: " + worse + "; so it went to " + reports.resolve("offline") + " and "
                + existing + " was left as it was");
        }
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.print(report.markdown());
        out.flush();
        System.err.println("wrote " + json + " and " + json.resolveSibling(date + ".md"));
        return 0;
    }
}
