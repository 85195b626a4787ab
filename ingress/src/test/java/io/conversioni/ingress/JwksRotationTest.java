package io.conversioni.ingress;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.conversioni.config.ConfigException;
import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.metrics.PrometheusExporter;
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
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code auth.jwks_url}: a real server verifies RS256 tokens with the keys a local HTTP server publishes, and follows
 * a key rotation there without a restart: a new key is accepted once published, an old one refused once removed
 * (after the library's refresh, 1 s here), even for a token the verified-token cache already holds.
 */
@Timeout(120)
@ExtendWith(LeakCheck.class)
class JwksRotationTest {
    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path data;

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final AtomicReference<String> published = new AtomicReference<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private HttpClient client;
    private String base;
    private String jwksUrl;

    @AfterEach
    void stop() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private void publish(final RSAKey... keys) {
        published.set(new JWKSet(List.of(keys)).toString(true));
    }

    private void startKeyServer() throws Exception {
        final HttpServer keys = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        keys.createContext("/jwks.json", ex -> {
            fetches.incrementAndGet();
            final byte[] body = published.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        keys.start();
        cleanup.add(() -> keys.stop(0));
        jwksUrl = "http://127.0.0.1:" + keys.getAddress().getPort() + "/jwks.json";
    }

    private void start() throws Exception {
        final EngineConfig config = EngineConfig.parse("auth:\n  mode: jwks\n  jwks_url: " + jwksUrl
            + "\n  jwks_cache_ttl: 1s\n", Path.of("..", "config"));
        final ServerSettings settings = ServerSettings.read(config.server(), 0, -1);
        final AuthSetup auth = AuthSetup.read(config.auth(), data);
        final Engine engine = Engine.create(config, data, () -> IngressServerTest.T0 + 5_000);
        cleanup.add(engine);
        final IngressServer server = new IngressServer(engine, settings, auth.authenticator(),
            new PrometheusExporter(engine)::scrape);
        final Path keystore = DevelopmentTls.ensureDevelopmentKeystore(data);
        server.start(DevelopmentTls.context(keystore, DevelopmentTls.password(keystore)));
        cleanup.add(server::stop);
        cleanup.add(auth);
        engine.start();
        base = "https://localhost:" + server.port("https");
        client = HttpClient.newBuilder().sslContext(TestTls.trusting(keystore)).connectTimeout(Duration.ofSeconds(5))
            .build();
    }

    private static RSAKey key(final String kid) throws JOSEException {
        return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
    }

    private static String token(final RSAKey key) throws JOSEException {
        final long now = System.currentTimeMillis();
        final SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
            new JWTClaimsSet.Builder().subject("idp-" + key.getKeyID()).issueTime(new Date(now))
                .expirationTime(new Date(now + 3_600_000)).claim("scope", "metriche:leggi").build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private HttpResponse<String> metriche(final String token) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/metriche"))
            .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + token).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    /** Polls until the token gets {@code status} with {@code code} (null: any body), or fails after the wait. */
    private void awaitAnswer(final String token, final int status, final String code) throws Exception {
        final HttpResponse<?>[] last = {null};
        Await.until(status + " " + code, Duration.ofSeconds(WAIT_SECONDS), () -> {
            try {
                last[0] = metriche(token);
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
            return last[0].statusCode() == status
                && (code == null || ((String) last[0].body()).contains("\"codice\":\"" + code + "\""));
        }, () -> last[0].statusCode() + " " + last[0].body());
    }

    @Test
    void shouldAcceptANewKeyAndRefuseARemovedOneWithoutARestart() throws Exception {
        final RSAKey first = key("chiave-1");
        final RSAKey second = key("chiave-2");
        startKeyServer();
        publish(first.toPublicJWK());
        start();
        final String oldToken = token(first);
        final String newToken = token(second);
        final HttpResponse<String> accepted = metriche(oldToken);
        assertEquals(200, accepted.statusCode(), accepted.body());
        final HttpResponse<String> unknown = metriche(newToken);
        assertEquals(401, unknown.statusCode(), unknown.body());
        assertTrue(unknown.body().contains("\"codice\":\"key_unknown\""), unknown.body());

        // rotation, step 1: the new key is published next to the old one
        publish(first.toPublicJWK(), second.toPublicJWK());
        awaitAnswer(newToken, 200, null);
        assertEquals(200, metriche(oldToken).statusCode());

        // step 2: the old key is withdrawn; the old token, cached as verified, is refused after the refresh
        publish(second.toPublicJWK());
        awaitAnswer(oldToken, 401, "key_unknown");
        assertEquals(200, metriche(newToken).statusCode());
        assertEquals(401, metriche(token(first)).statusCode(), "a fresh token of the old key too");
    }

    @Test
    void shouldServeCachedTokensWithoutFetchingTheKeysPerRequest() throws Exception {
        final RSAKey only = key("chiave-1");
        startKeyServer();
        publish(only.toPublicJWK());
        start();
        final String token = token(only);
        assertEquals(200, metriche(token).statusCode());
        final int fetchedBefore = fetches.get();
        for (int i = 0; i < 50; i++) {
            assertEquals(200, metriche(token).statusCode());
        }
        // the background refresh may run once or twice in the meantime; never once per request
        assertTrue(fetches.get() - fetchedBefore < 25, () -> "fetches: " + (fetches.get() - fetchedBefore));
    }

    @Test
    void shouldRefuseAJwksUrlWithoutModeJwksOrOverPlainHttpToAnotherHost() {
        final ConfigException notJwks = assertThrows(ConfigException.class, () -> AuthSetup.read(EngineConfig.parse(
            "auth:\n  jwks_url: https://idp.example/jwks.json\n", Path.of("..", "config")).auth(), data));
        assertTrue(notJwks.getMessage().contains("set auth.mode: jwks"), notJwks.getMessage());
        final ConfigException plain = assertThrows(ConfigException.class, () -> AuthSetup.read(EngineConfig.parse(
            "auth:\n  mode: jwks\n  jwks_url: http://idp.example/jwks.json\n", Path.of("..", "config")).auth(),
            data));
        assertTrue(plain.getMessage().contains("must use https"), plain.getMessage());
        final ConfigException both = assertThrows(ConfigException.class, () -> AuthSetup.read(EngineConfig.parse(
            "auth:\n  mode: jwks\n  jwks: keys.json\n  jwks_url: https://idp.example/jwks.json\n",
            Path.of("..", "config")).auth(), data));
        assertTrue(both.getMessage().contains("exactly one of auth.jwks"), both.getMessage());
    }
}
