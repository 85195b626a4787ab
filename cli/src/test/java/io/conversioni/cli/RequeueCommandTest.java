package io.conversioni.cli;

import io.conversioni.config.EngineConfig;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.Outcome;
import io.conversioni.pipeline.OfflineReplay;
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
class RequeueCommandTest {
    private static final Path CONFIG = Path.of("..", "config");

    @TempDir
    Path dir;

    private static String event(final String id) {
        return "{\"id_cliente\":\"" + id + "\",\"evento\":\"acquisto_concluso\",\"timestamp\":\"" + Instant.now()
            + "\",\"valore\":10,\"canale\":\"email\",\"stato\":\"completato\"}";
    }

    private static String[] run(final String... args) {
        return CliRun.run(args);
    }

    @Test
    void shouldRequeueQuarantinedEventsThatTodaysSchemaAcceptsOnceAndOnlyOnce() throws Exception {
        final Path data = dir.resolve("data");
        try (Engine engine = Engine.create(EngineConfig.parse("", CONFIG), data)) {
            engine.start();
            final String[] bodies = {event("CLIENTE-ROMA-000001"), event("CLIENTE-IT-000002"), event("CLIENTE-IT-000003")};
            final CountDownLatch done = new CountDownLatch(bodies.length);
            for (String b : bodies) {
                final byte[] bytes = b.getBytes(StandardCharsets.UTF_8);
                assertTrue(engine.tryPublish(bytes, 0, bytes.length, (e, a) -> done.countDown(), null));
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(2, engine.counters().outcomes(Outcome.REJECTED));
        }
        // the fix: two-letter country codes become valid
        final Path fixed = Files.createDirectories(dir.resolve("config"));
        Files.copy(CONFIG.resolve("conversioni.yaml"), fixed.resolve("conversioni.yaml"));
        Files.copy(CONFIG.resolve("costi.csv"), fixed.resolve("costi.csv"));
        Files.createDirectories(fixed.resolve("schema"));
        Files.writeString(fixed.resolve("schema/conversione.schema.json"),
            Files.readString(CONFIG.resolve("schema/conversione.schema.json")).replace("[A-Z]{4,}", "[A-Z]{2,}"));
        final String config = fixed.resolve("conversioni.yaml").toString();

        final String[] dry = run("requeue", "--config", config, "--data-dir", data.toString(), "--dry-run");
        assertEquals("0", dry[0], dry[2]);
        assertTrue(dry[1].startsWith("would requeue 2 of 2 quarantined events (still invalid: 0)"), dry[1]);

        final String[] first = run("requeue", "--config", config, "--data-dir", data.toString());
        assertEquals("0", first[0], first[2]);
        assertTrue(first[1].contains("requeued 2 of 2") && first[1].contains("accettati 2,"), first[1]);

        final String[] again = run("requeue", "--config", config, "--data-dir", data.toString());
        assertTrue(again[1].startsWith("requeued 0 of 0"), again[1]);

        final OfflineReplay state = OfflineReplay.recorded(EngineConfig.load(fixed.resolve("conversioni.yaml")), data);
        assertEquals(3, state.counters().outcomes(Outcome.ACCEPTED));
    }

    @Test
    void shouldNeverOfferATroppoVecchioEventSinceItIsNotQuarantined() throws Exception {
        final Path data = dir.resolve("old");
        try (Engine engine = Engine.create(EngineConfig.parse("", CONFIG), data)) {
            engine.start();
            final String twoDaysOld = event("CLIENTE-ROMA-000009").replaceFirst("\"timestamp\":\"[^\"]+\"",
                "\"timestamp\":\"" + Instant.now().minus(java.time.Duration.ofDays(2)) + "\"");
            final String[] bodies = {event("CLIENTE-ROMA-000008"), twoDaysOld, event("CLIENTE-IT-000003")};
            final int[] outcomes = new int[bodies.length];
            final CountDownLatch done = new CountDownLatch(bodies.length);
            for (int i = 0; i < bodies.length; i++) {
                final int at = i;
                final byte[] bytes = bodies[i].getBytes(StandardCharsets.UTF_8);
                assertTrue(engine.tryPublish(bytes, 0, bytes.length, (e, a) -> {
                    outcomes[at] = e.outcome();
                    done.countDown();
                }, null));
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(Outcome.TOO_LATE, outcomes[1]);
            assertEquals(Outcome.REJECTED, outcomes[2]);
        }
        final String[] dry = run("requeue", "--data-dir", data.toString(), "--dry-run");
        assertEquals("0", dry[0], dry[2]);
        assertTrue(dry[1].startsWith("would requeue 0 of 1 quarantined events (still invalid: 1)"), dry[1]);
        final String[] help = run("requeue", "--help");
        assertTrue(help[1].replaceAll("\\s+", " ").contains("troppo_vecchio ones are not, and are never offered"), help[1]);
    }

    @Test
    void shouldRefuseToRunWhileAnotherProcessHoldsTheDataFolder() throws Exception {
        final Path data = dir.resolve("busy");
        Files.createDirectories(data.resolve("journal").resolve("quarantine"));
        try (DataDirLock held = DataDirLock.tryAcquire(data)) {
            assertTrue(held != null);
            final String[] r = run("requeue", "--data-dir", data.toString());
            assertEquals("2", r[0]);
            assertTrue(r[2].contains("stop it first"), r[2]);
        }
    }
}
