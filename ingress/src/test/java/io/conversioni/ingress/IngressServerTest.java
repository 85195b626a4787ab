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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real Undertow over HTTPS on a free port, a real engine and journal, a real HTTP client. */
@Timeout(120)
@ExtendWith(LeakCheck.class)
class IngressServerTest {
    static final long T0 = Instant.parse("2024-05-20T14:32:45.123Z").toEpochMilli();
    static final String ARTICLE = "{\"id_cliente\": \"CLIENTE-ITALIA-789456\", \"evento\": \"richiesta_demo\", "
        + "\"timestamp\": \"2024-05-20T14:32:45.123Z\", \"valore\": 0.0, \"canale\": \"email\", \"stato\": \"completato\", "
        + "\"metadati\": { \"campagna\": \"Campagna_Email_Verano2024\", \"dispositivo\": \"iPad_pro\", \"localita\": \"Roma\" }}";

    @TempDir
    Path data;

    private final List<Runnable> cleanup = new ArrayList<>();
    private HttpClient client;
    private String base;
    private String token;
    private IngressServer server;
    private Engine engine;

    @AfterEach
    void stop() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).run();
        }
    }

    private void start(final String yaml) throws Exception {
        final EngineConfig config = EngineConfig.parse(yaml, Path.of("..", "config"));
        final ServerSettings settings = ServerSettings.read(config.server(), 0, -1);
        final AuthSetup auth = AuthSetup.read(config.auth(), data);
        engine = Engine.create(config, data, () -> T0 + 5_000);
        server = new IngressServer(engine, settings, auth.authenticator(), new PrometheusExporter(engine)::scrape);
        final Path keystore = DevelopmentTls.ensureDevelopmentKeystore(data);
        server.start(DevelopmentTls.context(keystore, DevelopmentTls.password(keystore)));
        cleanup.add(server::stop);
        cleanup.add(engine::close);
        engine.start();
        base = "https://localhost:" + server.port("https");
        token = auth.issuer().issue("test-crm", System.currentTimeMillis() / 1000, 3600);
        client = HttpClient.newBuilder().sslContext(trusting(keystore)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static SSLContext trusting(final Path keystore) throws Exception {
        return io.conversioni.ingress.TestTls.trusting(keystore);
    }

    private HttpResponse<String> post(final String path, final String contentType, final String body, final String bearer)
        throws Exception {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] gzip(final String text) throws java.io.IOException {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream zip = new java.util.zip.GZIPOutputStream(out)) {
            zip.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private HttpResponse<String> event(final String body) throws Exception {
        return post("/api/v1/eventi/conversione", "application/json", body, token);
    }

    private HttpResponse<String> get(final String path, final String bearer) throws Exception {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldAcceptTheArticleExampleAndAnswerItsRedeliveryAsADuplicate() throws Exception {
        start("");
        final HttpResponse<String> first = event(ARTICLE);
        assertEquals(202, first.statusCode(), first.body());
        assertTrue(first.body().startsWith("{\"esito\":\"accettato\",\"sequenza\":0,\"finestra\":\"2024-05-20T14:30:00Z\""),
            first.body());
        final HttpResponse<String> again = event(ARTICLE);
        assertEquals(202, again.statusCode());
        assertTrue(again.body().contains("\"esito\":\"duplicato\"") && again.body().contains("\"duplicato_di\":0"),
            again.body());
        assertTrue(again.body().endsWith(",\"ricevuto_il\":\"" + Instant.ofEpochMilli(T0 + 5_000)
            + "\",\"finestra\":\"2024-05-20T14:30:00Z\"}"), again.body());
    }

    /**
     * The inline wiring answers on the publishing IO thread, in its own handler call, when its drain ran
     * the event; any other exchange's answer still goes to its IO thread as a task. Two IO threads and
     * eight concurrent senders make both happen; every answer must reach its own exchange: each event's
     * duplicate names the sequence its accepted twin was answered with.
     */
    @Test
    void shouldAnswerEveryExchangeItsOwnOutcomeInTheInlineWiring() throws Exception {
        start("pipeline:\n  stage_threads: 0\nserver:\n  io_threads: 2\n");
        final HttpResponse<String> first = event(ARTICLE);
        assertEquals(202, first.statusCode(), first.body());
        assertTrue(first.body().startsWith("{\"esito\":\"accettato\",\"sequenza\":0,"), first.body());
        final HttpResponse<String> again = event(ARTICLE);
        assertTrue(again.body().contains("\"esito\":\"duplicato\",\"sequenza\":1,\"duplicato_di\":0,"), again.body());
        assertEquals(400, event(ARTICLE.replace("\"email\"", "\"fax\"")).statusCode());

        final int distinct = 200;
        final java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(8);
        cleanup.add(senders::shutdownNow);
        final List<java.util.concurrent.Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < 2 * distinct; i++) {
            final String body = ARTICLE.replace("789456", String.valueOf(100_000 + i % distinct));
            answers.add(senders.submit(() -> {
                final HttpResponse<String> r = event(body);
                assertEquals(202, r.statusCode(), r.body());
                return r.body();
            }));
        }
        final java.util.Map<Integer, Long> acceptedSequence = new java.util.HashMap<>();
        final java.util.Map<Integer, Long> duplicateOf = new java.util.HashMap<>();
        final java.util.Set<Long> sequences = new java.util.HashSet<>();
        for (int i = 0; i < answers.size(); i++) {
            final String body = answers.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS);
            final long sequence = number(body, "\"sequenza\":");
            assertTrue(sequences.add(sequence), "one sequence per answer: " + body);
            if (body.contains("\"esito\":\"accettato\"")) {
                assertEquals(null, acceptedSequence.put(i % distinct, sequence), body);
            } else {
                assertTrue(body.contains("\"esito\":\"duplicato\""), body);
                assertEquals(null, duplicateOf.put(i % distinct, number(body, "\"duplicato_di\":")), body);
            }
        }
        assertEquals(distinct, acceptedSequence.size());
        assertEquals(acceptedSequence, duplicateOf, "each duplicate names the sequence its twin's answer carried");
        assertEquals(distinct + 1, engine.counters().outcomes(io.conversioni.pipeline.Outcome.ACCEPTED));
    }

    private static long number(final String body, final String field) {
        final int from = body.indexOf(field) + field.length();
        assertTrue(from >= field.length(), field + " in " + body);
        int to = from;
        while (to < body.length() && Character.isDigit(body.charAt(to))) {
            to++;
        }
        return Long.parseLong(body.substring(from, to));
    }

    @Test
    void shouldListEveryViolationOfAnInvalidEventWith400() throws Exception {
        start("");
        final HttpResponse<String> r = event(ARTICLE.replace("\"email\"", "\"fax\"").replace("0.0", "-1"));
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("\"esito\":\"rifiutato\"") && r.body().contains("\"campo\":\"/canale\"")
            && r.body().contains("\"campo\":\"/valore\",\"codice\":\"minimum\""), r.body());
        final HttpResponse<String> malformed = event("{\"id_cliente\":");
        assertEquals(400, malformed.statusCode());
        assertTrue(malformed.body().contains("\"codice\":\"json\""), malformed.body());
    }

    @Test
    void shouldRefuseMissingTamperedAndForgedTokensWith401AndNoDetailsLeaked() throws Exception {
        start("");
        final HttpResponse<String> missing = post("/api/v1/eventi/conversione", "application/json", ARTICLE, null);
        assertEquals(401, missing.statusCode());
        assertEquals("Bearer", missing.headers().firstValue("WWW-Authenticate").orElse(""));
        final String[] parts = token.split("\\.");
        final String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];
        for (String bad : List.of("not-a-token", tampered, parts[0] + "." + parts[1] + ".",
            "eyJhbGciOiJub25lIn0." + parts[1] + ".")) {
            final HttpResponse<String> r = post("/api/v1/eventi/conversione", "application/json", ARTICLE, bad);
            assertEquals(401, r.statusCode(), bad);
            assertTrue(r.body().startsWith("{\"esito\":\"errore\",\"codice\":"), r.body());
            assertFalse(r.body().contains(parts[1]) || r.body().contains("Exception"), r.body());
        }
        assertEquals(401, get("/api/v1/metriche", null).statusCode());
    }

    @Test
    void shouldAnswer415And413And422And404And405Clearly() throws Exception {
        start("pipeline:\n  max_body_size: 1KiB\n");
        assertEquals(415, post("/api/v1/eventi/conversione", "text/plain", ARTICLE, token).statusCode());
        assertEquals(415, post("/api/v1/eventi/conversione", null, ARTICLE, token).statusCode());
        final HttpResponse<String> gzip = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/eventi/conversione/batch"))
            .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/x-ndjson").header("Content-Encoding", "gzip")
            .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofByteArray(gzip(ARTICLE))).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(415, gzip.statusCode(), gzip.body());
        assertTrue(gzip.body().contains("\"codice\":\"content_encoding\""), gzip.body());
        assertEquals("identity", gzip.headers().firstValue("Accept-Encoding").orElse(""));
        assertEquals(0, engine.counters().outcomes(io.conversioni.pipeline.Outcome.REJECTED), "nothing reached the journal");
        final HttpResponse<String> large = event(ARTICLE.replace("\"Roma\"", "\"" + "R".repeat(2000) + "\""));
        assertEquals(413, large.statusCode());
        assertTrue(large.body().contains("\"codice\":\"too_large\""), large.body());
        final HttpResponse<String> future = event(ARTICLE.replace("2024-05-20T14:32:45.123Z", "2024-05-20T15:32:45Z"));
        assertEquals(422, future.statusCode());
        assertTrue(future.body().contains("\"esito\":\"nel_futuro\""), future.body());
        final HttpResponse<String> old = event(ARTICLE.replace("2024-05-20T14:32:45.123Z", "2024-05-10T15:32:45Z"));
        assertEquals(422, old.statusCode(), "[" + old.body() + "] " + old.headers().map());
        assertEquals(404, get("/api/v1/nothing", token).statusCode());
        assertEquals(405, get("/api/v1/eventi/conversione", token).statusCode());
        // the single-event POST skips the router: a query string still reaches it, a longer path does not
        assertEquals(202, post("/api/v1/eventi/conversione?fonte=crm", "application/json", ARTICLE, token).statusCode());
        // (the router answered a trailing slash 404 before the fast path too)
        assertEquals(404, post("/api/v1/eventi/conversione/", "application/json", ARTICLE, token).statusCode());
        assertEquals(404, post("/api/v1/eventi/conversione/x", "application/json", ARTICLE, token).statusCode());
    }

    @Test
    void shouldMatchMediaTypesWhateverTheirCaseAndNothingShorter() throws Exception {
        start("");
        assertEquals(202, post("/api/v1/eventi/conversione", "Application/JSON; charset=UTF-8", ARTICLE, token).statusCode());
        assertEquals(415, post("/api/v1/eventi/conversione", "application/x-ndjson", ARTICLE, token).statusCode(),
            "a single event is JSON only");
        assertEquals(415, post("/api/v1/eventi/conversione", "application/js", ARTICLE, token).statusCode());
        final HttpResponse<String> ndjson = post("/api/v1/eventi/conversione/batch", "APPLICATION/X-NDJSON",
            ARTICLE.replace("789456", "444441") + "\n" + ARTICLE.replace("789456", "444442") + "\n", token);
        assertEquals(200, ndjson.statusCode(), ndjson.body());
        assertTrue(ndjson.body().startsWith("{\"eventi\":2,\"accettati\":2,"), "read as NDJSON: " + ndjson.body());
    }

    @Test
    void shouldLimitATokensRateWith429AndRetryAfter() throws Exception {
        start("server:\n  rate_limit: 1\n  rate_burst: 2\n");
        assertEquals(202, event(ARTICLE).statusCode());
        assertEquals(202, event(ARTICLE.replace("789456", "789457")).statusCode());
        final HttpResponse<String> limited = event(ARTICLE.replace("789456", "789458"));
        assertEquals(429, limited.statusCode(), limited.body());
        assertTrue(limited.headers().firstValue("Retry-After").isPresent());
    }

    @Test
    void shouldAnswer503WithRetryAfterWhileDraining() throws Exception {
        start("");
        server.beginDrain();
        final HttpResponse<String> r = event(ARTICLE);
        assertEquals(503, r.statusCode());
        assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
        assertEquals(503, get("/health/ready", null).statusCode());
        assertEquals(200, get("/health/live", null).statusCode());
    }

    @Test
    @Timeout(30)
    void shouldCloseAConnectionWhoseBodyStopsHalfwayAndCountNothingOfIt() throws Exception {
        start("server:\n  idle_timeout: 1s\n");
        final SSLContext tls = trusting(DevelopmentTls.ensureDevelopmentKeystore(data));
        final byte[] body = ARTICLE.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory()
            .createSocket("localhost", server.port("https"))) {
            socket.setSoTimeout(10_000);
            final java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/eventi/conversione HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nAuthorization: Bearer " + token + "\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2); // then nothing more: a stalled sender
            out.flush();
            final long started = System.nanoTime();
            int read;
            try {
                read = socket.getInputStream().read();
            } catch (java.net.SocketException | javax.net.ssl.SSLException closed) {
                read = -1;
            }
            final long waitedMs = (System.nanoTime() - started) / 1_000_000;
            assertEquals(-1, read, "the server closes the stalled connection without an answer");
            assertTrue(waitedMs < 9_000, "closed by the idle timeout, not by the client: " + waitedMs + " ms");
        }
        assertEquals(0, engine.counters().outcomes(io.conversioni.pipeline.Outcome.ACCEPTED), "nothing half-read counted");
        assertEquals(202, event(ARTICLE).statusCode(), "the server takes the next request as usual");
    }

    @Test
    @Timeout(30)
    void shouldAssembleABodyThatArrivesInPiecesWithOrWithoutAContentLength() throws Exception {
        start("pipeline:\n  max_body_size: 1KiB\n");
        final byte[] first = ARTICLE.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        final String head = "POST /api/v1/eventi/conversione HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Authorization: Bearer " + token + "\r\nConnection: close\r\n";
        // Content-Length, body in three writes with pauses: several reads on the server
        final String fixed = rawRequest(head + "Content-Length: " + first.length + "\r\n\r\n", first, 3, false);
        assertTrue(fixed.startsWith("HTTP/1.1 202"), fixed);
        assertTrue(fixed.contains("\"esito\":\"accettato\""), fixed);
        // chunked, no Content-Length: a different event, so a garbled assembly could not pass as a duplicate
        final byte[] second = ARTICLE.replace("789456", "789999").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        final String chunked = rawRequest(head + "Transfer-Encoding: chunked\r\n\r\n", second, 4, true);
        assertTrue(chunked.startsWith("HTTP/1.1 202"), chunked);
        assertTrue(chunked.contains("\"esito\":\"accettato\""), chunked);
        // chunked and over pipeline.max_body_size: refused without a declared length to check up front
        final byte[] large = ARTICLE.replace("\"Roma\"", "\"" + "R".repeat(2000) + "\"")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        final String tooLarge = rawRequest(head + "Transfer-Encoding: chunked\r\n\r\n", large, 4, true);
        assertTrue(tooLarge.startsWith("HTTP/1.1 413"), tooLarge);
        assertTrue(tooLarge.contains("\"codice\":\"too_large\""), tooLarge);
        assertEquals(2, engine.counters().outcomes(io.conversioni.pipeline.Outcome.ACCEPTED));
    }

    /** Sends {@code head}, then {@code body} in {@code pieces} flushed writes 30 ms apart; returns the whole answer. */
    private String rawRequest(final String head, final byte[] body, final int pieces, final boolean chunked) throws Exception {
        final SSLContext tls = trusting(DevelopmentTls.ensureDevelopmentKeystore(data));
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory()
            .createSocket("localhost", server.port("https"))) {
            socket.setSoTimeout(10_000);
            final java.io.OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            final int step = (body.length + pieces - 1) / pieces;
            try {
                for (int from = 0; from < body.length; from += step) {
                    final int n = Math.min(step, body.length - from);
                    if (chunked) {
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    }
                    out.write(body, from, n);
                    if (chunked) {
                        out.write("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    }
                    out.flush();
                    Thread.sleep(30);
                }
                if (chunked) {
                    out.write("0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (java.net.SocketException closed) {
                // a refusal (413) closes the connection before the whole body is sent: read what it answered
            }
            final java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            final byte[] buffer = new byte[4096];
            try {
                for (int n; (n = socket.getInputStream().read(buffer)) > 0; ) {
                    answer.write(buffer, 0, n);
                }
            } catch (java.net.SocketException | javax.net.ssl.SSLException closed) {
                // the server may close right after a refusal; what it sent is in the buffer
            }
            return answer.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldJudgeEachEventOfABatchOnItsOwnAndAnswerInOrder() throws Exception {
        start("");
        final String ndjson = ARTICLE + "\n\n" + ARTICLE.replace("\"email\"", "\"fax\"") + "\n" + ARTICLE + "\n"
            + ARTICLE.replace("789456", "123456") + "\n";
        final HttpResponse<String> r = post("/api/v1/eventi/conversione/batch", "application/x-ndjson", ndjson, token);
        assertEquals(200, r.statusCode(), r.body());
        final String body = r.body();
        final int a = body.indexOf("\"esito\":\"accettato\"");
        final int b = body.indexOf("\"esito\":\"rifiutato\"");
        final int c = body.indexOf("\"esito\":\"duplicato\"");
        final int d = body.indexOf("\"esito\":\"accettato\"", c);
        assertTrue(a > 0 && a < b && b < c && c < d, body);
        // counted as /api/v1/metriche counts: the duplicate is not accepted twice
        assertTrue(body.startsWith("{\"eventi\":4,\"accettati\":2,\"duplicati\":1,\"rifiutati\":1,\"non_disponibili\":0,"), body);
        final HttpResponse<String> m = get("/api/v1/metriche?da=2024-05-20T14:00:00Z&a=2024-05-20T15:00:00Z", token);
        assertTrue(m.body().contains("\"totale\":{\"accettati\":2,\"duplicati\":1,"), m.body());
        final HttpResponse<String> array = post("/api/v1/eventi/conversione/batch", "application/json",
            "[" + ARTICLE.replace("789456", "555555") + " , " + ARTICLE.replace("789456", "555556") + "]", token);
        assertEquals(200, array.statusCode());
        assertTrue(array.body().startsWith("{\"eventi\":2,\"accettati\":2,\"duplicati\":0,"), array.body());
        assertEquals(400, post("/api/v1/eventi/conversione/batch", "application/json", "[{\"a\":1},", token).statusCode());
        // one event over pipeline.max_body_size (64 KiB by default) inside a batch: refused alone, never stored
        final long stored = engine.counters().outcomes(io.conversioni.pipeline.Outcome.ACCEPTED);
        final long rejectedBefore = engine.counters().outcomes(io.conversioni.pipeline.Outcome.REJECTED);
        final String huge = ARTICLE.replace("789456", "777777").replace("\"Roma\"", "\"" + "R".repeat(70_000) + "\"");
        final HttpResponse<String> mixed = post("/api/v1/eventi/conversione/batch", "application/x-ndjson",
            huge + "\n" + ARTICLE.replace("789456", "777778") + "\n", token);
        assertEquals(200, mixed.statusCode(), mixed.body());
        assertTrue(mixed.body().startsWith("{\"eventi\":2,\"accettati\":1,\"duplicati\":0,\"rifiutati\":1,"), mixed.body());
        assertTrue(mixed.body().contains("\"codice\":\"too_large\""), mixed.body());
        assertEquals(stored + 1, engine.counters().outcomes(io.conversioni.pipeline.Outcome.ACCEPTED));
        assertEquals(0, engine.counters().outcomes(io.conversioni.pipeline.Outcome.REJECTED) - rejectedBefore,
            "the oversized event never reached the engine");
    }

    @Test
    void shouldAllocateNothingPerEventOnTheStageThreadToAnswerBatchesAndSingleEvents() throws Exception {
        start("");
        final Thread stages = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals("conversioni-stages")).findFirst().orElseThrow();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        final int perBatch = 250;
        int next = 0;
        for (int b = 0; b < 12; b++) { // warm up: the first answers load classes and compile
            next = postBatch(next, perBatch);
        }
        final long before = threads.getThreadAllocatedBytes(stages.getId());
        final int batches = 20;
        for (int b = 0; b < batches; b++) {
            next = postBatch(next, perBatch);
        }
        final long batchBytes = threads.getThreadAllocatedBytes(stages.getId()) - before;
        // an array per answer would be ~100 bytes an event: 500 000 here
        assertTrue(batchBytes < batches * perBatch * 4L,
            "the stage thread allocated " + batchBytes + " bytes for " + batches * perBatch + " batch events");

        // single events from four clients at once, so that what the stage thread allocates per unit of time (a
        // heartbeat's journal entry, a histogram publish) is small beside what the events would
        final int singles = 2_000;
        singles(next, singles);
        next += singles;
        final long singlesBefore = threads.getThreadAllocatedBytes(stages.getId());
        singles(next, singles);
        final long singleBytes = threads.getThreadAllocatedBytes(stages.getId()) - singlesBefore;
        // one object per event would be 16 bytes an event at least; what is left, 4-5 here, is XNIO's: its execute
        // allocates an empty array (a trace message's arguments) when the IO thread is not in select
        assertTrue(singleBytes < singles * 16L, "the stage thread allocated " + singleBytes + " bytes for " + singles
            + " single events");
    }

    /** Posts {@code n} single events from id {@code from} on, from four threads; checks each answer. */
    private void singles(final int from, final int n) throws Exception {
        final java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            final List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                final int first = from + c * n / 4;
                final int last = from + (c + 1) * n / 4;
                sent.add(clients.submit(() -> {
                    for (int id = first; id < last; id++) {
                        single(id);
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : sent) {
                f.get();
            }
        } finally {
            clients.shutdownNow();
        }
    }

    private void single(final int id) throws Exception {
        final HttpResponse<String> r = event(ARTICLE.replace("789456", String.format("%06d", id)));
        assertEquals(202, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("{\"esito\":\"accettato\",\"sequenza\":"), r.body());
    }

    /**
     * Posts a batch of {@code n} events from id {@code from} on, every fifth a repeat of the one before and every 50th
     * invalid, and checks its answer: the summary and every result, in order.
     */
    private int postBatch(final int from, final int n) throws Exception {
        final StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < n; i++) {
            final int id = i % 5 == 4 ? from + i - 1 : from + i;
            final String event = ARTICLE.replace("789456", String.format("%06d", id));
            ndjson.append(i % 50 == 49 ? event.replace("\"email\"", "\"fax\"") : event).append('\n');
        }
        final HttpResponse<String> r =
            post("/api/v1/eventi/conversione/batch", "application/x-ndjson", ndjson.toString(), token);
        assertEquals(200, r.statusCode(), head(r.body()));
        final int rejected = n / 50;
        assertTrue(r.body().startsWith("{\"eventi\":" + n + ",\"accettati\":" + (n - n / 5) + ",\"duplicati\":"
            + (n / 5 - rejected) + ",\"rifiutati\":" + rejected + ",\"non_disponibili\":0,"), head(r.body()));
        // every result, in order: the i-th is a duplicate when i % 5 == 4, unless it is itself invalid (i % 50 == 49)
        int at = r.body().indexOf("\"risultati\":[");
        for (int i = 0; i < n; i++) {
            at = r.body().indexOf("{\"esito\":\"", at + 1);
            final String esito = r.body().substring(at + 10, r.body().indexOf('"', at + 10));
            final String expected = i % 50 == 49 ? "rifiutato" : i % 5 == 4 ? "duplicato" : "accettato";
            assertEquals(expected, esito, "result " + i + " of " + head(r.body()));
        }
        return from + n;
    }

    private static String head(final String body) {
        return body.length() > 400 ? body.substring(0, 400) + "..." : body;
    }

    @Test
    void shouldAnswerTroppoVecchioWithoutClaimingAQuarantineThatRequeueCouldOffer() throws Exception {
        start("");
        assertEquals(202, event(ARTICLE).statusCode());
        final HttpResponse<String> old = event(ARTICLE.replace("2024-05-20T14:32:45.123Z", "2024-05-18T09:00:00Z"));
        assertEquals(422, old.statusCode(), old.body());
        assertTrue(old.body().contains("\"codice\":\"troppo_vecchio\",\"messaggio\":\"the event is older than the "
            + "windows kept (windows.horizon): it is journaled but counted in no window; it is not quarantined, so requeue "
            + "does not offer it; do not retry it, reconcile it offline if needed\""), old.body());
        assertFalse(old.body().contains("was quarantined"), old.body());
    }

    @Test
    void shouldShowAnAcceptedEventInTheMetricsRightAfterThe202() throws Exception {
        start("");
        assertEquals(202, event(ARTICLE).statusCode());
        final HttpResponse<String> m = get("/api/v1/metriche?da=2024-05-20T14:00:00Z&a=2024-05-20T15:00:00Z&per=campagna", token);
        assertEquals(200, m.statusCode(), m.body());
        assertTrue(m.body().contains("\"totale\":{\"accettati\":1,\"duplicati\":0,\"rifiutati\":0,\"in_ritardo\":0,"
            + "\"valore_totale\":0.00}"), m.body());
        assertTrue(m.body().contains("\"chiave\":\"Campagna_Email_Verano2024\",\"accettati\":1"), m.body());
        assertEquals(400, get("/api/v1/metriche?per=paese", token).statusCode());
        assertEquals(400, get("/api/v1/metriche?da=ieri", token).statusCode());
        // Instant.parse takes years Instant holds but epoch milliseconds do not: a 400, not a 500
        final HttpResponse<String> farPast = get("/api/v1/metriche?da=-999999999-01-01T00:00:00Z", token);
        assertEquals(400, farPast.statusCode(), farPast.body());
        assertTrue(farPast.body().contains("\"codice\":\"parametro\""), farPast.body());
        assertEquals(400, get("/api/v1/metriche?a=%2B999999999-12-31T23:59:59Z", token).statusCode());
        // the same hour written with an offset and with a fraction: the same answer
        final String sameHour = m.body().substring(0, m.body().indexOf(",\"motore\""));
        final HttpResponse<String> offset = get("/api/v1/metriche?da=2024-05-20T16:00:00%2B02:00&a=2024-05-20T15:00:00.000Z&per=campagna", token);
        assertEquals(200, offset.statusCode(), offset.body());
        assertEquals(sameHour, offset.body().substring(0, offset.body().indexOf(",\"motore\"")));
        assertTrue(sameHour.startsWith("{\"da\":\"2024-05-20T14:00:00Z\",\"a\":\"2024-05-20T15:00:00Z\""), sameHour);
        assertEquals(400, get("/api/v1/metriche?da=2024-05-20T15:00:00Z&a=2024-05-20T14:00:00Z", token).statusCode());
        assertEquals(401, get("/metrics", null).statusCode(), "protected by default");
        final HttpResponse<String> prometheus = get("/metrics", token);
        assertEquals(200, prometheus.statusCode());
        assertTrue(prometheus.body().contains("conversioni_events_total{esito=\"accettato\"} 1"), prometheus.body());
        assertEquals(200, get("/health/ready", null).statusCode());
    }
}
