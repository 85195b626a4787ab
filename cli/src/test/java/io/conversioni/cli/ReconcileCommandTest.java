package io.conversioni.cli;

import io.conversioni.cluster.KeyPartitions;
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
    void shouldCompareOnlyTheRowsOfTheGivenPartitionsAsTheNodeOwningThemDoes() throws Exception {
        final int p2 = KeyPartitions.partitionOf("CLIENTE-ROMA-000002", 6);
        long inP2 = 0; // of the three customers, those whose rows are in 000002's partition
        for (String id : new String[] {"000001", "000002", "000003"}) {
            inP2 += KeyPartitions.partitionOf("CLIENTE-ROMA-" + id, 6) == p2 ? 1 : 0;
        }
        final String config = export("cluster.yaml", "cluster:\n  bootstrap_servers: 127.0.0.1:9\n  partitions: 6\n"
            + "  node: a\n  owns: \"0-5\"\n");
        final String differ = export("ko-partizioni.csv", HEADER
            + "CLIENTE-ROMA-000001,acquisto_concluso,email,2024-05-20T14:31:00Z,10\n"
            + "CLIENTE-ROMA-000002,acquisto_concluso,email,2024-05-20T14:31:10Z,25\n"
            + "CLIENTE-ROMA-000003,acquisto_concluso,email,2024-05-20T14:31:20Z,30\n");
        final StringBuilder others = new StringBuilder(); // every partition but 000002's
        for (int p = 0; p < 6; p++) {
            if (p != p2) {
                others.append(others.length() == 0 ? "" : ",").append(p);
            }
        }

        final String[] agree = run("reconcile", "--crm-export", differ, "--data-dir", data.toString(), "--config", config,
            "--partitions", others.toString());
        assertEquals("0", agree[0], agree[1] + agree[2]);
        assertTrue(agree[1].contains("ko-partizioni.csv (partizioni " + others + ")): concorda"), agree[1]);
        assertTrue(agree[1].contains("eventi motore " + (3 - inP2) + ", CRM " + (3 - inP2) + " "), agree[1]);
        final String[] mismatch = run("reconcile", "--crm-export", differ, "--data-dir", data.toString(), "--config",
            config, "--partitions", Integer.toString(p2), "--format", "json");
        assertEquals("1", mismatch[0], mismatch[1] + mismatch[2]);
        assertTrue(mismatch[1].contains("\"eventi_motore\":" + inP2 + ",\"eventi_crm\":" + inP2 + ","), mismatch[1]);
        assertTrue(mismatch[1].contains("\"valore_diverso\":[{\"id_cliente\":\"CLIENTE-ROMA-000002\""), mismatch[1]);

        final String[] outside = run("reconcile", "--crm-export", differ, "--data-dir", data.toString(), "--config",
            config, "--partitions", "6");
        assertEquals("2", outside[0]);
        assertTrue(outside[2].startsWith("error: --partitions: partition 6 is outside 0-5"), outside[2]);
        final String[] single = run("reconcile", "--crm-export", differ, "--data-dir", data.toString(),
            "--partitions", "0");
        assertEquals("2", single[0]);
        assertEquals("error: --partitions needs a cluster: section in --config (cluster.partitions)\n", single[2]);
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
