package io.conversioni.report;

import io.conversioni.alert.AlertLog;
import io.conversioni.alert.AlertSignal;
import io.conversioni.config.EngineConfig;
import io.conversioni.reconcile.RecordedJournal;
import io.conversioni.reconcile.ReconciliationJob;
import io.conversioni.reconcile.ReconciliationSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report of a seeded day: a real journal, a real reconciliation run, an alert log. */
@Timeout(120)
class DailyReportTest {
    @TempDir
    Path data;

    @Test
    void shouldReportTheDaysEventsReconciliationAndAlerts() throws Exception {
        RecordedJournal.record(data);
        final EngineConfig config = RecordedJournal.config();
        Files.createDirectories(data.resolve("crm-export"));
        Files.writeString(data.resolve("crm-export/crm.csv"), RecordedJournal.crmExport());
        final ReconciliationJob job = new ReconciliationJob(config, data,
            ReconciliationSettings.read(config.reconciliation(), data), null, AlertSignal.NONE);
        job.run(Instant.parse("2024-05-20T15:00:00Z").toEpochMilli());
        Files.writeString(data.resolve("crm-export/crm-bis.csv"), RecordedJournal.crmExport()); // sent again
        job.run(Instant.parse("2024-05-20T15:02:00Z").toEpochMilli());
        final long dayStart = Instant.parse("2024-05-20T00:00:00Z").toEpochMilli();
        final AlertLog alerts = (from, to) -> from == dayStart ? Map.of("riconciliazione", 1L, "picco_duplicati", 2L) : Map.of();

        final String result = new ReportJob(config, data, alerts).run(Instant.parse("2024-05-21T00:10:00Z").toEpochMilli());
        assertEquals("2024-05-20 definitivo; 2024-05-21 aggiornato", result);
        final String json = Files.readString(data.resolve("reports/2024-05-20.json"));
        assertTrue(json.startsWith("{\"giorno\":\"2024-05-20\",\"generato_il\":\"2024-05-21T00:10:00Z\",\"parziale\":false,"
            + "\"eventi\":{\"ricevuti\":9,\"accettati\":6,\"duplicati\":2,\"rifiutati\":1,\"rifiutati_per_codice\":{\"enum\":1},"
            + "\"troppo_vecchi\":0,\"nel_futuro\":0,\"in_ritardo\":0,\"valore_accettato\":100.00},"
            + "\"riconciliazione\":{\"esecuzioni\":2,\"concordi\":0,\"discordi\":2,\"discordanze\":[{\"eseguita\":"
            + "\"2024-05-20T15:02:00Z\",\"volte\":2,\"fonte\":\"crm-bis.csv\",\"finestra\":\"2024-05-20T14:30:00Z\",\"evento\":"
            + "\"acquisto_concluso\",\"canale\":\"email\",\"motore\":{\"conteggio\":4,\"valore_totale\":100.00},"
            + "\"crm\":{\"conteggio\":4,\"valore_totale\":135.00},\"mancanti\":1,\"in_piu\":1,\"valore_diverso\":1}],"), json);
        assertTrue(json.contains("\"mancanti\":[{\"id_cliente\":\"CLIENTE-ROMA-000006\""), "the detail names the events");
        assertTrue(json.contains("\"dettaglio\":[{\"eseguita\":\"2024-05-20T15:00:00Z\"")
            && json.contains(",{\"eseguita\":\"2024-05-20T15:02:00Z\""), json);
        assertTrue(json.endsWith("\"allarmi\":{\"picco_duplicati\":2,\"riconciliazione\":1}}\n"), json);
        final String md = Files.readString(data.resolve("reports/2024-05-20.md"));
        assertTrue(md.startsWith("# Rapporto di integrità — 2024-05-20\n"), md);
        assertTrue(md.contains("| ricevuti | 9 |\n| accettati | 6 |\n| duplicati | 2 |\n| rifiutati | 1 |"), md);
        assertTrue(md.contains("| `enum` | 1 |"), md);
        assertTrue(md.contains("| 2024-05-20T15:02:00Z | 2 | crm-bis.csv | 2024-05-20T14:30:00Z | acquisto_concluso | email "
            + "| 4 (100.00) | 4 (135.00) | 1 | 1 | 1 |"), md);
        assertTrue(md.contains("| riconciliazione | 1 |"), md);
        assertTrue(Files.readString(data.resolve("reports/2024-05-21.json")).contains("\"parziale\":true"));
        assertEquals("2024-05-21 aggiornato",
            new ReportJob(config, data, alerts).run(Instant.parse("2024-05-21T01:10:00Z").toEpochMilli()),
            "yesterday's final report is written once");
    }
}
