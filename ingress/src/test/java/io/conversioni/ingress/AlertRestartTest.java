package io.conversioni.ingress;

import com.sun.net.httpserver.HttpServer;
import io.conversioni.config.EngineConfig;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A restart of the server does not resolve open stream alerts whose condition still holds: six posts of
 * one event over HTTP open {@code duplicati} for the canale and the id_cliente, the server stops and starts
 * again on the same data folder, and after the rules' first evaluation of the new run the alerts are still
 * open and the webhook sink (a real local HTTP server) received no {@code risolto}.
 */
@Timeout(60)
@ExtendWith(LeakCheck.class)
class AlertRestartTest {
    @TempDir
    Path data;

    private final AtomicLong clock = new AtomicLong(IngressServerTest.T0 + 5_000);
    /** What the webhook received, in order; written by the sink server's thread, read while it may still write. */
    private final List<String> sink = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> running = new ArrayList<>();
    private HttpServer sinkServer;
    private AlertRuntime alerts;
    private HttpClient client;
    private String base;
    private String token;

    @AfterEach
    void stopAll() throws Exception {
        stopServer();
        if (sinkServer != null) {
            sinkServer.stop(0);
        }
    }

    private void stopServer() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        running.clear();
    }

    private String sinkUrl() throws Exception {
        if (sinkServer == null) {
            sinkServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
            sinkServer.createContext("/", ex -> {
                sink.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                ex.sendResponseHeaders(200, -1);
                ex.close();
            });
            sinkServer.start();
        }
        return "http://127.0.0.1:" + sinkServer.getAddress().getPort() + "/";
    }

    /** The server as {@code serve} wires it; closes in serve's order: engine, then alerts, then the HTTP server. */
    private void startServer() throws Exception {
        final String yaml = "pipeline:\n  heartbeat: 50ms\nalerts:\n  duplicati:\n    threshold: 3\n    window: 10m\n"
            + "delivery:\n  first_retry: 20ms\n  sinks:\n    ops:\n      url: " + sinkUrl() + "\n";
        final EngineConfig config = EngineConfig.parse(yaml, Path.of("..", "config"));
        final AuthSetup auth = AuthSetup.read(config.auth(), data);
        final Engine engine = Engine.create(config, data, clock::get);
        alerts = AlertRuntime.start(config, data, engine);
        // plain HTTP (as behind a TLS-terminating proxy): what is under test is the restart, not the listener
        final IngressServer server = new IngressServer(engine, ServerSettings.read(config.server(), -1, 0),
            auth.authenticator(), () -> "");
        server.addRoutes(AlertsHandler.routes(alerts.alerts()));
        server.start(null);
        running.add(server::stop);
        running.add(alerts);
        running.add(engine);
        engine.start();
        base = "http://127.0.0.1:" + server.port("http");
        token = auth.issuer().issue("test", System.currentTimeMillis() / 1000, 3600);
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    private HttpResponse<String> send(final HttpRequest.Builder r) throws Exception {
        return client.send(r.timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + token).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private List<String> openKeys() throws Exception {
        final HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/allarmi?stato=aperto")));
        assertEquals(200, r.statusCode(), r.body());
        final List<String> keys = new ArrayList<>();
        for (Object a : (List<Object>) ((Map<String, Object>) JsonTree.parse(r.body())).get("allarmi")) {
            keys.add(((Map<String, Object>) a).get("regola") + " " + ((Map<String, Object>) a).get("chiave"));
        }
        Collections.sort(keys);
        return keys;
    }

    private static void await(final String what, final BooleanSupplier condition) {
        Await.until(what, java.time.Duration.ofSeconds(20), condition);
    }

    @Test
    void shouldKeepDuplicatiOpenAcrossARestartAndSendNoRisoltoToTheWebhook() throws Exception {
        startServer();
        for (int i = 0; i < 6; i++) {
            assertEquals(202, send(HttpRequest.newBuilder(URI.create(base + "/api/v1/eventi/conversione"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(IngressServerTest.ARTICLE))).statusCode());
        }
        final List<String> expected = List.of("duplicati canale=email", "duplicati id_cliente=CLIENTE-ITALIA-789456");
        await("two duplicati alerts delivered", () -> sink.size() == 2);
        assertEquals(expected, openKeys());
        stopServer();
        final int sentBeforeRestart = sink.size();

        startServer();
        assertEquals(expected, openKeys(), "reloaded open");
        final long afterRestart = clock.addAndGet(1_000); // the heartbeat that used to resolve them
        await("the rules evaluated after the restart",
            () -> alerts.alerts().evaluatedThroughMillis() >= afterRestart);
        // a marker alert raised now reaches the sink after anything the evaluation handed to delivery
        final long observedAt = System.currentTimeMillis();
        await("the wall clock moved on", () -> System.currentTimeMillis() > observedAt);
        alerts.signal().raise("riconciliazione", "marcatore", "barrier for the test", afterRestart);
        await("the marker delivered", () -> sink.stream().anyMatch(b -> b.contains("\"chiave\":\"marcatore\"")));

        final List<String> sinceRestart = List.copyOf(sink.subList(sentBeforeRestart, sink.size()));
        assertEquals(1, sinceRestart.size(), "only the marker: " + sinceRestart);
        assertTrue(sinceRestart.stream().noneMatch(b -> b.contains("\"stato\":\"risolto\"")), sinceRestart.toString());
        assertEquals(List.of("duplicati canale=email", "duplicati id_cliente=CLIENTE-ITALIA-789456",
            "riconciliazione marcatore"), openKeys(), "still open");
    }
}
