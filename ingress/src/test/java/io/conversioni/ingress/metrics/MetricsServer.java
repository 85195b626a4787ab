package io.conversioni.ingress.metrics;

import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.ConversioniServer;
import io.conversioni.ingress.DevelopmentTls;
import io.conversioni.ingress.TestTls;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Test fixture: the server {@code serve} runs ({@link ConversioniServer}: a real engine with the wall clock and
 * a journal in a temp dir, alerts and delivery, jobs) over HTTPS on a free port of 127.0.0.1, so its
 * {@code /metrics} has every section {@code serve}'s has, and a real HTTP client that trusts its development
 * certificate. Test code.
 */
final class MetricsServer implements AutoCloseable {
    private final ConversioniServer server;
    private final HttpClient client;
    private final String base;
    private final String token;

    MetricsServer(final Path data) throws Exception {
        final EngineConfig config = EngineConfig.parse("server:\n  bind: 127.0.0.1\n", Path.of("..", "config"));
        server = ConversioniServer.configure(config, data, 0, -1);
        try {
            server.listen();
            server.start();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
        base = "https://127.0.0.1:" + server.port("https");
        token = server.auth().issuer().issue("test-metrics", System.currentTimeMillis() / 1000, 3600);
        client = HttpClient.newBuilder().sslContext(TestTls.trusting(DevelopmentTls.ensureDevelopmentKeystore(data)))
            .connectTimeout(Duration.ofSeconds(5)).build();
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
        server.close();
    }
}
