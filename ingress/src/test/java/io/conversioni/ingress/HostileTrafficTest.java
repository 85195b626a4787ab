package io.conversioni.ingress;

import org.junit.jupiter.api.extension.ExtendWith;
import io.conversioni.testkit.Await;
import io.conversioni.testkit.LeakCheck;
import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.metrics.PrometheusExporter;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.EventTap;
import io.conversioni.pipeline.EventView;
import io.conversioni.pipeline.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server as an attacker meets it: a real Undertow on a free plain-HTTP port, a real engine, and raw sockets,
 * {@code java.net.http} and Python's {@code http.client} for clients. Deadlines are short here so that a missing
 * one shows as a socket read timing out (15 s), far beyond them.
 */
@Timeout(120)
@ExtendWith(LeakCheck.class)
class HostileTrafficTest {
    private static final long T0 = Instant.parse("2024-05-20T14:32:45.123Z").toEpochMilli();
    private static final String SECRET = "hostile-traffic-test-secret-0123456789abcdefghij";
    private static final String EVENT = IngressServerTest.ARTICLE;
    private static final String SINGLE = "/api/v1/eventi/conversione";
    private static final String BATCH = "/api/v1/eventi/conversione/batch";

    @TempDir
    Path data;

    private final List<Runnable> cleanup = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private int port;
    private Engine engine;

    @AfterEach
    void stop() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).run();
        }
    }

    private void start(final String yaml) throws Exception {
        start(yaml, null);
    }

    /** Plain HTTP only; {@code tap}, when given, sees every decided event on the window thread. */
    private void start(final String yaml, final EventTap tap) throws Exception {
        Files.writeString(data.resolve("jwt-secret"), SECRET);
        final EngineConfig config = EngineConfig.parse(yaml, Path.of("..", "config"));
        final ServerSettings settings = ServerSettings.read(config.server(), -1, 0);
        final AuthSetup auth = AuthSetup.read(config.auth(), data);
        engine = Engine.create(config, data, () -> T0 + 5_000);
        if (tap != null) {
            engine.tap(tap);
        }
        final IngressServer server = new IngressServer(engine, settings, auth.authenticator(),
            new PrometheusExporter(engine)::scrape);
        server.start(null);
        cleanup.add(server::stop);
        cleanup.add(engine::close);
        engine.start();
        port = server.port("http");
    }

    /** An HS256 token with the claims given (no {@code sub} unless it is among them). */
    private static String token(final String claims) throws Exception {
        final Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        final String signed = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
            + "." + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return signed + "." + b64.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String tokenFor(final String subject) throws Exception {
        final long now = System.currentTimeMillis() / 1000;
        return token("{\"sub\":\"" + subject + "\",\"iat\":" + now + ",\"exp\":" + (now + 3600) + "}");
    }

    private Socket connect() throws IOException {
        final Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        cleanup.add(() -> close(socket));
        return socket;
    }

    private static void close(final Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket
        }
    }

    /** Everything the server sends until it closes the connection (EOF or reset); a read timeout fails the test. */
    private static String readUntilClosed(final Socket socket) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final InputStream in = socket.getInputStream();
        final byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (SocketException reset) {
            // closed with unread bytes of ours still on their way: a reset after what it sent
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static int answers(final String text) {
        int n = 0;
        for (int i = text.indexOf("HTTP/1."); i >= 0; i = text.indexOf("HTTP/1.", i + 1)) {
            n++;
        }
        return n;
    }

    /** Writes one byte of the body every 50 ms until the server closes the connection. */
    private ScheduledExecutorService trickle(final List<Socket> sockets) {
        final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        cleanup.add(timer::shutdownNow);
        timer.scheduleWithFixedDelay(() -> {
            for (Socket s : sockets) {
                try {
                    s.getOutputStream().write('x');
                    s.getOutputStream().flush();
                } catch (IOException closed) {
                    // the server closed it: what the test waits for
                }
            }
        }, 50, 50, TimeUnit.MILLISECONDS);
        return timer;
    }

    private static void send(final Socket socket, final String text) throws IOException {
        final OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static void await(final BooleanSupplier condition, final String what) {
        Await.until(what, Duration.ofSeconds(30), condition);
    }

    private HttpResponse<String> post(final String path, final String type, final String body, final String bearer)
        throws Exception {
        final HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20)).header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            r.header("Authorization", "Bearer " + bearer);
        }
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> postAsync(final String path, final String body, final String bearer) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/x-ndjson")
            .header("Authorization", "Bearer " + bearer).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static String batchOf(final int events, final int firstId) {
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < events; i++) {
            b.append(EVENT.replace("789456", String.valueOf(firstId + i))).append('\n');
        }
        return b.toString();
    }

    @Test
    void shouldRefuseOutOfRangeLimitsNamingTheirKey() throws Exception {
        for (String bad : List.of("max_connections: 5", "max_queue_wait: 0ms", "body_timeout: 1ms",
            "max_header_size: 10", "max_header_size: 2MiB", "max_queue_wait: soon")) {
            final EngineConfig config = EngineConfig.parse("server:\n  " + bad + "\n", Path.of("..", "config"));
            final String key = bad.substring(0, bad.indexOf(':'));
            final io.conversioni.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.conversioni.config.ConfigException.class, () -> ServerSettings.read(config.server(), -1, 0), bad);
            assertTrue(e.getMessage().contains("server." + key), e.getMessage());
        }
    }

    @Test
    void shouldRefuseAContentLengthOutOfRangeWith400AndParseNothingAfterIt() throws Exception {
        start("");
        final String bearer = tokenFor("crm");
        for (String length : List.of("18446744073709551616", "18446744073709551626", "9223372036854775808", "-1",
            "0x10", "1e3")) {
            for (String target : List.of("POST " + SINGLE, "GET /health/live")) {
                final Socket s = connect();
                send(s, target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + bearer
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n0123456789"
                    + "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
                final String answer = readUntilClosed(s);
                final String what = target + " with Content-Length " + length + ": " + answer;
                assertTrue(answer.startsWith("HTTP/1.1 400 "), what);
                assertEquals(1, answers(answer), "nothing after the header was taken for a request: " + what);
                assertFalse(answer.contains("vivo") || answer.contains("Exception"), what);
            }
        }
        for (String coding : List.of("gzip", "gzip, chunked", "chunked\r\nTransfer-Encoding: chunked")) {
            final Socket s = connect();
            send(s, "POST " + SINGLE + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + bearer
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: " + coding + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                + "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
            final String answer = readUntilClosed(s);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), coding + ": " + answer); // Undertow's own for a repeat
            assertTrue(coding.contains("\r\n") || answer.contains("transfer_encoding_invalid"), coding + ": " + answer);
            assertEquals(1, answers(answer), answer);
        }
        final Socket twice = connect();
        send(twice, "POST " + SINGLE + " HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 50\r\n\r\nhello");
        assertTrue(readUntilClosed(twice).startsWith("HTTP/1.1 400 "), "two different lengths");
        assertEquals(0, engine.counters().outcomes(io.conversioni.pipeline.Outcome.ACCEPTED));
    }

    @Test
    void shouldDropTheBodyOfAGetAndTakeNothingInItForARequest() throws Exception {
        start("");
        final String body = "GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n";
        final Socket s = connect();
        send(s, "GET /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        final String answer = readUntilClosed(s);
        assertTrue(answer.startsWith("HTTP/1.1 200 ") && answer.contains("vivo"), answer);
        assertTrue(answer.contains("Connection: close"), answer);
        assertEquals(1, answers(answer), "the body of a GET is not a second request: " + answer);
    }

    @Test
    void shouldCloseATricklingBodyAtItsDeadlineWhateverTheRoute() throws Exception {
        start("server:\n  body_timeout: 500ms\n");
        final String bearer = tokenFor("crm");
        final String[] requests = {
            "POST " + SINGLE + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + bearer
                + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
            "POST " + BATCH + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + bearer
                + "\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n{",
            "POST " + SINGLE + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
            "POST /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{",
            "GET /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{",
        };
        // the ingest routes answer 408 body_timeout; the others give their answer at the deadline, then close
        final String[] expected = {"HTTP/1.1 408 ", "HTTP/1.1 408 ", "HTTP/1.1 401 ", "HTTP/1.1 405 ", "HTTP/1.1 200 "};

        final List<Socket> sockets = new ArrayList<>();
        for (String request : requests) {
            final Socket s = connect();
            send(s, request);
            sockets.add(s);
        }
        trickle(sockets);
        for (int i = 0; i < requests.length; i++) {
            final String answer = readUntilClosed(sockets.get(i)); // returns only once the server closed it
            assertTrue(answer.startsWith(expected[i]), requests[i] + " -> " + answer);
            assertTrue(answer.contains("Connection: close"), answer);
            assertEquals(1, answers(answer), answer);
        }
        assertEquals(0, engine.counters().outcomes(io.conversioni.pipeline.Outcome.ACCEPTED));
    }

    /** Reads one answer whose body ends with {@code end}, leaving the connection open. */
    private static String readAnswer(final Socket socket, final String end) throws IOException {
        final StringBuilder text = new StringBuilder();
        final InputStream in = socket.getInputStream();
        while (!text.toString().endsWith(end)) {
            final int b = in.read();
            assertTrue(b >= 0, "closed before the answer ended: " + text);
            text.append((char) b);
        }
        return text.toString();
    }

    /**
     * 30 connections hold slow bodies out of a budget of 32 (two kept for health checks): a new ingest request is
     * shed at once with 503, a health check is still answered, and once the slow bodies hit their deadline the
     * budget is free again.
     */
    @Test
    void shouldServeHealthChecksButShedTheRestPastTheConnectionBudget() throws Exception {
        start("server:\n  io_threads: 1\n  max_connections: 32\n  body_timeout: 5s\n");
        final String bearer = tokenFor("crm");
        final List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            final Socket s = connect();
            send(s, "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"); // answered: the connection is counted
            assertTrue(readAnswer(s, "\"vivo\"}").startsWith("HTTP/1.1 200 "));
            send(s, "POST " + SINGLE + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + bearer
                + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
            slow.add(s);
        }
        trickle(slow);
        final ExecutorService readers = Executors.newFixedThreadPool(30);
        cleanup.add(readers::shutdownNow);
        final List<Future<Long>> shedAt = new ArrayList<>();
        for (Socket s : slow) {
            shedAt.add(readers.submit(() -> {
                final String answer = readUntilClosed(s);
                final long at = System.nanoTime();
                assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
                return at;
            }));
        }
        final Socket event = connect();
        send(event, "POST " + SINGLE + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + bearer
            + "\r\nContent-Type: application/json\r\nContent-Length: " + EVENT.length() + "\r\n\r\n" + EVENT);
        final String shed = readUntilClosed(event);
        final long shedAnsweredAt = System.nanoTime();
        event.close(); // as a client does once told Connection: close
        assertTrue(shed.startsWith("HTTP/1.1 503 ") && shed.contains("too_many_connections")
            && shed.contains("Retry-After: 1"), shed);
        final Socket health = connect();
        send(health, "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        final String answer = readUntilClosed(health);
        final long healthAnsweredAt = System.nanoTime();
        assertTrue(answer.startsWith("HTTP/1.1 200 ") && answer.contains("vivo"), answer);
        long firstShed = Long.MAX_VALUE;
        for (Future<Long> f : shedAt) {
            firstShed = Math.min(firstShed, f.get(30, TimeUnit.SECONDS));
        }
        assertTrue(shedAnsweredAt < firstShed && healthAnsweredAt < firstShed,
            "answered while the slow connections were still held: 503 " + (firstShed - shedAnsweredAt) / 1_000_000
                + " ms, health " + (firstShed - healthAnsweredAt) / 1_000_000 + " ms before the first was shed");
        // the server gives a closed connection's slot back in its close listener, a moment after the client saw the
        // close: wait for that (a 503 too_many_connections meanwhile is the budget still counting them), bounded
        final int[] last = {0};
        Await.until("the budget is free again", java.time.Duration.ofSeconds(20), () -> {
            try {
                last[0] = post(SINGLE, "application/json", EVENT, bearer).statusCode();
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
            return last[0] == 202;
        }, () -> "last status " + last[0]);
    }

    @Test
    void shouldRefuseOversizedHeadersAndRequestLines() throws Exception {
        start("");
        final Socket header = connect();
        send(header, "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Pad: " + "a".repeat(100_000) + "\r\n\r\n");
        final String a = readUntilClosed(header);
        assertTrue(a.startsWith("HTTP/1.1 400 ") || a.startsWith("HTTP/1.1 431 "), a);
        final Socket line = connect();
        send(line, "GET /health/live?q=" + "a".repeat(100_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        final String b = readUntilClosed(line);
        assertTrue(b.startsWith("HTTP/1.1 400 ") || b.startsWith("HTTP/1.1 414 ") || b.startsWith("HTTP/1.1 431 "), b);
        final Socket fits = connect();
        send(fits, "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: " + "a".repeat(20_000) + "\r\n\r\n");
        assertTrue(readUntilClosed(fits).startsWith("HTTP/1.1 200 "), "20 KB of headers still fit");
    }

    /** Python's http.client writes the whole body before it reads: it must still read its answer, at 20 MiB, chunked too. */
    @Test
    void shouldLetAClientThatWritesItsWholeBodyFirstReadIts413Or401() throws Exception {
        start("");
        final String script = String.join("\n",
            "import http.client, sys",
            "c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=30)",
            "h = {'Content-Type': 'application/x-ndjson'}",
            "if sys.argv[2]: h['Authorization'] = 'Bearer ' + sys.argv[2]",
            "if sys.argv[3] == 'chunked':",
            "    c.request('POST', '" + BATCH + "', body=(b'x' * 1048576 for _ in range(20)), headers=h, encode_chunked=True)",
            "else:",
            "    c.request('POST', '" + BATCH + "', body=b'x' * (20 * 1024 * 1024), headers=h)",
            "r = c.getresponse()",
            "print(r.status, r.read().decode())");
        final Path py = data.resolve("big.py");
        Files.writeString(py, script);
        final String bearer = tokenFor("crm");
        for (String[] run : new String[][] {{bearer, "length"}, {bearer, "chunked"}, {"", "length"}}) {
            final String token = run[0];
            final Process p = new ProcessBuilder("python3", py.toString(), String.valueOf(port), token, run[1])
                .redirectErrorStream(true).start();
            cleanup.add(p::destroyForcibly);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python finished");
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (token.isEmpty()) {
                assertTrue(out.startsWith("401 ") && out.contains("\"esito\":\"errore\""), out);
            } else {
                assertTrue(out.startsWith("413 ") && out.contains("server.max_batch_size"), out);
            }
        }
    }

    @Test
    void shouldAnswerHeadOnGetRoutesAnd405WithAllow() throws Exception {
        start("");
        final String base = "http://127.0.0.1:" + port;
        final HttpResponse<String> head = client.send(HttpRequest.newBuilder(URI.create(base + "/health/live"))
            .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        final HttpResponse<String> headIngest = client.send(HttpRequest.newBuilder(URI.create(base + SINGLE))
            .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, headIngest.statusCode());
        assertEquals("POST", headIngest.headers().firstValue("Allow").orElse(""));
        final HttpResponse<String> postHealth = post("/health/live", "application/json", "{}", null);
        assertEquals(405, postHealth.statusCode());
        assertEquals("GET, HEAD", postHealth.headers().firstValue("Allow").orElse(""));
        assertTrue(postHealth.body().contains("\"codice\":\"method_not_allowed\""), postHealth.body());
        final HttpResponse<String> unknown = post("/nowhere", "application/json", "{}", null);
        assertEquals(404, unknown.statusCode());
        assertFalse(unknown.headers().firstValue("Allow").isPresent());
    }

    /** A tap that holds the window stage until released, so that events stay in the ring as long as a test needs. */
    private static final class HeldStage implements EventTap {
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void onEvent(final EventView event) {
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onHeartbeat(final long receiveMillis) {
        }
    }

    @Test
    void shouldShed503WithRetryAfterWhenAnEventWouldWaitPastMaxQueueWait() throws Exception {
        final HeldStage held = new HeldStage();
        start("pipeline:\n  heartbeat: 60s\nserver:\n  max_queue_wait: 1ms\n  retry_after: 2s\n", held);
        cleanup.add(held.release::countDown);
        final String bearer = tokenFor("crm");
        final CompletableFuture<HttpResponse<String>> first = client.sendAsync(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + SINGLE)).header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + bearer).POST(HttpRequest.BodyPublishers.ofString(EVENT)).build(),
            HttpResponse.BodyHandlers.ofString());
        await(() -> engine.oldestWaitNanos(System.nanoTime()) > TimeUnit.MILLISECONDS.toNanos(5), "the first event to wait");
        final HttpResponse<String> shed = post(SINGLE, "application/json", EVENT.replace("789456", "200001"), bearer);
        assertEquals(503, shed.statusCode(), shed.body());
        assertTrue(shed.body().contains("\"codice\":\"overloaded\""), shed.body());
        assertEquals("2", shed.headers().firstValue("Retry-After").orElse(""));
        held.release.countDown();
        assertEquals(202, first.get(30, TimeUnit.SECONDS).statusCode());
        await(() -> engine.oldestWaitNanos(System.nanoTime()) == 0, "the ring to drain");
        assertEquals(202, post(SINGLE, "application/json", EVENT.replace("789456", "200002"), bearer).statusCode());
    }

    /**
     * With the window stage held, one subject's flood of batches fills the ring; another subject's batch, sent
     * while the ring is nearly full, still goes in whole, and the flooder's next batch is refused for capacity.
     */
    @Test
    void shouldKeepAShareOfANearlyFullRingForAQuietSubject() throws Exception {
        final HeldStage held = new HeldStage();
        start("pipeline:\n  ring_size: 64\n  heartbeat: 60s\nserver:\n  max_queue_wait: 60s\n", held);
        cleanup.add(held.release::countDown);
        final String flooder = tokenFor("flooder");
        final String quiet = tokenFor("quiet");
        final CompletableFuture<HttpResponse<String>> flood = postAsync(BATCH, batchOf(100, 101000), flooder);
        await(() -> engine.ringOccupancy() >= 48, "the flood to fill the ring past its mark");
        final HttpResponse<String> floodAgain = postAsync(BATCH, batchOf(20, 102000), flooder).get(30, TimeUnit.SECONDS);
        assertTrue(floodAgain.body().contains("\"accettati\":0,\"duplicati\":0,\"rifiutati\":0,\"non_disponibili\":20"), floodAgain.body());
        assertEquals("1", floodAgain.headers().firstValue("Retry-After").orElse(""), "refused for capacity: retry");
        final CompletableFuture<HttpResponse<String>> fair = postAsync(BATCH, batchOf(3, 103000), quiet);
        await(() -> engine.ringOccupancy() >= 48 + 3, "the quiet subject's events in the ring");
        held.release.countDown();
        final HttpResponse<String> quietAnswer = fair.get(30, TimeUnit.SECONDS);
        assertTrue(quietAnswer.body().startsWith("{\"eventi\":3,\"accettati\":3,"), quietAnswer.body());
        assertFalse(quietAnswer.headers().firstValue("Retry-After").isPresent());
        final String floodAnswer = flood.get(30, TimeUnit.SECONDS).body();
        assertFalse(floodAnswer.contains("\"non_disponibili\":0"), "the flooder was held to its share: " + floodAnswer);
    }

    /**
     * A batch longer than the free ring, a too-large event in its middle: the events go in as one run up to the mark
     * and the caller's share past it (48 + 8 of a 64-slot ring), the too-large one is refused on its own without
     * cutting the run, and the rest are answered non_disponibile, each result in the batch's order.
     */
    @Test
    void shouldPublishABatchAsFarAsTheRingAndTheShareLetAndAnswerTheRestAsUnavailable() throws Exception {
        final HeldStage held = new HeldStage();
        start("pipeline:\n  ring_size: 64\n  heartbeat: 60s\n  max_body_size: 1KiB\nserver:\n  max_queue_wait: 60s\n", held);
        cleanup.add(held.release::countDown);
        final String events = batchOf(101, 105000);
        final int cut = events.indexOf('\n', events.indexOf("105029")) + 1; // after the 30th event
        final String body = events.substring(0, cut) + "x".repeat(2000) + "\n" + events.substring(cut);
        final CompletableFuture<HttpResponse<String>> answer = postAsync(BATCH, body, tokenFor("crm"));
        await(() -> engine.ringOccupancy() == 56, "the batch's run in the ring");
        held.release.countDown();
        final HttpResponse<String> batch = answer.get(30, TimeUnit.SECONDS);
        assertEquals(200, batch.statusCode(), batch.body());
        assertTrue(batch.body().startsWith("{\"eventi\":102,\"accettati\":56,\"duplicati\":0,\"rifiutati\":1,"
            + "\"non_disponibili\":45,"), batch.body());
        assertEquals("1", batch.headers().firstValue("Retry-After").orElse(""), "refused for capacity: retry");
        final String[] esiti = batch.body().split("\"esito\":\"");
        assertEquals(103, esiti.length, batch.body());
        for (int i = 0; i < 102; i++) {
            final String expected = i == 30 ? "rifiutato" : i < 57 ? "accettato" : "non_disponibile";
            assertTrue(esiti[i + 1].startsWith(expected + "\""), "result " + i + ": " + esiti[i + 1]);
        }
        assertTrue(esiti[31].contains("\"codice\":\"too_large\""), esiti[31]);
        assertEquals(56, engine.counters().outcomes(Outcome.ACCEPTED));
    }

    @Test
    void shouldAnswerABatchLargerThanTheBurstWith413AndKeepTokensWithoutSubjectApart() throws Exception {
        start("server:\n  rate_limit: 1\n  rate_burst: 5\n");
        final String bearer = tokenFor("crm");
        final HttpResponse<String> tooBig = post(BATCH, "application/x-ndjson", batchOf(6, 104000), bearer);
        assertEquals(413, tooBig.statusCode(), tooBig.body());
        assertTrue(tooBig.body().contains("server.rate_burst") && tooBig.body().contains("\"codice\":\"batch_too_large\""),
            tooBig.body());
        assertEquals(200, post(BATCH, "application/x-ndjson", batchOf(5, 105000), bearer).statusCode());
        final long now = System.currentTimeMillis() / 1000;
        final String noSub = token("{\"iat\":" + now + ",\"exp\":" + (now + 3600) + "}");
        final String emptySub = token("{\"sub\":\"\",\"iat\":" + now + ",\"exp\":" + (now + 3600) + "}");
        final String noSubOther = token("{\"iat\":" + now + ",\"exp\":" + (now + 3599) + "}");
        for (String t : List.of(noSub, emptySub, noSubOther)) {
            final HttpResponse<String> r = post(BATCH, "application/x-ndjson", batchOf(5, 106000), t);
            assertEquals(200, r.statusCode(), "each token without a subject has its own bucket: " + r.body());
        }
        final HttpResponse<String> again = post(BATCH, "application/x-ndjson", batchOf(5, 107000), noSub);
        assertEquals(429, again.statusCode(), again.body());
        assertTrue(again.headers().firstValue("Retry-After").isPresent());
    }
}
