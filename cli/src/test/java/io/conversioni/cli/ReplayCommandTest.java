package io.conversioni.cli;

import io.conversioni.config.EngineConfig;
import io.conversioni.pipeline.Engine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class ReplayCommandTest {
    private static final Path CONFIG = Path.of("..", "config");
    private static final long T0 = Instant.parse("2024-05-20T14:32:45.123Z").toEpochMilli();

    @TempDir
    Path data;

    private static String event(final String id, final String valore, final String canale) {
        return "{\"id_cliente\":\"" + id + "\",\"evento\":\"acquisto_concluso\",\"timestamp\":\"2024-05-20T14:32:45.123Z\","
            + "\"valore\":" + valore + ",\"canale\":\"" + canale + "\",\"stato\":\"completato\"}";
    }

    private void record() throws Exception {
        record(T0 + 5_000);
    }

    /** The seeded bodies, all dated 14:32:45, received at {@code receiveMillis}. */
    private void record(final long receiveMillis) throws Exception {
        final String[] bodies = {event("CLIENTE-ROMA-000001", "10", "email"), event("CLIENTE-ROMA-000002", "500", "sms"),
            event("CLIENTE-ROMA-000003", "20", "email"), event("CLIENTE-ROMA-000004", "1", "fax"),
            event("CLIENTE-ROMA-000001", "10", "email")};
        try (Engine engine = Engine.create(EngineConfig.parse("", CONFIG), data, () -> receiveMillis)) {
            engine.start();
            final CountDownLatch done = new CountDownLatch(bodies.length);
            for (String b : bodies) {
                final byte[] bytes = b.getBytes(StandardCharsets.UTF_8);
                assertTrue(engine.tryPublish(bytes, 0, bytes.length, (e, a) -> done.countDown(), null));
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
        }
    }

    private static String[] run(final String... args) {
        return CliRun.run(args);
    }

    @Test
    void shouldRebuildTheWindowsFromTheJournalAndPrintThemInEachFormat() throws Exception {
        record();
        final String config = CONFIG.resolve("conversioni.yaml").toString();
        final String[] json = run("replay", "--config", config, "--data-dir", data.toString(), "--format", "json",
            "--from", "2024-05-20T14:00:00Z", "--to", "2024-05-20T15:00:00Z");
        assertEquals("0", json[0], json[2]);
        assertTrue(json[1].contains("\"totale\":{\"accettati\":3,\"duplicati\":1,\"rifiutati\":1,\"in_ritardo\":0,"
            + "\"valore_totale\":530.00}"), json[1]);
        final String[] table = run("replay", "--config", config, "--data-dir", data.toString());
        assertEquals("0", table[0], table[2]);
        assertTrue(table[1].contains("2024-05-20T14:30:00Z") && table[1].contains("email"), table[1]);
        final String[] csv = run("replay", "--config", config, "--data-dir", data.toString(), "--format", "csv", "--per", "evento");
        assertTrue(csv[1].startsWith("inizio,fine,chiusa,revisione,chiave,accettati"), csv[1]);
        assertTrue(csv[1].contains(",acquisto_concluso,3,1,0,0,530.00"), csv[1]);
    }

    @Test
    void shouldShowWhichWindowCountersAStricterSchemaWouldChange() throws Exception {
        record();
        final Path stricter = data.resolveSibling(data.getFileName() + "-stricter.json");
        Files.writeString(stricter, Files.readString(CONFIG.resolve("schema/conversione.schema.json"))
            .replace("\"maximum\": 1000000000", "\"maximum\": 100"));
        final String[] diff = run("replay", "--config", CONFIG.resolve("conversioni.yaml").toString(), "--data-dir",
            data.toString(), "--schema", stricter.toString(), "--format", "csv");
        assertEquals("0", diff[0], diff[2]);
        assertTrue(diff[1].contains("2024-05-20T14:30:00Z,totale,accettati,3,2"), diff[1]);
        assertTrue(diff[1].contains("2024-05-20T14:30:00Z,totale,rifiutati,1,2"), diff[1]);
        assertTrue(diff[1].contains("2024-05-20T14:30:00Z,sms,accettati,1,0"), diff[1]);
        assertTrue(diff[1].contains("2024-05-20T14:30:00Z,totale,valore_totale,530.00,30.00"), diff[1]);
    }

    @Test
    void shouldBookANewlyRejectedEventInTheWindowItWasCountedInNotTheWindowOfItsReceiveTime() throws Exception {
        record(T0 + 20 * 60_000); // dated 14:32:45, received 14:52:45: counted in 14:30, a rejection lands in 14:50
        final Path stricter = data.resolveSibling(data.getFileName() + "-stricter.json");
        Files.writeString(stricter, Files.readString(CONFIG.resolve("schema/conversione.schema.json"))
            .replace("\"maximum\": 1000000000", "\"maximum\": 100"));
        final String[] diff = run("replay", "--config", CONFIG.resolve("conversioni.yaml").toString(), "--data-dir",
            data.toString(), "--schema", stricter.toString(), "--format", "csv");
        assertEquals("0", diff[0], diff[2]);
        assertEquals("finestra,chiave,campo,registrato,con_nuovo_schema\n"
            + "2024-05-20T14:30:00Z,totale,accettati,3,2\n"
            + "2024-05-20T14:30:00Z,totale,rifiutati,0,1\n"
            + "2024-05-20T14:30:00Z,totale,valore_totale,530.00,30.00\n"
            + "2024-05-20T14:30:00Z,sms,accettati,1,0\n"
            + "2024-05-20T14:30:00Z,sms,valore_totale,500.00,0.00\n", diff[1],
            "the 500 sms purchase moves from accettati to rifiutati in its own window; the live rejection (fax) stays in 14:50");
    }

    @Test
    void shouldRefuseAFolderWithoutAJournalAndBadOptions() throws Exception {
        assertEquals("2", run("replay", "--data-dir", data.resolve("nothing").toString())[0]);
        assertEquals("2", run("replay", "--data-dir", data.toString(), "--format", "xml")[0]);
        record();
        for (String instant : new String[] {"ieri", "-999999999-01-01T00:00:00Z"}) { // the second: past epoch millis
            final String[] bad = run("replay", "--data-dir", data.toString(), "--from", instant);
            assertEquals("2", bad[0], bad[2]);
            assertEquals("error: --from and --to must be ISO instants such as 2024-05-20T14:00:00Z\n", bad[2]);
        }
    }
}
