package io.conversioni.cli;

import io.conversioni.cluster.KafkaBroker;
import io.conversioni.cluster.KafkaLeakCheck;
import io.conversioni.ingress.auth.JwtIssuer;
import io.conversioni.testkit.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./conversioni serve --config FILE --data-dir DIR --port N} as outside tools run it, a process of its own:
 * with a FILE that holds only the {@code cluster:} section it joins a real broker and answers a valid POST with its
 * owner's verdict; an unreachable broker ends the start with exit status 2 and the error code, no stack trace; and
 * without the section the node loads no Kafka class and starts no Kafka thread.
 */
@Timeout(240)
@ExtendWith(KafkaLeakCheck.class)
class ServeClusterTest {
    private static final String SECRET = "serve-cluster-secret-0123456789abcdef0123456789";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path folder;

    @Test
    void shouldAnswerAValidPostAcceptedThroughServeWithOnlyAClusterSection() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(folder.resolve("kafka"))) {
            final Path config = Files.writeString(folder.resolve("a.yaml"), "cluster:\n  bootstrap_servers: "
                + broker.bootstrapServers() + "\n  topic: conversioni_eventi\n  partitions: 6\n  node: a\n  owns: \"0-5\"\n");
            final int port = freePort();
            final Process serve = serve(config, folder.resolve("a"), port);
            try {
                awaitReady(serve, port);
                Await.until("the banner names the node", () -> outputQuietly().contains("cluster node a owning [0-5]"));
                final HttpResponse<String> first = post(port, event("CLIENTE-ROMA-000001"));
                assertEquals(202, first.statusCode(), first.body());
                assertTrue(first.body().startsWith("{\"esito\":\"accettato\""), first.body());
                final HttpResponse<String> again = post(port, event("CLIENTE-ROMA-000001"));
                assertTrue(again.body().startsWith("{\"esito\":\"duplicato\""), again.body());
                assertEquals(400, post(port, "{\"id_cliente\":\"nessuno\"}").statusCode());
            } finally {
                stop(serve);
            }
            assertEquals(0, serve.exitValue(), "SIGTERM after a clean drain exits 0: " + output());
        }
    }

    @Test
    void shouldExitWithTheErrorCodeAndNoStackTraceWhenTheBrokerIsUnreachable() throws Exception {
        final Path config = Files.writeString(folder.resolve("d.yaml"), "cluster:\n  bootstrap_servers: 127.0.0.1:"
            + freePort() + "\n  partitions: 6\n  node: d\n  owns: \"\"\n  broker_timeout: 1s\n");
        final Process serve = serve(config, folder.resolve("d"), freePort());
        assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "serve did not give up");
        assertEquals(2, serve.exitValue());
        final String out = output();
        assertTrue(out.contains("error: kafka_unreachable: "), out);
        assertFalse(out.contains("\tat "), "no stack trace: " + out);
    }

    @Test
    void shouldLoadNoKafkaClassAndStartNoKafkaThreadWithoutAClusterSection() throws Exception {
        final Path config = Files.writeString(folder.resolve("single.yaml"), "pipeline:\n  ring_size: 1024\n");
        final int port = freePort();
        final Process serve = serve(config, folder.resolve("single"), port);
        try {
            awaitReady(serve, port);
            assertEquals(202, post(port, event("CLIENTE-ROMA-000002")).statusCode());
            final String classes = jcmd(serve, "VM.class_hierarchy");
            assertTrue(classes.contains("io.conversioni.ingress.IngestHandler"), "the listing names loaded classes");
            assertFalse(classes.contains("org.apache.kafka"), "a single node loaded a Kafka class");
            assertFalse(classes.contains("io.conversioni.ingress.ClusterNode"), "a single node loaded the cluster wiring");
            assertFalse(classes.contains("io.conversioni.ingress.ClusterIngest"), "a single node loaded the cluster route");
            assertFalse(classes.contains("io.conversioni.cluster.ClusterPublisher"), "a single node loaded the publisher");
            final String threads = jcmd(serve, "Thread.print");
            assertFalse(threads.contains("\"kafka-"), threads);
        } finally {
            stop(serve);
        }
    }

    private Process serve(final Path config, final Path data, final int port) throws IOException {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String flag : Files.readString(Path.of("target", "jvm.options")).trim().split("\\s+")) {
            command.add(flag);
        }
        command.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"), "io.conversioni.cli.ConversioniCommand",
            "serve", "--config", config.toString(), "--data-dir", data.toString(), "--port", "-1",
            "--http-port", Integer.toString(port)));
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(folder.resolve("serve.out").toFile()))
            .redirectErrorStream(true);
        builder.environment().put("CONVERSIONI_JWT_SECRET", SECRET);
        return builder.start();
    }

    private String output() throws IOException {
        final Path out = folder.resolve("serve.out");
        return Files.exists(out) ? Files.readString(out) : "";
    }

    private void awaitReady(final Process serve, final int port) {
        Await.until("serve ready on port " + port, Duration.ofSeconds(90), () -> {
            if (!serve.isAlive()) {
                throw new AssertionError("serve exited with " + serve.exitValue() + ": " + outputQuietly());
            }
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    private String outputQuietly() {
        try {
            return output();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void stop(final Process serve) throws InterruptedException {
        serve.destroy(); // SIGTERM: drain, then exit
        if (!serve.waitFor(60, TimeUnit.SECONDS)) {
            serve.destroyForcibly();
            serve.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String jcmd(final Process serve, final String command) throws IOException, InterruptedException {
        final Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
            Long.toString(serve.pid()), command).redirectErrorStream(true).start();
        final String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jcmd.waitFor(60, TimeUnit.SECONDS), "jcmd did not finish");
        assertEquals(0, jcmd.exitValue(), out);
        return out;
    }

    private static HttpResponse<String> post(final int port, final String body) throws IOException, InterruptedException {
        final String token = JwtIssuer.hs256(SECRET.getBytes(StandardCharsets.UTF_8))
            .issue("serve-cluster", System.currentTimeMillis() / 1000, 3600);
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/eventi/conversione"))
            .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static String event(final String cliente) {
        return "{\"id_cliente\":\"" + cliente + "\",\"evento\":\"acquisto_concluso\",\"timestamp\":\"" + Instant.now()
            + "\",\"valore\":9.90,\"canale\":\"email\",\"stato\":\"completato\"}";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
