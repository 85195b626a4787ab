package io.conversioni.ingress;

import io.conversioni.cluster.KafkaBroker;
import io.conversioni.cluster.KafkaLeakCheck;
import io.conversioni.config.EngineConfig;
import io.conversioni.testkit.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP answers of a cluster node whose broker goes away and comes back: every valid event is answered 503 with
 * Retry-After and a cluster code ({@code kafka_non_disponibile} when refused at once, {@code verdetto_scaduto} for
 * one that went into the producer's buffer first), in a batch as {@code non_disponibile} results with Retry-After on
 * the 200, an invalid event still 400 from the local engine; and with the broker back the same node answers
 * {@code accettato} again by itself.
 */
@Timeout(240)
@ExtendWith(KafkaLeakCheck.class)
class ClusterBrokerDownTest {
    private static final Path CONFIG = Path.of("..", "config");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path folder;

    @Test
    void shouldAnswer503WithRetryAfterWhileTheBrokerIsDownAndAcceptAgainOnceItIsBack() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(folder.resolve("kafka"));
             ConversioniServer node = ConversioniServer.configure(EngineConfig.parse("cluster:\n  bootstrap_servers: "
                 + broker.bootstrapServers() + "\n  partitions: 3\n  node: a\n  owns: \"0-2\"\n  verdict_timeout: 1s\n",
                 CONFIG), folder.resolve("a"), -1, 0)) {
            node.listen();
            node.start();
            final String token = node.auth().issuer().issue("test-down", System.currentTimeMillis() / 1000, 3600);
            assertEquals(202, post(node, token, IngressServer.SINGLE_PATH, "application/json", event(1)).statusCode());

            broker.kill();
            for (int i = 2; i < 6; i++) {
                final HttpResponse<String> down = post(node, token, IngressServer.SINGLE_PATH, "application/json", event(i));
                assertEquals(503, down.statusCode(), down.body());
                assertTrue(down.headers().firstValue("Retry-After").isPresent(), "Retry-After on a 503");
                assertTrue(down.body().contains("\"codice\":\"kafka_non_disponibile\"")
                    || down.body().contains("\"codice\":\"verdetto_scaduto\""), down.body());
            }
            final HttpResponse<String> batch = post(node, token, IngressServer.BATCH_PATH, "application/x-ndjson",
                event(10) + "\n{\"id_cliente\":\"nessuno\"}\n");
            assertEquals(200, batch.statusCode(), batch.body());
            assertTrue(batch.body().startsWith("{\"eventi\":2,\"accettati\":0,\"duplicati\":0,\"rifiutati\":1,"
                + "\"non_disponibili\":1,"), batch.body());
            assertTrue(batch.headers().firstValue("Retry-After").isPresent(), "Retry-After on a batch with 503 items");
            final HttpResponse<String> invalid = post(node, token, IngressServer.SINGLE_PATH, "application/json",
                "{\"id_cliente\":\"nessuno\"}");
            assertEquals(400, invalid.statusCode(), "an invalid event needs no broker: " + invalid.body());

            broker.restart();
            Await.until("the node accepts again once the broker is back", Duration.ofSeconds(90), () -> {
                final HttpResponse<String> r = postQuietly(node, token, event(20));
                return r.statusCode() == 202 && r.body().startsWith("{\"esito\":\"accettato\"");
            });
        }
    }

    private static String event(final int n) {
        return "{\"id_cliente\":\"CLIENTE-GENOVA-" + String.format("%06d", n) + "\",\"evento\":\"acquisto_concluso\","
            + "\"timestamp\":\"" + Instant.now() + "\",\"valore\":5.00,\"canale\":\"webform\",\"stato\":\"completato\"}";
    }

    private static HttpResponse<String> postQuietly(final ConversioniServer node, final String token, final String body) {
        try {
            return post(node, token, IngressServer.SINGLE_PATH, "application/json", body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> post(final ConversioniServer node, final String token, final String path,
                                             final String type, final String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + node.port("http") + path))
            .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
