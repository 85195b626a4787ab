package io.conversioni.ingress;

import io.conversioni.config.ConfigException;
import io.conversioni.config.EngineConfig;
import io.conversioni.testkit.LeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one wiring place {@code serve} calls: over real HTTPS (the development keystore it makes), every part
 * is reachable (ingest, alerts, jobs, the exporter with the alert and HTTP families), and {@code close()}
 * leaves no journal, file or thread behind.
 */
@Timeout(120)
@ExtendWith(LeakCheck.class)
class ConversioniServerTest {
    private static final Path CONFIG = Path.of("..", "config");

    @TempDir
    static Path warmup;

    @TempDir
    Path data;

    private ConversioniServer server;

    /** keytool runs as a process, and the JDK's process reaper it starts lives as long as the JVM: start it first. */
    @BeforeAll
    static void startTheProcessReaperBeforeTheLeakCheckLooks() throws IOException {
        DevelopmentTls.ensureDevelopmentKeystore(warmup);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldWireEveryPartBehindHttpsAndReleaseThePortOnClose() throws Exception {
        server = ConversioniServer.configure(EngineConfig.parse("", CONFIG), data, 0, -1);
        server.listen();
        server.start();
        final int port = server.port("https");
        final String token = server.auth().issuer().issue("test-server", System.currentTimeMillis() / 1000, 3600,
            "eventi:scrivi metriche:leggi admin");
        final SSLContext tls = TestTls.trusting(DevelopmentTls.ensureDevelopmentKeystore(data));

        final String event = "{\"id_cliente\":\"CLIENTE-ROMA-000001\",\"evento\":\"acquisto_concluso\",\"timestamp\":\""
            + Instant.now() + "\",\"valore\":19.90,\"canale\":\"sms\",\"stato\":\"completato\"}";
        final String ingest = call(tls, port, "POST", "/api/v1/eventi/conversione", token, event);
        assertTrue(ingest.startsWith("HTTP/1.1 202 "), ingest);

        assertTrue(get(tls, port, "/api/v1/allarmi", token).contains("{\"allarmi\":["));
        assertTrue(get(tls, port, "/api/v1/jobs", token).contains("\"nome\":\"rapporto_giornaliero\""));
        final String metrics = get(tls, port, "/metrics", token);
        assertTrue(metrics.contains("# TYPE conversioni_alerts_open gauge"), metrics);
        assertTrue(metrics.contains("# TYPE conversioni_delivery_pending gauge"), metrics);
        assertTrue(metrics.contains("# TYPE conversioni_http_request_duration_seconds histogram"), metrics);

        server.close();
        server = null;
        assertThrows(IOException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("localhost", port), 2_000);
            }
        });
    }

    @Test
    void shouldRefuseABadAlertSettingNamingItsKey() {
        final ConfigException e = assertThrows(ConfigException.class, () ->
            ConversioniServer.configure(EngineConfig.parse("alerts:\n  max_history: 5\n", CONFIG), data, -1, 0));
        assertTrue(e.getMessage().contains("max_history"), e.getMessage());
        assertFalse(java.nio.file.Files.exists(data.resolve("journal")), "refused before the journal was opened");
        final ConfigException delivery = assertThrows(ConfigException.class, () -> ConversioniServer.configure(
            EngineConfig.parse("delivery:\n  max_attempts: 0\n", CONFIG), data, -1, 0));
        assertTrue(delivery.getMessage().contains("delivery.max_attempts"), delivery.getMessage());
        assertFalse(java.nio.file.Files.exists(data.resolve("journal")), "refused before the journal was opened");
    }

    private static String get(final SSLContext tls, final int port, final String path, final String token)
        throws IOException {
        final String answer = call(tls, port, "GET", path, token, null);
        assertTrue(answer.startsWith("HTTP/1.1 200 "), path + ": " + answer);
        return answer;
    }

    /** One request on its own TLS connection (closed after the answer): the status line, headers and body. */
    private static String call(final SSLContext tls, final int port, final String method, final String path,
                               final String token, final String json) throws IOException {
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("localhost", port)) {
            socket.setSoTimeout(20_000);
            final byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
            final String head = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                + "\r\nConnection: close\r\n" + (json == null ? "" : "Content-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n") + "\r\n";
            final OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
