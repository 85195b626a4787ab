package io.conversioni.ingress.metrics;

import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.AllarmiHandler;
import io.conversioni.ingress.AuthSetup;
import io.conversioni.ingress.DevelopmentTls;
import io.conversioni.ingress.IngressServer;
import io.conversioni.ingress.ServerSettings;
import io.conversioni.ingress.TestTls;
import io.conversioni.operations.AlertRuntime;
import io.conversioni.pipeline.Engine;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Test fixture: a real engine (wall clock, journal in a temp dir) behind a real {@link IngressServer} over
 * HTTPS on a free port of 127.0.0.1, its {@code /metrics} wired as {@code serve} wires it (engine, alert and
 * delivery, HTTP sections), and a real HTTP client that trusts its development certificate. Test code.
 */
final class MetricsServer implements AutoCloseable {
    private final Engine engine;
    private final IngressServer server;
    private final AlertRuntime alerts;
    private final HttpClient client;
    private final String base;
    private final String token;

    MetricsServer(final Path data) throws Exception {
        final EngineConfig config = EngineConfig.parse("server:\n  bind: 127.0.0.1\n", Path.of("..", "config"));
        final ServerSettings settings = ServerSettings.read(config.server(), 0, -1);
        final AuthSetup auth = AuthSetup.read(config.auth(), data);
        engine = Engine.create(config, data);
        alerts = AlertRuntime.start(config, data, engine); // as serve wires it: the tap before engine.start()
        final PrometheusExporter exporter = new PrometheusExporter(engine).add(alerts::writeMetrics);
        server = new IngressServer(engine, settings, auth.authenticator(), exporter::scrape);
        server.addRoutes(AllarmiHandler.routes(alerts.alerts()));
        exporter.add(server.httpRequests()::writeTo);
        final Path keystore = DevelopmentTls.ensureDevelopmentKeystore(data);
        try {
            server.start(DevelopmentTls.context(keystore, DevelopmentTls.password(keystore)));
            engine.start();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
        base = "https://127.0.0.1:" + server.port("https");
        token = auth.issuer().issue("test-metrics", System.currentTimeMillis() / 1000, 3600);
        client = HttpClient.newBuilder().sslContext(TestTls.trusting(keystore)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A valid token for the API. */
    String token() {
        return token;
    }

    HttpResponse<String> get(final String path, final String bearer) throws Exception {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postEvent(final String bearer, final String json) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/eventi/conversione"))
            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + bearer).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Scrapes {@code /metrics} (with a token, in case it is not public) until {@code until} holds for the text,
     * and returns that text. A request's duration is counted when its exchange ends, which may be just after
     * the client has its answer; the caller's test timeout bounds the wait.
     */
    String scrapeUntil(final Predicate<String> until) throws Exception {
        while (true) {
            final HttpResponse<String> response = get("/metrics", token);
            if (response.statusCode() != 200) {
                throw new AssertionError("/metrics answered " + response.statusCode() + ": " + response.body());
            }
            if (until.test(response.body())) {
                return response.body();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L); // spare the shared CPU between scrapes
        }
    }

    @Override
    public void close() {
        server.stop();
        engine.close();
        alerts.close();
    }
}
