package io.conversioni.reconcile;

import io.conversioni.config.EngineConfig;
import io.conversioni.pipeline.Engine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real engine and Chronicle journal in a temp folder, fed the seeded scenario the reconciliation tests
 * share, then closed: the journal is what a server would have left. Window 14:30 (5 min) of 2024-05-20.
 */
public final class RecordedJournal {
    public static final Path CONFIG_DIR = Path.of("..", "config");
    public static final long WINDOW = Instant.parse("2024-05-20T14:30:00Z").toEpochMilli();
    public static final long WINDOW_END = WINDOW + 300_000;

    private RecordedJournal() {
    }

    public static EngineConfig config() throws Exception {
        return EngineConfig.parse("", CONFIG_DIR);
    }

    public static String event(final String id, final String evento, final String time, final String valore,
                               final String canale) {
        return "{\"id_cliente\":\"" + id + "\",\"evento\":\"" + evento + "\",\"timestamp\":\"" + time + "\",\"valore\":"
            + valore + ",\"canale\":\"" + canale + "\",\"stato\":\"completato\"}";
    }

    /**
     * A (10.00), B (20.00), C (30.00), D (40.00) acquisto_concluso/email; A again (a duplicate); E richiesta_demo/sms
     * (0); H: A's customer buying again a minute later (the engine's proximity dedupe calls it a duplicate); an
     * invalid event (canale fax); then, 15 minutes later, an event that moves the watermark past the window.
     */
    public static void record(final Path dataDir) throws Exception {
        final AtomicLong clock = new AtomicLong(Instant.parse("2024-05-20T14:35:00Z").toEpochMilli());
        try (Engine engine = Engine.create(config(), dataDir, clock::get)) {
            engine.start();
            publish(engine,
                event("CLIENTE-ROMA-000001", "acquisto_concluso", "2024-05-20T14:31:00Z", "10.00", "email"),
                event("CLIENTE-ROMA-000002", "acquisto_concluso", "2024-05-20T14:31:10Z", "20.00", "email"),
                event("CLIENTE-ROMA-000003", "acquisto_concluso", "2024-05-20T14:31:20Z", "30.00", "email"),
                event("CLIENTE-ROMA-000004", "acquisto_concluso", "2024-05-20T14:31:30Z", "40.00", "email"),
                event("CLIENTE-ROMA-000001", "acquisto_concluso", "2024-05-20T14:31:00Z", "10.00", "email"),
                event("CLIENTE-ROMA-000005", "richiesta_demo", "2024-05-20T14:32:00Z", "0", "sms"),
                event("CLIENTE-ROMA-000001", "acquisto_concluso", "2024-05-20T14:32:00Z", "15.00", "email"),
                event("CLIENTE-ROMA-000007", "acquisto_concluso", "2024-05-20T14:33:00Z", "1", "fax"));
            clock.set(Instant.parse("2024-05-20T14:50:00Z").toEpochMilli());
            publish(engine, event("CLIENTE-ROMA-000009", "iscrizione_evento", "2024-05-20T14:49:00Z", "0", "webform"));
        }
    }

    private static void publish(final Engine engine, final String... bodies) throws InterruptedException {
        for (String b : bodies) { // one at a time: the journal's order is the list's order
            final CountDownLatch done = new CountDownLatch(1);
            final byte[] bytes = b.getBytes(StandardCharsets.UTF_8);
            assertTrue(engine.tryPublish(bytes, 0, bytes.length, (e, a) -> done.countDown(), null));
            assertTrue(done.await(10, TimeUnit.SECONDS), "no outcome within 10 s");
        }
    }

    /** The CRM's export: A, B, D at 45.00, E, and F (a purchase the engine never received). */
    public static String crmExport() {
        return "id_cliente,evento,canale,timestamp,valore,stato\n"
            + "CLIENTE-ROMA-000001,acquisto_concluso,email,2024-05-20T14:31:00Z,10.00,completato\n"
            + "CLIENTE-ROMA-000002,acquisto_concluso,email,2024-05-20T16:31:10+02:00,20,completato\n"
            + "CLIENTE-ROMA-000004,acquisto_concluso,email,2024-05-20T14:31:30.000Z,45.00,completato\n"
            + "CLIENTE-ROMA-000005,richiesta_demo,sms,2024-05-20T14:32:00Z,0,completato\n"
            + "CLIENTE-ROMA-000006,acquisto_concluso,email,2024-05-20T14:33:00Z,60.00,completato\n";
    }
}
