package io.conversioni.ingress.dashboard;

import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.AllarmiHandler;
import io.conversioni.ingress.AuthSetup;
import io.conversioni.ingress.DevelopmentTls;
import io.conversioni.ingress.IngressServer;
import io.conversioni.ingress.ServerSettings;
import io.conversioni.ingress.metrics.PrometheusExporter;
import io.conversioni.operations.AlertRuntime;
import io.conversioni.pipeline.Engine;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Test fixture: a real engine (wall clock, journal in a temp dir) behind a real {@link IngressServer} over
 * HTTPS on a free port of 127.0.0.1, and a real HTTP client that trusts its development certificate.
 */
final class LiveServer implements AutoCloseable {
    final Engine engine;
    final IngressServer server;
    final AlertRuntime alerts;
    final AuthSetup auth;
    final HttpClient client;
    final String base;

    LiveServer(final Path data) throws Exception {
        this(data, "");
    }

    /** @param yaml configuration besides {@code server.bind: 127.0.0.1}; relative paths resolve in config/ */
    LiveServer(final Path data, final String yaml) throws Exception {
        final EngineConfig config = EngineConfig.parse("server:\n  bind: 127.0.0.1\n" + yaml, Path.of("..", "config"));
        final ServerSettings settings = ServerSettings.read(config.server(), 0, -1);
        auth = AuthSetup.read(config.auth(), data);
        engine = Engine.create(config, data);
        alerts = AlertRuntime.start(config, data, engine); // as serve wires it: the tap before engine.start()
        server = new IngressServer(engine, settings, auth.authenticator(),
            new PrometheusExporter(engine).add(alerts::writeMetrics)::scrape);
        server.addRoutes(AllarmiHandler.routes(alerts.alerts()));
        final Path keystore = DevelopmentTls.ensureDevelopmentKeystore(data);
        try {
            server.start(DevelopmentTls.context(keystore, DevelopmentTls.password(keystore)));
            engine.start();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
        base = "https://127.0.0.1:" + server.port("https");
        client = HttpClient.newBuilder().sslContext(trusting(keystore)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A token valid for an hour, signed with the data folder's development secret. */
    String token(final String subject) {
        return auth.issuer().issue(subject, System.currentTimeMillis() / 1000, 3600);
    }

    HttpResponse<String> get(final String path, final String... headers) throws Exception {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> getBytes(final String path, final String... headers) throws Exception {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<String> postEvent(final String token, final String json) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/eventi/conversione"))
            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        server.stop();
        engine.close();
        alerts.close();
    }

    private static SSLContext trusting(final Path keystore) throws Exception {
        return io.conversioni.ingress.TestTls.trusting(keystore);
    }
}
