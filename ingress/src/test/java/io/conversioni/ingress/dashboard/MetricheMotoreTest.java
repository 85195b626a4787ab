package io.conversioni.ingress.dashboard;

import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.metrics.EngineSampler;
import io.conversioni.json.JsonTree;
import io.conversioni.pipeline.Engine;
import io.conversioni.window.MetricheQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code motore} object the server adds to the metriche JSON, over a real server; the old fields stay as they were. */
@Timeout(60)
class MetricheMotoreTest {
    private static final List<String> MOTORE_FIELDS = List.of("latenza_insight_p50_us", "latenza_insight_p99_us",
        "latenza_insight_campioni", "eventi_al_secondo", "eventi_totali", "anello_occupati", "anello_capacita");

    @TempDir
    static Path data;
    private static LiveServer live;
    private static String token;
    private static int cliente;

    @BeforeAll
    static void start() throws Exception {
        live = new LiveServer(data);
        token = live.token("test");
    }

    @AfterAll
    static void stop() {
        live.close();
    }

    @Test
    void shouldAppendMotoreAfterTheDocumentedFieldsWithLatencyOnceEventsWereCounted() throws Exception {
        post(3);
        Map<?, ?> metriche = null;
        Map<?, ?> motore = null;
        final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) { // latency is published at a heartbeat, sampled once a second
            metriche = (Map<?, ?>) JsonTree.parse(live.get("/api/v1/metriche", "Authorization", "Bearer " + token).body());
            motore = (Map<?, ?>) metriche.get("motore");
            if (motore.get("latenza_insight_p50_us") instanceof BigDecimal) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals(List.of("da", "a", "per", "durata_finestra_ms", "totale", "finestre", "costi", "motore"),
            new ArrayList<>(metriche.keySet()));
        assertEquals(List.of("accettati", "duplicati", "rifiutati", "in_ritardo", "valore_totale"),
            new ArrayList<>(((Map<?, ?>) metriche.get("totale")).keySet()));
        assertEquals(MOTORE_FIELDS, new ArrayList<>(motore.keySet()));
        final BigDecimal p50 = (BigDecimal) motore.get("latenza_insight_p50_us");
        final BigDecimal p99 = (BigDecimal) motore.get("latenza_insight_p99_us");
        assertTrue(p50.signum() > 0 && p50.compareTo(p99) <= 0, p50 + " / " + p99);
        assertTrue(((BigDecimal) motore.get("latenza_insight_campioni")).longValue() >= 3, motore.toString());
        assertEquals(live.engine.ringSize(), ((BigDecimal) motore.get("anello_capacita")).intValue());

        final long now = System.currentTimeMillis();
        final String offline = new MetricheQuery(live.engine.windows(), live.engine.config())
            .render(now - 3_600_000L, now, "canale");
        assertFalse(offline.contains("motore"), "replay's JSON must keep the old shape: " + offline);
    }

    @Test
    void shouldMeasureTheIngestRateOverTheSamplingInterval() throws Exception {
        final AtomicLong nanos = new AtomicLong(1_000_000_000L);
        final EngineSampler sampler = new EngineSampler(live.engine, nanos::get);
        final long before = number(sampler.json(), "eventi_totali");
        nanos.addAndGet(500_000_000L);
        sampler.sample();
        assertEquals(0.0, rate(sampler.json()), sampler.json());
        post(4);
        nanos.addAndGet(2_000_000_000L);
        sampler.sample();
        assertEquals(2.0, rate(sampler.json()), sampler.json());
        assertEquals(before + 4, number(sampler.json(), "eventi_totali"));
    }

    @Test
    void shouldCarryMotoreInTheLiveStreamTooWithTheTokenAsAQueryParameter() throws Exception {
        final HttpResponse<Stream<String>> stream = live.client.send(HttpRequest.newBuilder(
                URI.create(live.base + "/api/v1/metriche/stream?per=evento&access_token=" + token))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        assertTrue(stream.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        try (Stream<String> lines = stream.body()) {
            final String first = lines.filter(l -> l.startsWith("data:")).findFirst().orElseThrow();
            final Map<?, ?> metriche = (Map<?, ?>) JsonTree.parse(first.substring("data:".length()));
            assertEquals("evento", metriche.get("per"));
            assertEquals(MOTORE_FIELDS, new ArrayList<>(((Map<?, ?>) metriche.get("motore")).keySet()));
        }
    }

    @Test
    void shouldCountReplayedEventsInTheTotalsFromTheFirstAnswerButNotAsIngest(@TempDir final Path restarted)
        throws Exception {
        final String noSnapshots = "journal:\n  snapshot_interval: 0\n";
        try (LiveServer first = new LiveServer(restarted, noSnapshots)) {
            final String firstToken = first.token("test");
            for (int i = 0; i < 5; i++) {
                final String event = "{\"id_cliente\":\"CLIENTE-ITALIA-" + (900_000 + i) + "\",\"evento\":\"acquisto_concluso\","
                    + "\"timestamp\":\"" + Instant.now() + "\",\"valore\":10.50,\"canale\":\"sms\",\"stato\":\"completato\"}";
                assertEquals(202, first.postEvent(firstToken, event).statusCode());
            }
        }
        try (LiveServer second = new LiveServer(restarted, noSnapshots)) {
            final String secondToken = second.token("test");
            final Map<?, ?> motore = (Map<?, ?>) ((Map<?, ?>) JsonTree.parse(
                second.get("/api/v1/metriche", "Authorization", "Bearer " + secondToken).body())).get("motore");
            assertEquals(5, ((BigDecimal) motore.get("eventi_totali")).longValue(), motore.toString());
            assertEquals(0.0, ((BigDecimal) motore.get("eventi_al_secondo")).doubleValue(), motore.toString());
        }
        // a sampler built before the recovery, as the server builds it: the replayed events are no ingest rate
        final AtomicLong nanos = new AtomicLong(1_000_000_000L);
        try (Engine engine = Engine.create(EngineConfig.parse(noSnapshots, Path.of("..", "config")), restarted)) {
            final EngineSampler sampler = new EngineSampler(engine, nanos::get);
            engine.start();
            nanos.addAndGet(1_000_000_000L);
            sampler.sample();
            assertEquals(5, number(sampler.json(), "eventi_totali"), sampler.json());
            assertEquals(0.0, rate(sampler.json()), sampler.json());
        }
    }

    /** Posts {@code count} distinct valid events dated now; each must be accepted. */
    private static void post(final int count) throws Exception {
        for (int i = 0; i < count; i++) {
            final String event = "{\"id_cliente\":\"CLIENTE-ITALIA-" + (500_000 + cliente++)
                + "\",\"evento\":\"acquisto_concluso\",\"timestamp\":\"" + Instant.now()
                + "\",\"valore\":10.50,\"canale\":\"sms\",\"stato\":\"completato\"}";
            final HttpResponse<String> r = live.postEvent(token, event);
            assertEquals(202, r.statusCode(), r.body());
        }
    }

    private static String field(final String json, final String name) {
        return String.valueOf(((Map<?, ?>) JsonTree.parse(json)).get(name));
    }

    private static double rate(final String json) {
        return ((BigDecimal) ((Map<?, ?>) JsonTree.parse(json)).get("eventi_al_secondo")).doubleValue();
    }

    private static long number(final String json, final String name) {
        return Long.parseLong(field(json, name));
    }
}
