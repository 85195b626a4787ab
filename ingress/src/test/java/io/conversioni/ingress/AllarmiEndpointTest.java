package io.conversioni.ingress;

import com.sun.net.httpserver.HttpServer;
import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.metrics.PrometheusExporter;
import io.conversioni.json.JsonTree;
import io.conversioni.operations.AlertRuntime;
import io.conversioni.pipeline.Engine;
import io.conversioni.testkit.Await;
import io.conversioni.testkit.LeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /api/v1/allarmi} over HTTPS on a real server, with the alert runtime wired as {@code serve}
 * wires it; a duplicate spike posted over HTTPS fires, and delivery failures loop back as
 * {@code consegna_fallita} to the other sinks only.
 */
@Timeout(60)
@ExtendWith(LeakCheck.class)
class AllarmiEndpointTest {
    @TempDir
    Path data;

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final List<String> goodSink = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<String> brokenSink = java.util.Collections.synchronizedList(new ArrayList<>());
    private HttpClient client;
    private String base;
    private String token;
    private AlertRuntime alerts;
    private PrometheusExporter exporter;

    @AfterEach
    void stop() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private String sinkServer(final List<String> bodies, final int status) throws Exception {
        final HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        s.createContext("/", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        s.start();
        cleanup.add(() -> s.stop(0));
        return "http://127.0.0.1:" + s.getAddress().getPort() + "/";
    }

    private void start(final boolean withBrokenSink) throws Exception {
        final String yaml = "alerts:\n  duplicati:\n    threshold: 3\ndelivery:\n  first_retry: 20ms\n  max_attempts: 2\n"
            + "  sinks:\n    buono:\n      url: " + sinkServer(goodSink, 200) + "\n"
            + (withBrokenSink ? "    rotto:\n      url: " + sinkServer(brokenSink, 500) + "\n" : "");
        final EngineConfig config = EngineConfig.parse(yaml, Path.of("..", "config"));
        final ServerSettings settings = ServerSettings.read(config.server(), 0, -1);
        final AuthSetup auth = AuthSetup.read(config.auth(), data);
        final Engine engine = Engine.create(config, data, () -> IngressServerTest.T0 + 5_000);
        alerts = AlertRuntime.start(config, data, engine);
        exporter = new PrometheusExporter(engine).add(alerts::writeMetrics);
        final IngressServer server = new IngressServer(engine, settings, auth.authenticator(), exporter::scrape);
        server.addRoutes(AlertsHandler.routes(alerts.alerts()));
        final Path keystore = DevelopmentTls.ensureDevelopmentKeystore(data);
        server.start(DevelopmentTls.context(keystore, DevelopmentTls.password(keystore)));
        cleanup.add(server::stop);
        cleanup.add(alerts);
        cleanup.add(engine);
        engine.start();
        base = "https://localhost:" + server.port("https");
        token = auth.issuer().issue("test-dashboard", System.currentTimeMillis() / 1000, 3600);
        client = HttpClient.newBuilder().sslContext(trusting(keystore)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static SSLContext trusting(final Path keystore) throws Exception {
        return io.conversioni.ingress.TestTls.trusting(keystore);
    }

    private HttpResponse<String> get(final String path, final String bearer) throws Exception {
        final HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
        if (bearer != null) {
            r.header("Authorization", "Bearer " + bearer);
        }
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(final String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/eventi/conversione"))
            .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static void await(final String what, final BooleanSupplier condition) {
        Await.until(what, java.time.Duration.ofSeconds(15), condition);
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> allarmi(final String stato) throws Exception {
        final HttpResponse<String> r = get("/api/v1/allarmi?stato=" + stato, token);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        final Map<String, Object> doc = (Map<String, Object>) JsonTree.parse(r.body());
        assertEquals(List.of("allarmi"), List.copyOf(doc.keySet()));
        return (List<Map<String, Object>>) doc.get("allarmi");
    }

    @Test
    void shouldListADuplicateSpikePostedOverHttpsWithTheDashboardContract() throws Exception {
        start(false);
        for (int i = 0; i < 5; i++) {
            assertEquals(202, post(IngressServerTest.ARTICLE).statusCode());
        }
        await("two duplicati alerts", () -> alerts.alerts().alerts("aperto").size() == 2);
        final List<Map<String, Object>> open = allarmi("aperto");
        assertEquals(2, open.size());
        final Map<String, Object> a = open.stream().filter(m -> "canale=email".equals(m.get("chiave"))).findFirst().orElseThrow();
        assertEquals(List.of("id", "regola", "chiave", "stato", "aperto_il", "risolto_il", "messaggio", "valore", "soglia"),
            List.copyOf(a.keySet()));
        assertTrue(a.get("id") instanceof String);
        assertEquals("duplicati", a.get("regola"));
        assertEquals("aperto", a.get("stato"));
        assertEquals("2024-05-20T14:32:50.123Z", a.get("aperto_il"));
        assertEquals(JsonTree.NULL, a.get("risolto_il"));
        assertEquals(new BigDecimal(4), a.get("valore"));
        assertEquals(new BigDecimal(3), a.get("soglia"));
        assertEquals(0, allarmi("risolto").size());
        assertEquals(2, allarmi("tutti").size());
        assertEquals(allarmi("tutti"), allarmi("aperto"), "stato defaults to tutti; here both are open");
        assertEquals(2, get("/api/v1/allarmi", token).body().split("\"regola\"").length - 1);
        await("both alerts delivered to the sink", () -> goodSink.size() == 2);
        assertTrue(goodSink.get(0).startsWith("{\"id\":"), goodSink.get(0));

        final HttpResponse<String> bad = get("/api/v1/allarmi?stato=chiuso", token);
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("\"codice\":\"parametro\""), bad.body());
        assertEquals(401, get("/api/v1/allarmi", null).statusCode());
        // only the stream, which EventSource opens, takes the token in the URL
        final HttpResponse<String> inUrl = get("/api/v1/allarmi?access_token=" + token, null);
        assertEquals(401, inUrl.statusCode());
        assertTrue(inUrl.body().contains("\"codice\":\"token_in_url\""), inUrl.body());
    }

    @Test
    void shouldSendADeadLettersConsegnaFallitaToTheOtherSinksOnlyAndExportCountsThatPassPromtool() throws Exception {
        start(true);
        alerts.signal().raise("riconciliazione", "finestra=2024-05-20T14:30:00Z", "CRM 12, engine 11",
            IngressServerTest.T0);
        await("consegna_fallita for the broken sink", () ->
            alerts.alerts().alerts("aperto").stream().anyMatch(x -> x.chiave().equals("sink=rotto")));
        await("the good sink heard of both", () -> goodSink.size() == 2);
        assertEquals(2, brokenSink.size(), "two attempts of the first alert");
        assertTrue(goodSink.get(1).contains("\"regola\":\"consegna_fallita\""), goodSink.get(1));
        assertEquals(1, alerts.alerts().alerts("tutti").stream().filter(x -> x.regola().equals("consegna_fallita")).count());

        final String metrics = exporter.scrape();
        assertTrue(metrics.contains("\nconversioni_alerts_open{regola=\"consegna_fallita\"} 1\n"), metrics);
        assertTrue(metrics.contains("\nconversioni_alerts_fired_total{regola=\"riconciliazione\"} 1\n"), metrics);
        assertTrue(metrics.contains("\nconversioni_delivery_dead_letters_total{sink=\"rotto\"} 1\n"), metrics);
        assertTrue(metrics.contains("\nconversioni_delivery_attempts_total{sink=\"buono\"} 2\n"), metrics);
        assertTrue(metrics.contains("\nconversioni_alert_feed_dropped_total 0\n"), metrics);
        final File promtool = onPath("promtool");
        if (promtool != null) {
            final Process p = new ProcessBuilder(promtool.getPath(), "check", "metrics").redirectErrorStream(true).start();
            try (OutputStream stdin = p.getOutputStream()) {
                stdin.write(metrics.getBytes(StandardCharsets.UTF_8));
            }
            final String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), said);
        }
        // its own failure is not sent to the broken sink: a later alert reaches it next (each sink's lane keeps order)
        alerts.signal().raise("riconciliazione", "finestra=2024-05-20T14:35:00Z", "CRM 3, engine 2", IngressServerTest.T0);
        await("the broken sink's next request", () -> brokenSink.size() == 3);
        assertTrue(brokenSink.get(2).contains("14:35:00Z"), "the next thing the broken sink got is the later alert, "
            + "not its own consegna_fallita: " + brokenSink.get(2));
    }

    private static File onPath(final String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            final File f = new File(dir, name);
            if (f.canExecute()) {
                return f;
            }
        }
        return null;
    }
}
