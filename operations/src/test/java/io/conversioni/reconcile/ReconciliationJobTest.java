package io.conversioni.reconcile;

import io.conversioni.alert.AlertSignal;
import io.conversioni.config.EngineConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scheduled job over a real journal: raises a mismatch, clears it once the CRM agrees. */
@Timeout(120)
class ReconciliationJobTest {
    private static final String EMAIL = "2024-05-20T14:30:00Z/acquisto_concluso/email";
    private static final String SMS = "2024-05-20T14:30:00Z/richiesta_demo/sms";
    private static final long NOW = Instant.parse("2024-05-20T15:00:00Z").toEpochMilli();

    @TempDir
    Path data;

    private final Recording alerts = new Recording();

    /** A test double of our own interface: records each call. */
    static final class Recording implements AlertSignal {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void raise(final String regola, final String chiave, final String messaggio, final long atEpochMillis) {
            calls.add("raise " + regola + " " + chiave + " | " + messaggio);
        }

        @Override
        public void clear(final String regola, final String chiave, final long atEpochMillis) {
            calls.add("clear " + regola + " " + chiave);
        }

        long count(final String prefix) {
            return calls.stream().filter(c -> c.startsWith(prefix)).count();
        }
    }

    @BeforeEach
    void record() throws Exception {
        RecordedJournal.record(data);
    }

    private ReconciliationJob job(final String yaml) throws Exception {
        final EngineConfig config = EngineConfig.parse(yaml, RecordedJournal.CONFIG_DIR);
        final ReconciliationSettings settings = ReconciliationSettings.read(config.reconciliation(), data);
        return new ReconciliationJob(config, data, settings,
            settings.source().equals("http") ? new HttpCrmSource(settings.http(), null) : null, alerts);
    }

    @Test
    void shouldRaiseForADroppedExportThatDisagreesAndClearWhenACorrectedOneAgrees() throws Exception {
        final ReconciliationJob job = job("");
        assertTrue(job.run(NOW).startsWith("nessun export nuovo"));
        final Path folder = data.resolve("crm-export");
        Files.writeString(folder.resolve("a.csv"), RecordedJournal.crmExport());
        assertEquals("a.csv: discorda (1 finestre, 1 coppie concordi, 1 discordi)", job.run(NOW));
        assertEquals(List.of("raise riconciliazione " + EMAIL + " | riconciliazione " + EMAIL
            + ": motore 4 eventi 100.00, CRM 4 eventi 135.00; mancanti 1; in più 1; valore diverso 1",
            "clear riconciliazione " + SMS), alerts.calls);
        assertTrue(Files.exists(folder.resolve("elaborati/a.csv")));
        assertEquals(List.of(EMAIL), List.copyOf(job.openKeys()));

        Files.writeString(folder.resolve("b.csv"), "id_cliente,evento,canale,timestamp,valore\n"
            + "CLIENTE-ROMA-000001,acquisto_concluso,email,2024-05-20T14:31:00Z,10.00\n"
            + "CLIENTE-ROMA-000002,acquisto_concluso,email,2024-05-20T14:31:10Z,20.00\n"
            + "CLIENTE-ROMA-000003,acquisto_concluso,email,2024-05-20T14:31:20Z,30.00\n"
            + "CLIENTE-ROMA-000004,acquisto_concluso,email,2024-05-20T14:31:30Z,40.00\n"
            + "CLIENTE-ROMA-000005,richiesta_demo,sms,2024-05-20T14:32:00Z,0\n");
        assertEquals("b.csv: concorda (1 finestre, 2 coppie concordi, 0 discordi)", job.run(NOW));
        assertEquals(List.of("clear riconciliazione " + EMAIL, "clear riconciliazione " + SMS),
            alerts.calls.subList(2, alerts.calls.size()));
        assertTrue(job.openKeys().isEmpty());
        final List<String> runs = new ReconciliationLog(data).read(LocalDate.parse("2024-05-20"));
        assertEquals(2, runs.size());
        assertTrue(runs.get(0).startsWith("{\"eseguita\":\"2024-05-20T15:00:00Z\",\"da\":\"2024-05-20T14:30:00Z\""), runs.get(0));
    }

    @Test
    void shouldSetAsideAMalformedExportNamingItsLineAndKeepOneWhoseWindowsAreStillOpen() throws Exception {
        final ReconciliationJob job = job("reconciliation:\n  csv:\n    folder: esportazioni\n");
        final Path folder = data.resolve("esportazioni");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("rotto.csv"), "id_cliente,evento,canale,timestamp,valore\nx,y,z,ieri,1\n");
        Files.writeString(folder.resolve("presto.csv"), "id_cliente,evento,canale,timestamp,valore\n"
            + "CLIENTE-ROMA-000009,iscrizione_evento,webform,2024-05-20T14:49:00Z,0\n");
        final Exception e = assertThrows(CrmSourceException.class, () -> job.run(NOW));
        assertEquals("rotto.csv:2: timestamp 'ieri' is not an RFC 3339 instant such as 2024-05-20T14:32:45.123Z",
            e.getMessage());
        assertTrue(Files.exists(folder.resolve("scartati/rotto.csv")));
        assertTrue(Files.exists(folder.resolve("presto.csv")), "its window is still open: it waits");
        assertEquals("presto.csv: in attesa (finestre ancora aperte)", job.run(NOW));
        assertEquals(0, alerts.count("raise"));
    }

    @Test
    void shouldAskTheCrmEndpointEachRunAndClearOnceItAgrees() throws Exception {
        try (LoopbackCrm crm = new LoopbackCrm()) {
            final ReconciliationJob job = job("reconciliation:\n  source: http\n  lookback: 1h\n  http:\n    url: \""
                + crm.url() + "\"\n");
            crm.body = "{\"eventi\":[{\"id_cliente\":\"CLIENTE-ROMA-000005\",\"evento\":\"richiesta_demo\","
                + "\"canale\":\"sms\",\"timestamp\":\"2024-05-20T14:32:00Z\",\"valore\":0}]}";
            assertTrue(job.run(NOW).startsWith("discorda (9 finestre, 1 coppie concordi, 1 discordi)"));
            assertEquals(1, alerts.count("raise riconciliazione " + EMAIL));
            assertEquals("da=2024-05-20T14%3A00%3A00Z&a=2024-05-20T15%3A00%3A00Z", crm.queries.get(0));
            crm.body = "{\"eventi\":[" + item("000001", "14:31:00Z", "10.00") + "," + item("000002", "14:31:10Z", "20")
                + "," + item("000003", "14:31:20Z", "30") + "," + item("000004", "14:31:30Z", "40") + ","
                + "{\"id_cliente\":\"CLIENTE-ROMA-000005\",\"evento\":\"richiesta_demo\",\"canale\":\"sms\","
                + "\"timestamp\":\"2024-05-20T14:32:00Z\",\"valore\":0}]}";
            final int before = alerts.calls.size();
            assertTrue(job.run(NOW).startsWith("concorda"));
            assertTrue(alerts.calls.subList(before, alerts.calls.size()).contains("clear riconciliazione " + EMAIL));
            assertEquals(1, alerts.count("raise"));
            crm.status = 500;
            assertThrows(CrmSourceException.class, () -> job.run(NOW));
            assertFalse(alerts.calls.get(alerts.calls.size() - 1).startsWith("raise"), "a failed fetch is not a mismatch");
        }
    }

    private static String item(final String id, final String time, final String valore) {
        return "{\"id_cliente\":\"CLIENTE-ROMA-" + id + "\",\"evento\":\"acquisto_concluso\",\"canale\":\"email\","
            + "\"timestamp\":\"2024-05-20T" + time + "\",\"valore\":" + valore + "}";
    }
}
