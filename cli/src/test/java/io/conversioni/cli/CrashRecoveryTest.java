package io.conversioni.cli;

import io.conversioni.ingress.auth.JwtIssuer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server as a separate process, driven by concurrent clients and killed with SIGKILL at seeded
 * random moments, ten times, restarted each time. Clients resend every event until it gets a 202.
 * Afterwards every distinct event must be counted exactly once: nothing acknowledged was lost, and no
 * retry of an event that had reached the journal was counted twice. Then a SIGTERM: the server drains,
 * exits 0, logs no token, and restarts to the same counts.
 */
@Tag("slow")
@Timeout(300)
class CrashRecoveryTest {
    private static final String SECRET = "crash-test-secret-0123456789abcdef0123456789";
    private static final int ROUNDS = 10;
    private static final int CLIENTS = 3;
    private static final int MIN_ACKS_PER_ROUND = 60;

    @TempDir
    Path data;

    @Test
    void shouldCountEveryAcknowledgedEventExactlyOnceAcrossRepeatedKillNine() throws Exception {
        final Random random = new Random(20261128L);
        final int port = freePort();
        final String token = JwtIssuer.hs256(SECRET.getBytes(StandardCharsets.UTF_8))
            .issue("crash-test", System.currentTimeMillis() / 1000, 3600);
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final String timestamp = Instant.now().toString();
        final int events = 1_000_000; // an upper bound: clients stop creating events after the last kill
        final ConcurrentHashMap<Integer, String> acknowledged = new ConcurrentHashMap<>();
        final AtomicInteger next = new AtomicInteger();
        final List<Integer> retry = java.util.Collections.synchronizedList(new ArrayList<>());
        int kills = 0;
        for (int round = 0; round < ROUNDS; round++) {
            final Process server = startServer(port);
            try {
                awaitReady(http, port);
                final int ackedBefore = acknowledged.size();
                final AtomicBoolean stop = new AtomicBoolean();
                final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
                final List<Future<?>> running = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    running.add(clients.submit(() -> {
                        while (!stop.get()) {
                            Integer id = null;
                            synchronized (retry) {
                                if (!retry.isEmpty()) {
                                    id = retry.remove(retry.size() - 1);
                                }
                            }
                            if (id == null) {
                                final int n = next.getAndIncrement();
                                if (n >= events) {
                                    next.decrementAndGet();
                                    return;
                                }
                                id = n;
                            }
                            final String answer = send(http, port, token, id, timestamp);
                            if (answer != null && answer.startsWith("202 ")) {
                                acknowledged.put(id, answer);
                            } else {
                                retry.add(id); // no answer, 503 or a refused connection: send it again later
                            }
                        }
                    }));
                }
                Thread.sleep(150 + random.nextInt(600));
                // a round is measured in progress, not time, so a busy machine still kills under real load
                final long progressDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (acknowledged.size() < ackedBefore + MIN_ACKS_PER_ROUND && System.nanoTime() < progressDeadline) {
                    Thread.sleep(10);
                }
                if (round == 0) {
                    awaitSnapshot(); // so that later restarts can begin from one, whatever the machine's speed
                }
                if (round < ROUNDS - 1) {
                    server.destroyForcibly(); // SIGKILL: no shutdown hook, no drain, no flush
                    server.waitFor(10, TimeUnit.SECONDS);
                    kills++;
                }
                stop.set(true);
                for (Future<?> f : running) {
                    f.get(60, TimeUnit.SECONDS);
                }
                clients.shutdownNow();
                if (round == ROUNDS - 1) {
                    // last round: no new events; resend every unanswered one to a live server until it is answered
                    finishAll(http, port, token, next.get(), next, retry, acknowledged, timestamp);
                }
            } finally {
                server.destroyForcibly();
                server.waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertEquals(ROUNDS - 1, kills);
        final int sent = next.get();
        assertTrue(sent >= ROUNDS * MIN_ACKS_PER_ROUND, "the clients sent a real load: " + sent);
        assertEquals(sent, acknowledged.size(), "every event was eventually acknowledged");
        // a fresh start replays the journal: every distinct event counted once as accettato
        final Process server = startServer(port);
        try {
            awaitReady(http, port);
            assertEquals(sent, acceptedTotal(http, port, token, timestamp),
                "each distinct event counted exactly once after " + kills + " kill -9");
            final long firstAnswersAccepted = acknowledged.values().stream().filter(a -> a.contains("accettato")).count();
            assertTrue(firstAnswersAccepted <= sent);
            final String log = Files.readString(data.resolveSibling(data.getFileName() + "-server.out"));
            assertTrue(log.contains("recovered from snapshot-"), "some restarts began from a periodic snapshot");

            server.destroy(); // SIGTERM: stop taking events, drain, snapshot, close the journal, exit 0
            assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server stops by itself after SIGTERM");
            assertEquals(0, server.exitValue(), "a clean stop exits 0");
            final String after = Files.readString(data.resolveSibling(data.getFileName() + "-server.out"));
            assertTrue(after.contains("engine closed"), "the engine drained and closed its journal");
            assertFalse(after.contains(token) || after.contains(SECRET), "no token or secret is ever logged");
        } finally {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
        final Process restarted = startServer(port);
        try {
            awaitReady(http, port);
            assertEquals(sent, acceptedTotal(http, port, token, timestamp), "the same counts after a SIGTERM stop");
        } finally {
            restarted.destroyForcibly();
            restarted.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** totale.accettati of /api/v1/metriche over the two hours around {@code timestamp}. */
    private static long acceptedTotal(final HttpClient http, final int port, final String token,
                                      final String timestamp) throws Exception {
        final String from = Instant.parse(timestamp).minusSeconds(3600).toString();
        final String to = Instant.parse(timestamp).plusSeconds(3600).toString();
        final HttpResponse<String> metriche = http.send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + port + "/api/v1/metriche?da=" + from + "&a=" + to))
            .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metriche.statusCode(), metriche.body());
        final Matcher accepted = Pattern.compile("\"totale\":\\{\"accettati\":(\\d+),\"duplicati\":(\\d+)")
            .matcher(metriche.body());
        assertTrue(accepted.find(), metriche.body());
        return Long.parseLong(accepted.group(1));
    }

    private void finishAll(final HttpClient http, final int port, final String token, final int events,
                           final AtomicInteger next, final List<Integer> retry,
                           final ConcurrentHashMap<Integer, String> acknowledged, final String timestamp) {
        final List<Integer> unanswered = new ArrayList<>(retry);
        retry.clear();
        for (int n = next.get(); n < events; n++) {
            unanswered.add(n);
        }
        next.set(events);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!unanswered.isEmpty() && System.nanoTime() < deadline) {
            final int id = unanswered.remove(unanswered.size() - 1);
            final String answer = send(http, port, token, id, timestamp);
            if (answer != null && answer.startsWith("202 ")) {
                acknowledged.put(id, answer);
            } else {
                unanswered.add(0, id);
            }
        }
    }

    /** "STATUS body", or null when the request got no answer. */
    private static String send(final HttpClient http, final int port, final String token, final int id,
                               final String timestamp) {
        final String body = "{\"id_cliente\":\"CLIENTE-CRASH-" + String.format("%06d", id) + "\",\"evento\":\"acquisto_concluso\","
            + "\"timestamp\":\"" + timestamp + "\",\"valore\":" + (id % 100) + ".50,\"canale\":\"webform\",\"stato\":\"completato\"}";
        try {
            final HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/v1/eventi/conversione"))
                .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private Process startServer(final int port) throws IOException {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String flag : Files.readString(Path.of("target", "jvm.options")).trim().split("\\s+")) {
            command.add(flag);
        }
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.conversioni.cli.ConversioniCommand");
        command.addAll(List.of("serve", "--config", config().toString(), "--data-dir", data.toString(), "--port", "-1",
            "--http-port", Integer.toString(port)));
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolveSibling(data.getFileName() + "-server.out").toFile()))
            .redirectErrorStream(true);
        builder.environment().put("CONVERSIONI_JWT_SECRET", SECRET);
        builder.environment().put("CONVERSIONI_LOG_LEVEL", "INFO");
        return builder.start();
    }

    /**
     * The shipped configuration with frequent snapshots, so that restarts recover from a snapshot taken
     * mid-load plus the journal tail, not only from a full replay.
     */
    private Path config() throws IOException {
        final Path dir = data.resolveSibling(data.getFileName() + "-config");
        if (!Files.exists(dir)) {
            final Path shipped = Path.of("..", "config");
            Files.createDirectories(dir.resolve("schema"));
            Files.copy(shipped.resolve("schema/conversione.schema.json"), dir.resolve("schema/conversione.schema.json"));
            Files.copy(shipped.resolve("costi.csv"), dir.resolve("costi.csv"));
            Files.writeString(dir.resolve("conversioni.yaml"), Files.readString(shipped.resolve("conversioni.yaml"))
                .replace("heartbeat: 1s", "heartbeat: 50ms").replace("snapshot_interval: 5m", "snapshot_interval: 200ms"));
        }
        return dir.resolve("conversioni.yaml");
    }

    private void awaitSnapshot() throws Exception {
        final Path dir = data.resolve("snapshots");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(dir)) {
                try (java.util.stream.Stream<Path> files = Files.list(dir)) {
                    if (files.anyMatch(p -> p.getFileName().toString().endsWith(".bin"))) {
                        return;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no periodic snapshot within 60 s");
    }

    private static void awaitReady(final HttpClient http, final int port) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                final HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("server not ready within 60 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
