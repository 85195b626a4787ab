package io.conversioni.ingress;

import org.junit.jupiter.api.extension.ExtendWith;
import io.conversioni.testkit.LeakCheck;
import io.conversioni.alert.AlertLog;
import io.conversioni.alert.AlertSignal;
import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.metrics.PrometheusExporter;
import io.conversioni.operations.JobsRuntime;
import io.conversioni.pipeline.Engine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /api/v1/jobs} over real HTTPS, a real engine and journal, the real job scheduler. */
@Timeout(120)
@ExtendWith(LeakCheck.class)
class JobsEndpointTest {
    @TempDir
    Path data;

    private HttpClient client;
    private String base;
    private String token;
    private IngressServer server;
    private Engine engine;
    private JobsRuntime jobs;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
        if (jobs != null) {
            jobs.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private void start() throws Exception {
        final EngineConfig config = EngineConfig.parse("reconciliation:\n  interval: 1h\n", Path.of("..", "config"));
        final ServerSettings settings = ServerSettings.read(config.server(), 0, -1);
        final AuthSetup auth = AuthSetup.read(config.auth(), data);
        engine = Engine.create(config, data);
        server = new IngressServer(engine, settings, auth.authenticator(), new PrometheusExporter(engine)::scrape);
        jobs = JobsRuntime.start(config, data, engine, AlertSignal.NONE, AlertLog.NONE);
        server.addRoutes(JobsHandler.routes(jobs.scheduler()));
        final Path keystore = DevelopmentTls.ensureDevelopmentKeystore(data);
        server.start(DevelopmentTls.context(keystore, DevelopmentTls.password(keystore)));
        engine.start();
        base = "https://localhost:" + server.port("https");
        token = auth.issuer().issue("test-ops", System.currentTimeMillis() / 1000, 3600, "metriche:leggi admin");
        client = HttpClient.newBuilder().sslContext(TestTls.trusting(keystore)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private HttpResponse<String> call(final String method, final String path, final String bearer) throws Exception {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
            .method(method, HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String awaitJobs(final Predicate<String> condition) throws Exception {
        for (int i = 0; i < 400; i++) {
            final String body = call("GET", "/api/v1/jobs", token).body();
            if (condition.test(body)) {
                return body;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("jobs never reached the expected state: " + call("GET", "/api/v1/jobs", token).body());
    }

    @Test
    void shouldListTheJobsAndRunOneOnDemand() throws Exception {
        start();
        final HttpResponse<String> list = call("GET", "/api/v1/jobs", token);
        assertEquals(200, list.statusCode());
        assertEquals("application/json", list.headers().firstValue("Content-Type").orElse(""));
        assertTrue(list.body().startsWith("{\"jobs\":[{\"nome\":\"riconciliazione\",\"intervallo\":\"1h\","
            + "\"ultima_esecuzione\":null,\"prossima_esecuzione\":\""), list.body());
        assertTrue(list.body().contains("{\"nome\":\"rapporto_giornaliero\",\"intervallo\":\"1h\""), list.body());
        assertTrue(list.body().contains("{\"nome\":\"snapshot\",\"intervallo\":\"5m\""), list.body());
        assertTrue(list.body().contains("{\"nome\":\"retention\",\"intervallo\":\"5m\""), list.body());

        final HttpResponse<String> run = call("POST", "/api/v1/jobs/rapporto_giornaliero/esegui", token);
        assertEquals(202, run.statusCode(), run.body());
        assertEquals("{\"esito\":\"avviato\",\"nome\":\"rapporto_giornaliero\"}", run.body());
        final String after = awaitJobs(b -> b.contains("\"esito\":\"ok: "));
        assertTrue(after.contains("aggiornato"), after);
        assertTrue(Files.exists(data.resolve("reports/" + LocalDate.now(ZoneOffset.UTC) + ".md")));

        // right after start the journal may hold nothing yet (the first heartbeat comes after a second)
        String snapshot = "";
        for (int attempt = 0; attempt < 20 && !snapshot.contains("\"esito\":\"ok\""); attempt++) {
            assertEquals(202, call("POST", "/api/v1/jobs/snapshot/esegui", token).statusCode());
            final int runsBefore = attempt;
            snapshot = awaitJobs(b -> b.contains("{\"nome\":\"snapshot\",\"intervallo\":\"5m\",\"ultima_esecuzione\":\"")
                && (b.contains("\"esito\":\"ok\"") || runsBefore == 0 || b.contains("nulla da salvare")));
            Thread.sleep(snapshot.contains("\"esito\":\"ok\"") ? 0 : 250);
        }
        assertTrue(snapshot.contains("\"esito\":\"ok\""), snapshot);
        assertTrue(Files.isDirectory(data.resolve("snapshots")));

        assertEquals(202, call("POST", "/api/v1/jobs/riconciliazione/esegui", token).statusCode());
        awaitJobs(b -> b.contains("\"esito\":\"ok: nessun export nuovo in "));
        assertTrue(Files.isDirectory(data.resolve("crm-export")), "the folder to drop exports in exists");
    }

    @Test
    void shouldAnswer404ForAnUnknownJobAnd401WithoutAToken() throws Exception {
        start();
        final HttpResponse<String> unknown = call("POST", "/api/v1/jobs/nessuno/esegui", token);
        assertEquals(404, unknown.statusCode());
        assertEquals("{\"esito\":\"errore\",\"codice\":\"job_sconosciuto\",\"messaggio\":\"no job named 'nessuno'; "
            + "GET /api/v1/jobs lists them\"}", unknown.body());
        assertEquals(401, call("GET", "/api/v1/jobs", null).statusCode());
        assertEquals(401, call("POST", "/api/v1/jobs/snapshot/esegui", null).statusCode());
        assertEquals(405, call("GET", "/api/v1/jobs/snapshot/esegui", token).statusCode());
    }
}
