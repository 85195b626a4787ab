package io.conversioni.delivery;

import io.conversioni.alert.Alert;
import io.conversioni.alert.AlertSignal;
import io.conversioni.config.ConfigException;
import io.conversioni.config.EngineConfig;
import io.conversioni.delivery.ScriptedHttpServer.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each HTTP sink through failures (500, 429 + Retry-After, a timeout) to success, and to the dead letters. */
@Timeout(60)
class DeliveryServiceTest {
    static final Path CONFIG_DIR = Path.of("..", "config");
    static final long T0 = Instant.parse("2024-05-20T14:32:45.123Z").toEpochMilli();
    static final Alert ALERT = new Alert("7", "duplicati", "canale=email", T0, -1,
        "more than 3 duplicates in 600 s for canale email", 4, 3);

    @TempDir
    Path data;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    static DeliveryConfig config(final String yaml, final Map<String, String> env) throws ConfigException {
        return DeliveryConfig.read(EngineConfig.parse("delivery:\n" + yaml, CONFIG_DIR).delivery(), env::get);
    }

    private ScriptedHttpServer server(final Reply... replies) throws Exception {
        final ScriptedHttpServer s = new ScriptedHttpServer(replies);
        open.add(s);
        return s;
    }

    private DeliveryService service(final DeliveryConfig config) {
        final DeliveryService s = DeliveryService.start(config, data, () -> AlertSignal.NONE);
        open.add(s);
        return s;
    }

    static void await(final String what, final BooleanSupplier condition) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 15 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"webhook", "slack"})
    void shouldRetryThrough500And429AndATimeoutUntilItSucceedsHonouringRetryAfter(final String type) throws Exception {
        final ScriptedHttpServer hook = server(Reply.status(500), new Reply(429, "1", 0), new Reply(200, null, 1_500),
            Reply.ok());
        final DeliveryService delivery = service(config("  first_retry: 50ms\n  jitter: 0\n  timeout: 500ms\n"
            + "  sinks:\n    ops:\n      type: " + type + "\n      url: " + hook.url() + "\n"
            + (type.equals("webhook") ? "      header: Authorization\n      header_env: OPS_TOKEN\n" : ""),
            Map.of("OPS_TOKEN", "Bearer s3cret")));
        delivery.onChange(ALERT);
        await("delivered", () -> delivery.delivered() == 1);
        assertEquals(4, hook.received.size(), "500, 429, a timeout, then 200");
        final long afterRetryAfter = hook.received.get(2).atMillis() - hook.received.get(1).atMillis();
        assertTrue(afterRetryAfter >= 950, "Retry-After: 1 was honoured, waited " + afterRetryAfter + " ms");
        final long firstRetry = hook.received.get(1).atMillis() - hook.received.get(0).atMillis();
        assertTrue(firstRetry >= 45 && firstRetry < 900, "first retry after 50 ms, was " + firstRetry);
        final ScriptedHttpServer.Received last = hook.received.get(3);
        if (type.equals("webhook")) {
            assertEquals(ALERT.toJson(), last.body());
            assertEquals("Bearer s3cret", last.header("Authorization"));
        } else {
            assertEquals("{\"text\":\"[conversioni] ALLARME duplicati canale=email\\nmore than 3 duplicates in 600 s for "
                + "canale email\\naperto il 2024-05-20T14:32:45.123Z (allarme 7)\"}", last.body());
            assertEquals(null, last.header("Authorization"));
        }
        assertEquals("application/json", last.header("Content-Type"));
        assertEquals(0, delivery.deadLettered());
        try (var files = Files.list(data.resolve("delivery").resolve("pending"))) {
            assertEquals(0, files.count(), "nothing left pending");
        }
    }

    @Test
    void shouldSendSlackATextMessageAndDeadLetterWhatStillFailsAfterTheLastAttempt() throws Exception {
        final ScriptedHttpServer slack = server(Reply.status(503));
        final DeliveryService delivery = service(config("  first_retry: 20ms\n  max_attempts: 3\n  jitter: 0.5\n"
            + "  sinks:\n    slack:\n      type: slack\n      url: " + slack.url() + "\n", Map.of()));
        delivery.onChange(ALERT);
        await("dead-lettered", () -> delivery.deadLettered() == 1);
        assertEquals(3, slack.received.size());
        final String body = slack.received.get(0).body();
        assertTrue(body.startsWith("{\"text\":\"[conversioni] ALLARME duplicati canale=email\\nmore than 3 duplicates"), body);
        try (DeadLetters letters = DeadLetters.open(data)) {
            final List<DeadLetters.Letter> list = letters.list();
            assertEquals(1, list.size());
            assertEquals("slack", list.get(0).sink());
            assertEquals(3, list.get(0).attempts());
            assertTrue(list.get(0).lastError().startsWith("HTTP 503"), list.get(0).lastError());
        }
    }

    @Test
    void shouldDeadLetterAtOnceWhatTheSinkRefusesForGood() throws Exception {
        final ScriptedHttpServer hook = server(Reply.status(404));
        final DeliveryService delivery = service(config("  first_retry: 20ms\n  sinks:\n    ops:\n      url: "
            + hook.url() + "\n", Map.of()));
        delivery.onChange(ALERT);
        await("dead-lettered", () -> delivery.deadLettered() == 1);
        assertEquals(1, hook.received.size(), "a 404 is not retried");
    }

    @Test
    void shouldKeepPendingRetriesAcrossARestart() throws Exception {
        final ScriptedHttpServer hook = server(Reply.status(500));
        final String yaml = "  first_retry: 700ms\n  jitter: 0\n  sinks:\n    ops:\n      url: " + hook.url() + "\n";
        final DeliveryService first = service(config(yaml, Map.of()));
        first.onChange(ALERT);
        await("first attempt", () -> hook.received.size() == 1);
        await("the lane took the 500 and scheduled the retry", () -> first.failures() == 1);
        first.close();
        try (var files = Files.list(data.resolve("delivery").resolve("pending"))) {
            assertEquals(1, files.count(), "the retry is on disk");
        }
        hook.then(Reply.ok());
        final DeliveryService second = service(config(yaml, Map.of()));
        await("delivered after the restart", () -> second.delivered() == 1);
        assertEquals(2, hook.received.size());
        assertTrue(hook.received.get(1).atMillis() - hook.received.get(0).atMillis() >= 650,
            "the persisted due time was kept");
        assertEquals(ALERT.toJson(), hook.received.get(1).body());
    }

    @Test
    void shouldRefuseBadSinkSettingsNamingTheKey() {
        final Exception url = assertThrows(ConfigException.class,
            () -> config("  sinks:\n    ops:\n      type: webhook\n      url: ftp://x\n", Map.of()));
        assertTrue(url.getMessage().contains("delivery.sinks.ops.url"), url.getMessage());
        final Exception typo = assertThrows(ConfigException.class,
            () -> config("  sinks:\n    ops:\n      url: http://127.0.0.1:9/\n      retries: 3\n", Map.of()));
        assertTrue(typo.getMessage().contains("delivery.sinks.ops.retries"), typo.getMessage());
        final Exception rule = assertThrows(ConfigException.class,
            () -> config("  sinks:\n    ops:\n      url: http://127.0.0.1:9/\n      rules: [duplicate]\n", Map.of()));
        assertTrue(rule.getMessage().contains("rules"), rule.getMessage());
    }

    @Test
    void shouldReadTheShippedAlertsAndDeliverySections() throws Exception {
        final EngineConfig shipped = EngineConfig.load(CONFIG_DIR.resolve("conversioni.yaml"));
        assertTrue(io.conversioni.alert.AlertConfig.read(shipped.alerts()).enabled());
        final DeliveryConfig c = DeliveryConfig.read(shipped.delivery(), name -> null);
        assertEquals(30_000, c.firstRetryMillis);
        assertEquals(5, c.maxAttempts);
        assertTrue(c.sinks.isEmpty());
    }

    @Test
    void shouldGrowTheBackoffExponentiallyWithBoundedJitter() throws Exception {
        final DeliveryConfig c = config("  first_retry: 30s\n  max_backoff: 5m\n  jitter: 0.2\n", Map.of());
        assertEquals(30_000, c.backoffMillis(1, 0));
        assertEquals(36_000, c.backoffMillis(1, 1));
        assertEquals(60_000, c.backoffMillis(2, 0));
        assertEquals(240_000, c.backoffMillis(4, 0));
        assertEquals(300_000, c.backoffMillis(5, 0.9), "capped at max_backoff");
        final DeliveryConfig defaults = config("", Map.of());
        assertEquals(30_000, defaults.backoffMillis(1, 0), "the article's 30 s");
        assertEquals(5, defaults.maxAttempts);
    }
}
