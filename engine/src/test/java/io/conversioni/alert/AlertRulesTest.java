package io.conversioni.alert;

import io.conversioni.config.ConfigReader;
import io.conversioni.config.EngineConfig;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.EventView;
import io.conversioni.pipeline.OutcomeListener;
import io.conversioni.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each stream rule driven through a real engine (real journal in a temp dir) to fire and to resolve. */
@Timeout(60)
class AlertRulesTest {
    static final Path CONFIG_DIR = Path.of("..", "config");
    static final long T0 = Instant.parse("2024-05-20T14:32:45.123Z").toEpochMilli();

    @TempDir
    Path data;

    final AtomicLong now = new AtomicLong(T0);
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<Alert> changes = java.util.Collections.synchronizedList(new ArrayList<>());
    private final BlockingQueue<Integer> outcomes = new ArrayBlockingQueue<>(10_000);
    private final OutcomeListener collector = (EventView e, Object a) -> outcomes.add(e.outcome());
    private Engine engine;
    private AlertService alerts;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private void start(final String alertsYaml) throws Exception {
        final EngineConfig config = EngineConfig.parse("pipeline:\n  heartbeat: 20ms\nalerts:\n" + alertsYaml, CONFIG_DIR);
        engine = Engine.create(config, data, now::get);
        alerts = AlertService.attach(AlertConfig.read(config.alerts()), data, engine, changes::add);
        open.add(engine);
        open.add(alerts);
        engine.start();
    }

    private void stop() {
        engine.close();
        alerts.close();
        open.clear();
    }

    /** An event of the shipped schema; {@code n} makes the id_cliente distinct. */
    static String event(final int n, final long time, final String canale) {
        return event(String.format("CLIENTE-ROMA-%06d", n), time, canale);
    }

    static String event(final String id, final long time, final String canale) {
        return "{\"id_cliente\":\"" + id + "\",\"evento\":\"richiesta_demo\",\"timestamp\":\"" + Instant.ofEpochMilli(time)
            + "\",\"valore\":0,\"canale\":\"" + canale + "\",\"stato\":\"completato\"}";
    }

    private void publish(final String body) throws InterruptedException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertTrue(engine.tryPublish(bytes, 0, bytes.length, collector, null));
        assertNotNull(outcomes.poll(10, TimeUnit.SECONDS), "no outcome within 10 s");
    }

    private static void await(final String what, final BooleanSupplier condition) {
        Await.until(what, java.time.Duration.ofSeconds(10), condition);
    }

    private Alert only(final String stato, final String regola, final String chiave) {
        Alert found = null;
        for (Alert a : alerts.alerts(stato)) {
            if (a.regola().equals(regola) && a.chiave().equals(chiave)) {
                assertEquals(null, found, "one alert per episode: " + alerts.alerts("tutti"));
                found = a;
            }
        }
        return found;
    }

    /** Waits until the rules thread has seen stream time {@code atLeast} (a heartbeat carried it). */
    private void heartbeatsReach(final long atLeast) throws InterruptedException {
        now.set(atLeast);
        // a heartbeat stamped at atLeast reached the rules thread, and the rules were evaluated at that stream time
        await("the rules evaluated at stream time " + atLeast, () -> alerts.evaluatedThroughMillis() >= atLeast);
    }

    @Test
    void shouldOpenButNotNotifyWhatReplayedRecordsRaiseAndNotifyTheResolution() throws Exception {
        start("  duplicati:\n    threshold: 3\n    window: 10m\n");
        final byte[] body = event("CLIENTE-ITALIA-789456", T0, "email").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 5; i++) { // a replacement node rebuilding: the node it replaces notified these
            assertTrue(engine.tryPublishRecord(body, 0, body.length, T0, 0, i, collector, Engine.REPLAYED));
            assertNotNull(outcomes.poll(10, TimeUnit.SECONDS), "no outcome within 10 s");
        }
        await("duplicati alerts opened from the replayed records", () -> alerts.alerts("aperto").size() == 2);
        assertTrue(changes.isEmpty(), "nothing notified for replayed records: " + changes);
        assertTrue(engine.tryPublishRecord(body, 0, body.length, T0 + 1_000, 0, 5, collector, null)); // live again
        assertNotNull(outcomes.poll(10, TimeUnit.SECONDS), "no outcome within 10 s");
        heartbeatsReach(T0 + 11 * 60_000);
        await("resolved", () -> alerts.alerts("risolto").size() == 2);
        await("the resolutions notified", () -> changes.size() == 2);
        for (Alert a : changes) {
            assertEquals("risolto", a.stato(), changes.toString());
        }
    }

    @Test
    void shouldFireDuplicatiPerCanaleAndPerClienteOnTheFourthDuplicateAndResolveOnceTheWindowHasPassed() throws Exception {
        start("  duplicati:\n    threshold: 3\n    window: 10m\n");
        final String body = event("CLIENTE-ITALIA-789456", T0, "email");
        for (int i = 0; i < 4; i++) {
            publish(body); // the original and three duplicates: not more than 3
        }
        heartbeatsReach(T0 + 1_000);
        assertTrue(alerts.alerts("tutti").isEmpty(), alerts.alerts("tutti").toString());
        publish(body);
        await("duplicati alerts", () -> alerts.alerts("aperto").size() == 2);
        final Alert perCanale = only("aperto", "duplicati", "canale=email");
        final Alert perCliente = only("aperto", "duplicati", "id_cliente=CLIENTE-ITALIA-789456");
        assertNotNull(perCanale);
        assertNotNull(perCliente);
        assertEquals(4.0, perCanale.valore());
        assertEquals(3.0, perCanale.soglia());
        publish(body); // the same episode: no second alert
        heartbeatsReach(T0 + 9 * 60_000);
        assertEquals(2, alerts.alerts("aperto").size());
        heartbeatsReach(T0 + 11 * 60_000);
        await("resolved", () -> alerts.alerts("risolto").size() == 2);
        assertEquals(T0 + 11 * 60_000, only("risolto", "duplicati", "canale=email").risoltoIl(), 1_000);
        assertEquals(2L, alerts.firedTotalByRule().get("duplicati"));
    }

    @Test
    void shouldFireRifiutiOverTheShareWithEnoughEventsAndResolveAfterTheHoldDown() throws Exception {
        start("  rifiuti:\n    threshold: 0.2\n    min_events: 10\n    window: 1m\n    resolve_after: 30s\n");
        for (int i = 0; i < 8; i++) {
            publish(event(i, T0, "sms"));
        }
        publish(event(100, T0, "fax"));
        publish("{\"id_cliente\":");
        heartbeatsReach(T0 + 1_000);
        assertTrue(alerts.alerts("tutti").isEmpty(), "2 of 10 is not over 20%");
        publish(event(101, T0, "piccione"));
        await("rifiuti alert", () -> only("aperto", "rifiuti", "totale") != null);
        final Alert a = only("aperto", "rifiuti", "totale");
        assertEquals(3.0 / 11, a.valore(), 1e-9);
        assertTrue(a.messaggio().contains("enum"), a.messaggio());
        heartbeatsReach(T0 + 70_000); // the window has passed: too few events, the condition lapses
        assertNotNull(only("aperto", "rifiuti", "totale"), "held down for 30 s");
        heartbeatsReach(T0 + 105_000);
        await("resolved after the hold-down", () -> only("risolto", "rifiuti", "totale") != null);
    }

    @Test
    void shouldFireDerivaOrologioWhenTheP99SkewOfACanaleIsOverTheThresholdAndResolveAfterAGoodWindow() throws Exception {
        start("  deriva_orologio:\n    threshold: 10ms\n    min_events: 5\n    window: 1m\n");
        final long windowStart = Math.floorDiv(T0, 60_000) * 60_000;
        now.set(windowStart + 1_000);
        for (int i = 0; i < 5; i++) {
            publish(event(i, now.get() - 2, "webform"));
        }
        heartbeatsReach(windowStart + 2_000);
        assertTrue(alerts.alerts("tutti").isEmpty(), "2 ms is within 10 ms");
        for (int i = 0; i < 5; i++) {
            publish(event(10 + i, now.get() - 250, "webform"));
        }
        await("deriva alert", () -> only("aperto", "deriva_orologio", "canale=webform") != null);
        assertEquals(250.0, only("aperto", "deriva_orologio", "canale=webform").valore(), 3.0);
        now.set(windowStart + 61_000);
        for (int i = 0; i < 5; i++) {
            publish(event(20 + i, now.get() - 1, "webform"));
        }
        assertNotNull(only("aperto", "deriva_orologio", "canale=webform"), "the bad window was judged whole: still open");
        heartbeatsReach(windowStart + 121_000);
        await("resolved after a good window", () -> only("risolto", "deriva_orologio", "canale=webform") != null);
    }

    @Test
    void shouldFireSilenzioForACanaleThatWentQuietAndResolveWithItsNextEvent() throws Exception {
        start("  silenzio:\n    after: 2s\n");
        publish(event(1, T0, "sms"));
        heartbeatsReach(T0 + 1_000);
        assertTrue(alerts.alerts("tutti").isEmpty());
        heartbeatsReach(T0 + 3_000);
        await("silenzio alert", () -> only("aperto", "silenzio", "canale=sms") != null);
        assertEquals(1, alerts.alerts("tutti").size(), "canali that never sent are not silent");
        now.set(T0 + 4_000);
        publish(event(2, T0 + 3_900, "sms"));
        await("resolved", () -> only("risolto", "silenzio", "canale=sms") != null);
        assertEquals(T0 + 4_000, only("risolto", "silenzio", "canale=sms").risoltoIl());
    }

    @Test
    void shouldTurnSignalsIntoOneAlertPerEpisodeAndKeepOpenAlertsOpenAcrossARestart() throws Exception {
        start("");
        alerts.raise("riconciliazione", "finestra=2024-05-20T14:30:00Z evento=acquisto_concluso canale=email",
            "CRM counts 12, engine 11", T0);
        alerts.raise("riconciliazione", "finestra=2024-05-20T14:30:00Z evento=acquisto_concluso canale=email",
            "CRM counts 12, engine 11", T0 + 120_000);
        alerts.raise("consegna_fallita", "sink=slack", "5 attempts failed", T0 + 1);
        await("two alerts", () -> alerts.alerts("aperto").size() == 2);
        alerts.clear("riconciliazione", "finestra=2024-05-20T14:30:00Z evento=acquisto_concluso canale=email", T0 + 240_000);
        await("one resolved", () -> alerts.alerts("risolto").size() == 1);
        assertEquals("consegna_fallita", alerts.alerts("tutti").get(0).regola(), "newest first");
        stop();

        start("");
        assertEquals(1, alerts.alerts("aperto").size());
        final Alert kept = alerts.alerts("aperto").get(0);
        assertEquals("sink=slack", kept.chiave());
        assertEquals(1, alerts.alerts("risolto").size());
        assertEquals(T0 + 240_000, alerts.alerts("risolto").get(0).risoltoIl());
        alerts.raise("consegna_fallita", "sink=slack", "still failing", T0 + 300_000);
        alerts.clear("consegna_fallita", "sink=slack", T0 + 360_000);
        await("resolved after the restart", () -> alerts.alerts("aperto").isEmpty());
        assertEquals(2, alerts.alerts("tutti").size(), "the reloaded alert resolved; no new one opened");
        assertEquals(java.util.Map.of("consegna_fallita", 1L, "riconciliazione", 1L), alerts.firedByRule(T0, T0 + 1_000_000));
        assertEquals(java.util.Map.of(), alerts.firedByRule(T0 + 2, T0 + 1_000_000));
    }

    @Test
    void shouldKeepEveryStreamRuleOpenAlertOpenAcrossARestartWithoutTellingTheListener() throws Exception {
        final String yaml = "  duplicati:\n    threshold: 3\n    window: 10m\n  rifiuti:\n    threshold: 0.2\n"
            + "    min_events: 5\n    window: 5m\n  deriva_orologio:\n    threshold: 10ms\n    min_events: 5\n"
            + "    window: 10m\n  silenzio:\n    after: 2s\n";
        final long windowStart = Math.floorDiv(T0, 600_000) * 600_000;
        now.set(windowStart + 1_000);
        start(yaml);
        final String body = event("CLIENTE-ITALIA-789456", now.get() - 500, "email");
        for (int i = 0; i < 6; i++) {
            publish(body); // five duplicates: duplicati per canale and per cliente; skew 500 ms: deriva
        }
        publish("{\"id_cliente\":");
        publish("{\"id_cliente\":"); // 2 of 8 rejected: rifiuti
        heartbeatsReach(windowStart + 4_000); // email quiet for 3 s: silenzio
        await("five open alerts", () -> alerts.alerts("aperto").size() == 5);
        final List<Alert> before = alerts.alerts("aperto");
        stop();
        changes.clear();

        start(yaml);
        now.set(windowStart + 5_000);
        await("an evaluation after the restart", () -> alerts.evaluatedThroughMillis() >= windowStart + 5_000);
        assertEquals(before, alerts.alerts("aperto"), "every condition still holds: nothing resolved");
        assertEquals(List.of(), changes, "no notice to the listener");
        heartbeatsReach(windowStart + 11 * 60_000 + 1_000); // the duplicates and rejections have left their windows
        await("duplicati and rifiuti resolve once their windows passed",
            () -> alerts.alerts("risolto").stream().filter(a -> !a.regola().equals("deriva_orologio")).count() == 3);
    }

    @Test
    void shouldNotCallACanaleSilentBecauseTheServerItselfWasStopped() throws Exception {
        final String yaml = "  silenzio:\n    after: 2s\n";
        start(yaml);
        publish(event(1, T0, "email"));
        heartbeatsReach(T0 + 500);
        stop();

        now.set(T0 + 60_000); // a minute down: email sent nothing to a stopped server
        start(yaml);
        await("an evaluation after the restart", () -> alerts.evaluatedThroughMillis() >= T0 + 60_000);
        assertEquals(List.of(), alerts.alerts("aperto"), "quiet only since this start counts");
        assertEquals(List.of(), changes);
        publish(event(2, T0 + 60_000, "email"));
        heartbeatsReach(T0 + 63_000);
        await("silenzio once email, heard from since the start, is quiet for 2 s",
            () -> only("aperto", "silenzio", "canale=email") != null);
    }

    @Test
    void shouldRefuseUnknownAlertSettingsNamingTheKey() throws Exception {
        final EngineConfig config = EngineConfig.parse("alerts:\n  duplicati:\n    treshold: 3\n", CONFIG_DIR);
        final ConfigReader section = config.alerts();
        final Exception e = org.junit.jupiter.api.Assertions.assertThrows(io.conversioni.config.ConfigException.class,
            () -> AlertConfig.read(section));
        assertTrue(e.getMessage().contains("alerts.duplicati.treshold"), e.getMessage());
    }
}
