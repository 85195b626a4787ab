package io.conversioni.cli;

import io.conversioni.config.EngineConfig;
import io.conversioni.pipeline.Engine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reconcile and report commands' contracts: exit codes and output, over a real journal. */
@Timeout(120)
class ReconcileCommandTest {
    private static final Path CONFIG = Path.of("..", "config");
    private static final String HEADER = "id_cliente,evento,canale,timestamp,valore\n";

    @TempDir
    static Path data;

    private static String event(final String id, final String time, final String valore) {
        return "{\"id_cliente\":\"CLIENTE-ROMA-" + id + "\",\"evento\":\"acquisto_concluso\",\"timestamp\":\"2024-05-20T"
            + time + "Z\",\"valore\":" + valore + ",\"canale\":\"email\",\"stato\":\"completato\"}";
    }

    /** Three purchases at 14:31 (one sent twice), an invalid one, and a later event that closes the window. */
    @BeforeAll
    static void record() throws Exception {
        final AtomicLong clock = new AtomicLong(Instant.parse("2024-05-20T14:35:00Z").toEpochMilli());
        try (Engine engine = Engine.create(EngineConfig.parse("", CONFIG), data, clock::get)) {
            engine.start();
            final String[] bodies = {event("000001", "14:31:00", "10"), event("000002", "14:31:10", "20"),
                event("000001", "14:31:00", "10"), event("000003", "14:31:20", "30"), event("000004", "14:31:30", "-5")};
            for (String b : bodies) {
                publish(engine, b);
            }
            clock.set(Instant.parse("2024-05-20T14:50:00Z").toEpochMilli());
            publish(engine, event("000009", "14:49:00", "1"));
        }
    }

    private static void publish(final Engine engine, final String body) throws InterruptedException {
        final CountDownLatch done = new CountDownLatch(1);
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertTrue(engine.tryPublish(bytes, 0, bytes.length, (e, a) -> done.countDown(), null));
        assertTrue(done.await(10, TimeUnit.SECONDS));
    }

    private static String[] run(final String... args) {
        return CliRun.run(args);
    }

    private static String export(final String name, final String text) throws Exception {
        return Files.writeString(data.resolveSibling(data.getFileName() + "-" + name), text).toString();
    }

    @Test
    void shouldExitZeroWhenTheCrmAgreesAndOneNamingTheMismatchWhenItDoesNot() throws Exception {
        final String agree = export("ok.csv", HEADER + "CLIENTE-ROMA-000001,acquisto_concluso,email,2024-05-20T14:31:00Z,10\n"
            + "CLIENTE-ROMA-000002,acquisto_concluso,email,2024-05-20T14:31:10Z,20.00\n"
            + "CLIENTE-ROMA-000003,acquisto_concluso,email,2024-05-20T14:31:20Z,30\n");
        final String[] ok = run("reconcile", "--crm-export", agree, "--data-dir", data.toString());
        assertEquals("0", ok[0], ok[1] + ok[2]);
        assertTrue(ok[1].startsWith("riconciliazione 2024-05-20T14:30:00Z .. 2024-05-20T14:35:00Z ("), ok[1]);
        assertTrue(ok[1].contains("): concorda\n  1 finestre chiuse confrontate, 0 aperte saltate; 1 coppie concordi, 0 discordi"),
            ok[1]);

        final String differ = export("ko.csv", HEADER + "CLIENTE-ROMA-000001,acquisto_concluso,email,2024-05-20T14:31:00Z,10\n"
            + "CLIENTE-ROMA-000002,acquisto_concluso,email,2024-05-20T14:31:10Z,25\n");
        final String[] table = run("reconcile", "--crm-export", differ, "--data-dir", data.toString(),
            "--from", "2024-05-20T14:30:00Z", "--to", "2024-05-20T15:00:00Z");
        assertEquals("1", table[0], table[1] + table[2]);
        assertTrue(table[1].contains("2024-05-20T14:30:00Z  acquisto_concluso    email                3        60.00        2        35.00"),
            table[1]);
        assertTrue(table[1].contains("in più    CLIENTE-ROMA-000003 acquisto_concluso email 2024-05-20T14:31:20Z 30.00"), table[1]);
        assertTrue(table[1].contains("valore    CLIENTE-ROMA-000002"), table[1]);
        assertTrue(table[2].contains("3 windows of the range are not closed yet and were not compared"), table[2]);

        final String[] json = run("reconcile", "--crm-export", differ, "--data-dir", data.toString(), "--format", "json");
        assertEquals("1", json[0]);
        assertTrue(json[1].startsWith("{\"da\":\"2024-05-20T14:30:00Z\",\"a\":\"2024-05-20T14:35:00Z\",\"fonte\":"), json[1]);
        assertTrue(json[1].contains("\"esito\":\"discorda\"") && json[1].contains("\"in_piu\":[{\"id_cliente\":\"CLIENTE-ROMA-000003\""),
            json[1]);
    }

    @Test
    void shouldExitTwoOnBadUsageAndBadInputWithTheReason() throws Exception {
        final String broken = export("rotto.csv", HEADER + "CLIENTE-ROMA-000001,acquisto_concluso,email,2024-05-20T14:31:00Z,dieci\n");
        final String[] bad = run("reconcile", "--crm-export", broken, "--data-dir", data.toString());
        assertEquals("2", bad[0]);
        assertTrue(bad[2].startsWith("error: " + Path.of(broken).getFileName() + ":2: valore 'dieci' is not a number"), bad[2]);
        assertEquals("", bad[1]);
        final String[] time = run("reconcile", "--crm-export", broken, "--from", "ieri", "--data-dir", data.toString());
        assertEquals("2", time[0]);
        assertEquals("error: --from and --to must be ISO instants such as 2024-05-20T14:00:00Z\n", time[2]);
        // a year Instant holds but epoch milliseconds do not: the same answer, not a stack trace
        final String[] far = run("reconcile", "--crm-export", broken, "--to", "+999999999-12-31T23:59:59Z",
            "--data-dir", data.toString());
        assertEquals("2", far[0]);
        assertEquals("error: --from and --to must be ISO instants such as 2024-05-20T14:00:00Z\n", far[2]);
        final String[] noSource = run("reconcile", "--data-dir", data.toString());
        assertEquals("2", noSource[0]);
        assertTrue(noSource[2].startsWith("error: give --crm-export FILE.csv, or configure reconciliation.source: http"));
        final String ok = export("vuoto.csv", HEADER + "CLIENTE-ROMA-000001,acquisto_concluso,email,2024-05-20T14:31:00Z,10\n");
        assertEquals("2", run("reconcile", "--crm-export", ok, "--data-dir", data.resolve("niente").toString())[0]);
        assertEquals("2", run("reconcile", "--crm-export", ok, "--data-dir", data.toString(), "--format", "xml")[0]);
        assertEquals("2", run("reconcile", "--crm-export", data.resolve("manca.csv").toString(), "--data-dir", data.toString())[0]);
        assertEquals("2", run("reconcile", "--bogus")[0]);
    }

    @Test
    void shouldWriteTheDaysReportAndPrintIt() throws Exception {
        final String[] r = run("report", "--day", "2024-05-20", "--data-dir", data.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith("# Rapporto di integrità — 2024-05-20\n"), r[1]);
        assertTrue(r[1].contains("| ricevuti | 6 |\n| accettati | 4 |\n| duplicati | 1 |\n| rifiutati | 1 |"), r[1]);
        assertTrue(r[1].contains("| `minimum` | 1 |"), r[1]);
        final String json = Files.readString(data.resolve("reports/2024-05-20.json"));
        assertTrue(json.contains("\"eventi\":{\"ricevuti\":6,\"accettati\":4,\"duplicati\":1,\"rifiutati\":1,"
            + "\"rifiutati_per_codice\":{\"minimum\":1}"), json);
        assertTrue(Files.exists(data.resolve("reports/2024-05-20.md")));
        assertTrue(r[2].startsWith("wrote "), r[2]);
        final String[] bad = run("report", "--day", "ieri", "--data-dir", data.toString());
        assertEquals("2", bad[0]);
        assertEquals("error: --day must be a date such as 2026-12-01, was 'ieri'\n", bad[2]);
        final String[] far = run("report", "--day", "+999999999-12-31", "--data-dir", data.toString());
        assertEquals("2", far[0], far[2]);
        assertEquals("error: --day must be a date such as 2026-12-01, was '+999999999-12-31'\n", far[2]);
        assertEquals("2", run("report", "--data-dir", data.resolve("niente").toString())[0]);
    }
}
