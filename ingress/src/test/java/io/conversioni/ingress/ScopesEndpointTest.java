package io.conversioni.ingress;

import org.junit.jupiter.api.extension.ExtendWith;
import io.conversioni.testkit.LeakCheck;
import io.conversioni.alert.AlertLog;
import io.conversioni.alert.AlertSignal;
import io.conversioni.config.ConfigException;
import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.auth.Scopes;
import io.conversioni.ingress.metrics.PrometheusExporter;
import io.conversioni.operations.AlertRuntime;
import io.conversioni.operations.JobsRuntime;
import io.conversioni.pipeline.Engine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may do what: a real server over HTTPS with the jobs and alerts routes, tokens of each scope (and one without
 * a {@code scope} claim) against every protected route, through a real HTTP client.
 */
@Timeout(120)
@ExtendWith(LeakCheck.class)
class ScopesEndpointTest {
    private static final String NDJSON = IngressServerTest.ARTICLE.replace('\n', ' ') + "\n";

    @TempDir
    Path data;

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private HttpClient client;
    private String base;
    private AuthSetup auth;
    private int sender = 100_000;

    @AfterEach
    void stop() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private void start(final String yaml) throws Exception {
        final EngineConfig config = EngineConfig.parse(yaml, Path.of("..", "config"));
        final ServerSettings settings = ServerSettings.read(config.server(), 0, -1);
        auth = AuthSetup.read(config.auth(), data);
        final Engine engine = Engine.create(config, data, () -> IngressServerTest.T0 + 5_000);
        final AlertRuntime alerts = AlertRuntime.start(config, data, engine);
        cleanup.add(alerts); // closed after the engine
        cleanup.add(engine);
        final JobsRuntime jobs = JobsRuntime.start(config, data, engine, AlertSignal.NONE, AlertLog.NONE);
        cleanup.add(jobs);
        final IngressServer server = new IngressServer(engine, settings, auth.authenticator(),
            new PrometheusExporter(engine)::scrape);
        server.addRoutes(AlertsHandler.routes(alerts.alerts()));
        server.addRoutes(JobsHandler.routes(jobs.scheduler()));
        final Path keystore = DevelopmentTls.ensureDevelopmentKeystore(data);
        server.start(DevelopmentTls.context(keystore, DevelopmentTls.password(keystore)));
        cleanup.add(server::stop);
        cleanup.add(auth);
        engine.start();
        base = "https://localhost:" + server.port("https");
        client = HttpClient.newBuilder().sslContext(TestTls.trusting(keystore)).connectTimeout(Duration.ofSeconds(5))
            .build();
    }

    private String token(final String scope) {
        return auth.issuer().issue("test-scopes", System.currentTimeMillis() / 1000, 3600, scope);
    }

    /** One protected route: how to call it, the scope it needs and the status it answers when allowed. */
    private record Route(String method, String path, String contentType, String body, int scope, int allowed) {
    }

    private static final List<Route> ROUTES = List.of(
        new Route("POST", "/api/v1/eventi/conversione", "application/json", IngressServerTest.ARTICLE,
            Scopes.EVENTI_SCRIVI, 202),
        new Route("POST", "/api/v1/eventi/conversione/batch", "application/x-ndjson", NDJSON, Scopes.EVENTI_SCRIVI, 200),
        new Route("GET", "/api/v1/metriche", null, null, Scopes.METRICHE_LEGGI, 200),
        new Route("GET", "/api/v1/metriche/stream", null, null, Scopes.METRICHE_LEGGI, 200),
        new Route("GET", "/api/v1/allarmi", null, null, Scopes.METRICHE_LEGGI, 200),
        new Route("GET", "/api/v1/jobs", null, null, Scopes.METRICHE_LEGGI, 200),
        // an unknown job: a 404 from the handler proves the guard let the call through, and runs nothing
        new Route("POST", "/api/v1/jobs/nessuno/esegui", null, "", Scopes.ADMIN, 404),
        new Route("GET", "/metrics", null, null, Scopes.METRICHE_LEGGI, 200));

    /** Status and body (the body only up to the first event for the stream, which never ends). */
    private String[] call(final String method, final String path, final String contentType, final String body,
        final String bearer) throws Exception {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(20))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.replace("789456", String.valueOf(sender++))));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        final HttpResponse<InputStream> response = client.send(request.build(),
            HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            final byte[] head = in.readNBytes(64);
            return new String[] {String.valueOf(response.statusCode()), new String(head,
                java.nio.charset.StandardCharsets.UTF_8)};
        }
    }

    private void assertScopes(final String token, final int granted) throws Exception {
        for (final Route route : ROUTES) {
            final String[] answer = call(route.method(), route.path(), route.contentType(), route.body(), token);
            final String what = route.method() + " " + route.path() + " with scopes '" + Scopes.names(granted)
                + "': " + answer[1];
            if ((granted & route.scope()) != 0) {
                assertEquals(String.valueOf(route.allowed()), answer[0], what);
            } else {
                assertEquals("403", answer[0], what);
                assertTrue(answer[1].startsWith("{\"esito\":\"errore\",\"codice\":\"scope_mancante\""), what);
            }
        }
    }

    @Test
    void shouldAllowEachRouteOnlyToTokensWithItsScope() throws Exception {
        start("");
        assertScopes(token("eventi:scrivi"), Scopes.EVENTI_SCRIVI);
        assertScopes(token("metriche:leggi"), Scopes.METRICHE_LEGGI);
        assertScopes(token("admin"), Scopes.ADMIN);
        assertScopes(token("eventi:scrivi metriche:leggi admin"), Scopes.EVENTI_SCRIVI | Scopes.METRICHE_LEGGI
            | Scopes.ADMIN);
    }

    @Test
    void shouldGiveATokenWithoutScopeClaimTheDefaultScopes() throws Exception {
        start("");
        assertScopes(token(null), Scopes.EVENTI_SCRIVI | Scopes.METRICHE_LEGGI);
    }

    @Test
    void shouldGiveATokenWithoutScopeClaimTheConfiguredDefaultScopes() throws Exception {
        start("auth:\n  default_scopes: eventi:scrivi\n");
        assertScopes(token(null), Scopes.EVENTI_SCRIVI);
    }

    @Test
    void shouldRefuseAnUnknownDefaultScopeNamingTheKey() {
        final ConfigException e = assertThrows(ConfigException.class, () -> AuthSetup.read(EngineConfig.parse(
            "auth:\n  default_scopes: eventi:scrivi metriche:scrivi\n", Path.of("..", "config")).auth(), data));
        assertTrue(e.getMessage().contains("auth.default_scopes names 'metriche:scrivi'"), e.getMessage());
    }

    @Test
    void shouldTakeATokenInTheUrlOnlyOnTheStreamAndNeverOnAPost() throws Exception {
        start("");
        final String reader = token("metriche:leggi");
        final String writer = token("eventi:scrivi");
        final String admin = token("admin");
        assertEquals("200", call("GET", "/api/v1/metriche/stream?access_token=" + reader, null, null, null)[0]);
        final String[] lacking = call("GET", "/api/v1/metriche/stream?access_token=" + writer, null, null, null);
        assertEquals("403", lacking[0], lacking[1]);
        assertRefusedInUrl(call("POST", "/api/v1/eventi/conversione?access_token=" + writer, "application/json",
            IngressServerTest.ARTICLE, null));
        // even next to a good header: the token in the URL is refused, not ignored
        assertRefusedInUrl(call("POST", "/api/v1/eventi/conversione/batch?access_token=" + writer,
            "application/x-ndjson", NDJSON, writer));
        assertRefusedInUrl(call("POST", "/api/v1/jobs/nessuno/esegui?access_token=" + admin, null, "", null));
        assertRefusedInUrl(call("GET", "/api/v1/metriche?access_token=" + reader, null, null, null));
        assertRefusedInUrl(call("GET", "/metrics?access_token=" + reader, null, null, null));
    }

    private static void assertRefusedInUrl(final String[] answer) {
        assertEquals("401", answer[0], answer[1]);
        assertTrue(answer[1].startsWith("{\"esito\":\"errore\",\"codice\":\"token_in_url\""), answer[1]);
    }

    @Test
    void shouldProtectMetricsByDefault() throws Exception {
        start("");
        final String[] anonymous = call("GET", "/metrics", null, null, null);
        assertEquals("401", anonymous[0], anonymous[1]);
        assertTrue(anonymous[1].contains("\"codice\":\"token_missing\""), anonymous[1]);
        assertEquals("200", call("GET", "/metrics", null, null, token("metriche:leggi"))[0]);
    }

    @Test
    void shouldServeMetricsWithoutATokenWhenConfiguredPublic() throws Exception {
        start("server:\n  metrics_public: true\n");
        assertEquals("200", call("GET", "/metrics", null, null, null)[0]);
    }
}
