package io.conversioni.ingress.dashboard;

import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.AuthSetup;
import io.conversioni.ingress.ConversioniServer;
import io.conversioni.ingress.DevelopmentTls;
import io.conversioni.pipeline.Engine;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Test fixture: the server {@code serve} runs ({@link ConversioniServer}: a real engine with the wall clock and a
 * journal in a temp dir) over HTTPS on a free port of 127.0.0.1, and a real HTTP client that trusts its
 * development certificate.
 */
final class LiveServer implements AutoCloseable {
    final ConversioniServer server;
    final Engine engine;
    final AuthSetup auth;
    final HttpClient client;
    final String base;

    LiveServer(final Path data) throws Exception {
        this(data, "");
    }

    /** @param yaml configuration besides {@code server.bind: 127.0.0.1}; relative paths resolve in config/ */
    LiveServer(final Path data, final String yaml) throws Exception {
        final EngineConfig config = EngineConfig.parse("server:\n  bind: 127.0.0.1\n" + yaml, Path.of("..", "config"));
        server = ConversioniServer.configure(config, data, 0, -1);
        try {
            server.listen();
            server.start();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
        engine = server.engine();
        auth = server.auth();
        base = "https://127.0.0.1:" + server.port("https");
        client = HttpClient.newBuilder().sslContext(trusting(DevelopmentTls.ensureDevelopmentKeystore(data)))
            .connectTimeout(Duration.ofSeconds(5)).build();
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
        server.close();
    }

    private static SSLContext trusting(final Path keystore) throws Exception {
        return io.conversioni.ingress.TestTls.trusting(keystore);
    }
}
