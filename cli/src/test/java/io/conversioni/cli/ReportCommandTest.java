package io.conversioni.cli;

import io.conversioni.alert.Alert;
import io.conversioni.config.EngineConfig;
import io.conversioni.operations.AlertRuntime;
import io.conversioni.pipeline.Engine;
import io.conversioni.testkit.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code report} run by hand beside a running server counts the alerts the server fired (from the alert
 * journal), and never replaces the server's report with one that could not see them.
 */
@Timeout(60)
class ReportCommandTest {
    private static final Path CONFIG = Path.of("..", "config");
    private static final long DAY = Instant.parse("2024-05-20T00:00:00Z").toEpochMilli();

    @TempDir
    Path data;

    private static void await(final String what, final BooleanSupplier condition) {
        Await.until(what, java.time.Duration.ofSeconds(20), condition);
    }

    @Test
    void shouldCountTheAlertsTheRunningServerFiredInsteadOfSayingNessunAllarme() throws Exception {
        final EngineConfig config = EngineConfig.parse("", CONFIG);
        try (Engine engine = Engine.create(config, data); AlertRuntime alerts = AlertRuntime.start(config, data, engine)) {
            engine.start();
            alerts.signal().raise("riconciliazione", "finestra=14:30", "the CRM counts 4, the engine 3", DAY + 50_000_000);
            alerts.signal().raise("consegna_fallita", "sink=ops", "the webhook answers 500", DAY + 51_000_000);
            alerts.signal().clear("consegna_fallita", "sink=ops", DAY + 52_000_000); // resolved: still one alert fired
            alerts.signal().raise("riconciliazione", "finestra=00:05", "the next day", DAY + 86_400_000 + 300_000);
            await("three alerts journaled, one resolved", () -> {
                final List<Alert> all = alerts.alerts().alerts("tutti");
                return all.size() == 3 && all.stream().filter(a -> !a.aperto()).count() == 1;
            });

            Files.createDirectories(data.resolve("reports"));
            Files.writeString(data.resolve("reports/2024-05-20.json"), "{\"giorno\":\"2024-05-20\",\"parziale\":true,"
                + "\"eventi\":{\"ricevuti\":0},\"allarmi\":{}}\n"); // the server's, written during the day

            final String[] run = CliRun.run("report", "--day", "2024-05-20", "--data-dir", data.toString());
            assertEquals("0", run[0], run[2]);
            final String json = Files.readString(data.resolve("reports/2024-05-20.json"));
            assertTrue(json.endsWith("\"allarmi\":{\"consegna_fallita\":1,\"riconciliazione\":1}}\n"), json);
            final String md = Files.readString(data.resolve("reports/2024-05-20.md"));
            assertTrue(md.contains("| consegna_fallita | 1 |\n| riconciliazione | 1 |"), md);
            assertFalse(md.contains("Nessun allarme"), md);
        }
    }

    @Test
    void shouldLeaveAFinalReportThatSawMoreThanThisRunCan() throws Exception {
        try (Engine engine = Engine.create(EngineConfig.parse("", CONFIG), data)) {
            engine.start(); // a journal without that day's events: its cycles were deleted since
        }
        final Path servers = Files.createDirectories(data.resolve("reports")).resolve("2024-05-20.json");
        final String serversReport = "{\"giorno\":\"2024-05-20\",\"parziale\":false,\"eventi\":{\"ricevuti\":9},"
            + "\"riconciliazione\":{\"esecuzioni\":0},\"allarmi\":{\"duplicati\":11}}\n";
        Files.writeString(servers, serversReport);

        final String[] run = CliRun.run("report", "--day", "2024-05-20", "--data-dir", data.toString());
        assertEquals("0", run[0], run[2]);
        assertEquals(serversReport, Files.readString(servers), "the final report is left as it was");
        assertTrue(run[2].contains("warning: the final report already written counts 9 events received, 11 alerts and 0 "
            + "reconciliation runs; this one sees 0, 0 and 0"), run[2]);
        assertTrue(Files.readString(data.resolve("reports/offline/2024-05-20.json")).contains("\"ricevuti\":0"));
    }

    @Test
    void shouldLeaveTheServersReportAloneAndSaySoWhenTheAlertJournalCannotBeRead() throws Exception {
        try (Engine engine = Engine.create(EngineConfig.parse("", CONFIG), data)) {
            engine.start();
        }
        Files.writeString(data.resolve("alerts"), "not a journal"); // an alert journal no reader can open
        final Path servers = Files.createDirectories(data.resolve("reports")).resolve("2024-05-20.json");
        final String serversReport = "{\"giorno\":\"2024-05-20\",\"allarmi\":{\"duplicati\":11}}\n";
        Files.writeString(servers, serversReport);

        final String[] run = CliRun.run("report", "--day", "2024-05-20", "--data-dir", data.toString());
        assertEquals("0", run[0], run[2]);
        assertEquals(serversReport, Files.readString(servers), "the server's report is left as it was");
        assertFalse(Files.exists(data.resolve("reports/2024-05-20.md")));
        assertTrue(run[2].contains("warning: the alert journal " + data.resolve("alerts") + " is not a folder"), run[2]);
        final String json = Files.readString(data.resolve("reports/offline/2024-05-20.json"));
        assertTrue(json.endsWith("\"allarmi\":{},\"allarmi_non_letti\":\"the alert journal " + data.resolve("alerts")
            + " is not a folder\"}\n"), json);
        final String md = Files.readString(data.resolve("reports/offline/2024-05-20.md"));
        assertTrue(md.contains("Allarmi non letti (") && !md.contains("Nessun allarme"), md);
        assertTrue(run[1].contains("Allarmi non letti ("), "the printed report says it too");
    }
}
