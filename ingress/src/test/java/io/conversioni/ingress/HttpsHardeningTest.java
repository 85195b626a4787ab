package io.conversioni.ingress;

import org.junit.jupiter.api.extension.ExtendWith;
import io.conversioni.testkit.LeakCheck;
import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.metrics.PrometheusExporter;
import io.conversioni.pipeline.Engine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real server with both listeners: what its TLS 1.2 accepts (Java clients and, where installed,
 * {@code openssl s_client}), {@code Strict-Transport-Security} on HTTPS only, and {@code server.http_bind}.
 */
@Timeout(120)
@ExtendWith(LeakCheck.class)
class HttpsHardeningTest {
    @TempDir
    Path data;

    private final List<Runnable> cleanup = new ArrayList<>();
    private IngressServer server;
    private SSLContext trusting;

    @AfterEach
    void stop() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).run();
        }
    }

    private void start(final String yaml) throws Exception {
        final EngineConfig config = EngineConfig.parse(yaml, Path.of("..", "config"));
        final ServerSettings settings = ServerSettings.read(config.server(), 0, 0);
        final AuthSetup auth = AuthSetup.read(config.auth(), data);
        final Engine engine = Engine.create(config, data, () -> IngressServerTest.T0 + 5_000);
        server = new IngressServer(engine, settings, auth.authenticator(), new PrometheusExporter(engine)::scrape);
        final Path keystore = DevelopmentTls.ensureDevelopmentKeystore(data);
        server.start(DevelopmentTls.context(keystore, DevelopmentTls.password(keystore)));
        cleanup.add(server::stop);
        cleanup.add(engine::close);
        engine.start();
        trusting = TestTls.trusting(keystore);
    }

    private HttpResponse<String> get(final String url) throws Exception {
        final HttpClient client = HttpClient.newBuilder().sslContext(trusting).connectTimeout(Duration.ofSeconds(5)).build();
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    /** The suite negotiated over TLS 1.2 offering only {@code suite}, or null when the server refused it. */
    private String handshakeTls12(final String suite) throws IOException {
        try (SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port("https")), 5_000);
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setEnabledCipherSuites(new String[] {suite});
            socket.startHandshake();
            return socket.getSession().getCipherSuite();
        } catch (SSLException refused) {
            return null;
        }
    }

    @Test
    void shouldNegotiateInTls12OnlyForwardSecretAeadSuitesOfAllThoseAJavaClientOffers() throws Exception {
        start("");
        final List<String> accepted = new ArrayList<>();
        final List<String> tls12Suites = Arrays.stream(trusting.getSupportedSSLParameters().getCipherSuites())
            .filter(s -> s.contains("_ECDSA_") || s.startsWith("TLS_RSA_")) // what an EC key could serve, and static RSA
            .toList();
        assertTrue(tls12Suites.contains("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"), tls12Suites.toString());
        for (String suite : tls12Suites) {
            final String negotiated = handshakeTls12(suite);
            if (negotiated != null) {
                assertEquals(suite, negotiated);
                accepted.add(suite);
            }
        }
        assertTrue(accepted.contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), accepted.toString());
        assertTrue(accepted.contains("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"), accepted.toString());
        for (String suite : accepted) {
            assertTrue(suite.startsWith("TLS_ECDHE_") && (suite.contains("_GCM_") || suite.contains("_CHACHA20_POLY1305_")),
                "only ECDHE with AEAD, but the server took " + suite + " among " + accepted);
        }
        assertEquals(null, handshakeTls12("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"), "CBC with SHA-1");
        assertEquals(null, handshakeTls12("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"), "CBC");
        assertEquals(null, handshakeTls12("TLS_RSA_WITH_AES_128_GCM_SHA256"), "no forward secrecy");
    }

    @Test
    void shouldRefuseCbcAndStaticRsaToOpensslAndAcceptEcdheGcm() throws Exception {
        final File openssl = onPath("openssl");
        assumeTrue(openssl != null, "openssl is not installed");
        start("");
        final String target = "127.0.0.1:" + server.port("https");
        assertFalse(sClient(openssl, target, "AES128-SHA").ok, "static RSA, CBC, SHA-1 must be refused");
        assertFalse(sClient(openssl, target, "ECDHE-ECDSA-AES128-SHA").ok, "CBC with SHA-1 must be refused");
        assertFalse(sClient(openssl, target, "ECDHE-ECDSA-AES128-SHA256").ok, "CBC must be refused");
        final SClient gcm = sClient(openssl, target, "ECDHE-ECDSA-AES128-GCM-SHA256");
        assertTrue(gcm.ok, gcm.output);
        assertTrue(gcm.output.contains("ECDHE-ECDSA-AES128-GCM-SHA256"), gcm.output);
    }

    @Test
    void shouldSendStrictTransportSecurityOnHttpsResponsesOnlyErrorsIncluded() throws Exception {
        start("server:\n  http_bind: 127.0.0.1\n");
        final String https = "https://localhost:" + server.port("https");
        final String http = "http://127.0.0.1:" + server.port("http");
        for (String path : List.of("/health/live", "/api/v1/metriche", "/non-esiste")) {
            final HttpResponse<String> secure = get(https + path);
            assertEquals(List.of("max-age=31536000"), secure.headers().allValues("Strict-Transport-Security"),
                path + " " + secure.statusCode());
            final HttpResponse<String> plain = get(http + path);
            assertEquals(secure.statusCode(), plain.statusCode(), path);
            assertEquals(List.of(), plain.headers().allValues("Strict-Transport-Security"), path);
        }
    }

    @Test
    void shouldTakeTheHstsMaxAgeFromTheConfiguration() throws Exception {
        start("server:\n  hsts_max_age: 1d\n");
        assertEquals("max-age=86400", get("https://localhost:" + server.port("https") + "/health/live").headers()
            .firstValue("Strict-Transport-Security").orElse(""));
    }

    @Test
    void shouldBindThePlainHttpListenerToServerHttpBindAndHttpsToServerBind() throws Exception {
        try (Socket probe = new Socket()) {
            probe.bind(new InetSocketAddress("127.0.0.2", 0));
        } catch (IOException e) {
            assumeTrue(false, "127.0.0.2 is not a loopback address here: " + e);
        }
        start("server:\n  bind: 127.0.0.1\n  http_bind: 127.0.0.2\n");
        final int http = server.port("http");
        assertEquals(200, get("http://127.0.0.2:" + http + "/health/live").statusCode());
        assertThrows(ConnectException.class, () -> connect("127.0.0.1", http), "HTTP is not on server.bind");
        final int https = server.port("https");
        assertEquals(200, get("https://localhost:" + https + "/health/live").statusCode());
        assertThrows(ConnectException.class, () -> connect("127.0.0.2", https), "HTTPS is not on server.http_bind");
    }

    @Test
    void shouldBindThePlainHttpListenerToLoopbackByDefault() throws Exception {
        final ServerSettings settings = ServerSettings.read(EngineConfig.parse("", Path.of("..", "config")).server(), 0, 0);
        assertEquals("127.0.0.1", settings.httpBind);
        assertEquals("0.0.0.0", settings.bind);
        final io.conversioni.config.ConfigException bad = assertThrows(io.conversioni.config.ConfigException.class,
            () -> ServerSettings.read(EngineConfig.parse("server:\n  http_bind: 'non esiste!'\n", Path.of("..", "config"))
                .server(), 0, 0));
        assertTrue(bad.getMessage().contains("server.http_bind") && bad.getMessage().contains("non esiste!"),
            bad.getMessage());
    }

    private static void connect(final String host, final int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 5_000);
        }
    }

    private record SClient(boolean ok, String output) {
    }

    private static SClient sClient(final File openssl, final String target, final String cipher) throws Exception {
        final Process p = new ProcessBuilder(openssl.getPath(), "s_client", "-connect", target, "-tls1_2",
            "-cipher", cipher, "-servername", "localhost").redirectErrorStream(true).start();
        p.getOutputStream().close(); // EOF on stdin: s_client quits once the handshake is over
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("openssl s_client did not finish: " + output);
        }
        return new SClient(p.exitValue() == 0 && output.contains("Cipher is " + cipher), output);
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
