package io.conversioni.ingress;

import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.metrics.PrometheusExporter;
import io.conversioni.pipeline.Engine;
import io.conversioni.testkit.LeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** {@code GET /api/v1/cluster} through {@link ClusterHandler} on a real HTTPS server with a real client. */
@Timeout(120)
@ExtendWith(LeakCheck.class)
class ClusterEndpointTest {
    @TempDir
    Path data;

    private HttpClient client;
    private String base;
    private String token;
    private IngressServer server;
    private Engine engine;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private void start(final Supplier<String> status) throws Exception {
        final EngineConfig config = EngineConfig.parse("", Path.of("..", "config"));
        final ServerSettings settings = ServerSettings.read(config.server(), 0, -1);
        final AuthSetup auth = AuthSetup.read(config.auth(), data);
        engine = Engine.create(config, data);
        server = new IngressServer(engine, settings, auth.authenticator(), new PrometheusExporter(engine)::scrape);
        server.addRoutes(ClusterHandler.routes(status));
        final Path keystore = DevelopmentTls.ensureDevelopmentKeystore(data);
        server.start(DevelopmentTls.context(keystore, DevelopmentTls.password(keystore)));
        engine.start();
        base = "https://localhost:" + server.port("https");
        token = auth.issuer().issue("test-ops", System.currentTimeMillis() / 1000, 3600, "metriche:leggi");
        client = HttpClient.newBuilder().sslContext(TestTls.trusting(keystore)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private HttpResponse<String> call(final String method, final String bearer) throws Exception {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/api/v1/cluster"))
            .timeout(Duration.ofSeconds(20)).method(method, HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldAnswerTheClusterViewBehindTheReadScope() throws Exception {
        final String view = "{\"nodo\":\"a\",\"partizioni_totali\":1,\"completa\":true,\"nodi\":[],\"partizioni\":[],"
            + "\"problemi\":[],\"record_illeggibili\":0}";
        start(() -> view);
        final HttpResponse<String> ok = call("GET", token);
        assertEquals(200, ok.statusCode());
        assertEquals(view, ok.body());
        assertEquals("application/json", ok.headers().firstValue("Content-Type").orElse(""));
        assertEquals("no-store", ok.headers().firstValue("Cache-Control").orElse(""));
        assertEquals(401, call("GET", null).statusCode());
        assertEquals(405, call("POST", token).statusCode());
    }

    @Test
    void shouldAnswer503NotReadyWhenTheViewCannotBeRendered() throws Exception {
        start(() -> {
            throw new IllegalStateException("no state yet");
        });
        final HttpResponse<String> refused = call("GET", token);
        assertEquals(503, refused.statusCode());
        assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
        assertEquals("{\"esito\":\"errore\",\"codice\":\"not_ready\",\"messaggio\":\"the cluster view is not available yet;"
            + " try again shortly\"}", refused.body());
        assertFalse(refused.body().contains("IllegalStateException"));
    }
}
