package io.conversioni.ingress;

import io.conversioni.cluster.ClusterException;
import io.conversioni.cluster.ClusterHeaders;
import io.conversioni.cluster.KafkaBroker;
import io.conversioni.cluster.KafkaLeakCheck;
import io.conversioni.config.ConfigException;
import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.auth.JwtSettings;
import io.conversioni.testkit.Await;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Cluster mode end to end, through the real parts: a real Kafka broker (a JVM of its own), two servers as
 * {@code serve} wires them ({@link ConversioniServer}, node a owning partitions 0-2 and node b 3-5 of 6), a real
 * HTTP client. The ingress contract holds on every node: accepted on one, the same event through the other is a
 * duplicate naming the first, an invalid event is refused by the node that received it and never reaches the
 * topic, a batch mixes all of them. Bad cluster settings and an unreachable broker stop the start with their code.
 */
@Timeout(240)
@ExtendWith(KafkaLeakCheck.class)
class ClusterServeTest {
    private static final Path CONFIG = Path.of("..", "config");
    private static final String TOPIC = "conversioni_eventi_serve";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path folder;

    private static KafkaBroker broker;
    private static ConversioniServer a;
    private static ConversioniServer b;
    /** A node that owns no partition: it takes events and answers queries. */
    private static ConversioniServer c;
    private static String token;

    @BeforeAll
    static void startTheBrokerAndTwoNodes() throws Exception {
        broker = KafkaBroker.start(folder.resolve("kafka"));
        a = node("a", "0-2", folder.resolve("a"));
        token = a.auth().issuer().issue("test-cluster", System.currentTimeMillis() / 1000, 3600,
            "eventi:scrivi metriche:leggi admin");
        // every node shares the JWT secret (in production CONVERSIONI_JWT_SECRET)
        Files.createDirectories(folder.resolve("b"));
        Files.copy(folder.resolve("a").resolve(JwtSettings.DEVELOPMENT_SECRET_FILE),
            folder.resolve("b").resolve(JwtSettings.DEVELOPMENT_SECRET_FILE));
        b = node("b", "3-5", folder.resolve("b"));
        Files.createDirectories(folder.resolve("c"));
        Files.copy(folder.resolve("a").resolve(JwtSettings.DEVELOPMENT_SECRET_FILE),
            folder.resolve("c").resolve(JwtSettings.DEVELOPMENT_SECRET_FILE));
        c = node("c", "", folder.resolve("c"));
    }

    private static ConversioniServer node(final String name, final String owns, final Path data) throws Exception {
        final ConversioniServer server = ConversioniServer.configure(EngineConfig.parse(cluster(name, owns,
            broker.bootstrapServers()), CONFIG), data, -1, 0);
        server.listen();
        server.start();
        assertTrue(server.clustered());
        Await.until("node " + name + " ready", () -> {
            try {
                return get(server, "/health/ready").statusCode() == 200;
            } catch (final IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        return server;
    }

    private static String cluster(final String name, final String owns, final String bootstrap) {
        return "cluster:\n  bootstrap_servers: " + bootstrap + "\n  topic: " + TOPIC + "\n  reply_topic: " + TOPIC
            + "_esiti\n  cells_topic: " + TOPIC + "_finestre\n  partitions: 6\n  node: " + name + "\n  owns: \"" + owns
            + "\"\n";
    }

    @AfterAll
    static void stopAll() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (c != null) {
            c.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void shouldAcceptOnOneNodeAndAnswerTheSameEventThroughTheOtherAsADuplicateOfTheFirst() throws Exception {
        assertEquals(200, get(a, "/health/ready").statusCode());
        assertEquals(200, get(b, "/health/ready").statusCode());
        final String event = event("CLIENTE-ROMA-000001", "acquisto_concluso");
        final HttpResponse<String> first = post(a, IngressServer.SINGLE_PATH, "application/json", event);
        assertEquals(202, first.statusCode(), first.body());
        assertTrue(first.body().startsWith("{\"esito\":\"accettato\",\"sequenza\":"), first.body());
        final long sequence = Long.parseLong(first.body().replaceAll(".*\"sequenza\":(\\d+).*", "$1"));

        final HttpResponse<String> again = post(b, IngressServer.SINGLE_PATH, "application/json", event);
        assertEquals(202, again.statusCode(), again.body());
        assertTrue(again.body().startsWith("{\"esito\":\"duplicato\""), again.body());
        assertTrue(again.body().contains("\"duplicato_di\":" + sequence + ","), again.body());
    }

    @Test
    void shouldAnswerMetricheForTheWholeClusterOnEveryNodeWithItsCoverage() throws Exception {
        Await.until("both nodes show the same cluster-wide metriche", () -> sameMetriche());
        final long before = accepted(metriche(a));
        int sent = 0;
        for (int i = 0; i < 12; i++) { // spread by id_cliente over both owners' partitions
            final HttpResponse<String> r = post(i % 2 == 0 ? a : b, IngressServer.SINGLE_PATH, "application/json",
                event("CLIENTE-BARI-0001" + (10 + i), "acquisto_concluso"));
            assertEquals(202, r.statusCode(), r.body());
            sent++;
        }
        final long expected = before + sent;
        Await.until("every accepted event in both nodes' metriche", () -> {
            try {
                return accepted(metriche(a)) == expected && accepted(metriche(b)) == expected && sameMetriche();
            } catch (final IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        final long rejected = rejected(metriche(a));
        final HttpResponse<String> refused = post(c, IngressServer.SINGLE_PATH, "application/json",
            "{\"id_cliente\":\"CLIENTE-BARI-000999\",\"valore\":\"due\"}");
        assertEquals(400, refused.statusCode(), refused.body()); // rejected where it arrived, never in Kafka
        Await.until("a rejection on the node that owns nothing counted by every node", () -> {
            try {
                return rejected(metriche(a)) == rejected + 1 && rejected(metriche(c)) == rejected + 1;
            } catch (final IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        final String answer = metriche(b);
        assertTrue(answer.contains(",\"cluster\":{\"partizioni\":["), answer);
        assertTrue(answer.contains("\"completa\":true"), answer);
        for (int p = 0; p < 6; p++) {
            assertTrue(answer.contains("{\"partizione\":" + p + ","), "partition " + p + " covered: " + answer);
        }
        final HttpResponse<String> cluster = get(a, "/api/v1/cluster");
        assertEquals(200, cluster.statusCode(), cluster.body());
        assertTrue(cluster.body().contains("\"a\"") && cluster.body().contains("\"b\""), cluster.body());
    }

    private static boolean sameMetriche() {
        try {
            return withoutNodeFields(metriche(a)).equals(withoutNodeFields(metriche(b)));
        } catch (final IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String metriche(final ConversioniServer node) throws IOException, InterruptedException {
        final HttpResponse<String> r = get(node, "/api/v1/metriche?per=canale");
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /**
     * The answer's data: without da and a (the time of the query) and motore and cluster, the two fields that describe
     * the node answering.
     */
    private static String withoutNodeFields(final String metriche) {
        return metriche.substring(metriche.indexOf(",\"totale\":"), metriche.indexOf(",\"motore\":"));
    }

    private static long rejected(final String metriche) {
        return Long.parseLong(metriche.replaceFirst("(?s)^.*?,\"totale\":\\{[^}]*?\"rifiutati\":(\\d+).*$", "$1"));
    }

    private static long accepted(final String metriche) {
        return Long.parseLong(metriche.replaceFirst("(?s)^.*?,\"totale\":\\{\"accettati\":(\\d+).*$", "$1"));
    }

    @Test
    void shouldRefuseAnInvalidEventOnTheReceivingNodeAndNeverProduceIt() throws Exception {
        final String invalid = "{\"id_cliente\":\"CLIENTE-ROMA-000002\",\"evento\":\"non_un_evento\",\"valore\":1}";
        final HttpResponse<String> refused = post(b, IngressServer.SINGLE_PATH, "application/json", invalid);
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().startsWith("{\"esito\":\"rifiutato\""), refused.body());
        assertTrue(refused.body().contains("\"codice\":\"enum\""), refused.body());
        final String tooLate = event("CLIENTE-ROMA-000003", "acquisto_concluso")
            .replaceAll("\"timestamp\":\"[^\"]+\"", "\"timestamp\":\"2020-01-01T00:00:00Z\"");
        final HttpResponse<String> old = post(a, IngressServer.SINGLE_PATH, "application/json", tooLate);
        assertEquals(422, old.statusCode(), old.body()); // decided by the owner, at the receive time stamped on a
        assertTrue(old.body().contains("troppo_vecchio"), old.body());

        for (ConsumerRecord<byte[], byte[]> r : topic()) {
            assertFalse(Arrays.equals(invalid.getBytes(StandardCharsets.UTF_8), r.value()), "an invalid event in Kafka");
        }
    }

    @Test
    void shouldAnswerABatchMixingNewDuplicateAndInvalidEventsEachByItsOwnVerdict() throws Exception {
        final String known = event("CLIENTE-MILANO-000010", "iscrizione_evento");
        assertEquals(202, post(b, IngressServer.SINGLE_PATH, "application/json", known).statusCode());
        final String fresh = event("CLIENTE-TORINO-000011", "acquisto_concluso");
        final String invalid = "{\"id_cliente\":\"nessuno\"}";
        final HttpResponse<String> batch = post(a, IngressServer.BATCH_PATH, "application/x-ndjson",
            known + "\n" + fresh + "\n" + invalid + "\n");
        assertEquals(200, batch.statusCode(), batch.body());
        final String body = batch.body();
        assertTrue(body.startsWith("{\"eventi\":3,\"accettati\":1,\"duplicati\":1,\"rifiutati\":1,\"non_disponibili\":0,"
            + "\"risultati\":[{\"esito\":\"duplicato\""), body);
        final int accepted = body.indexOf("{\"esito\":\"accettato\"");
        final int rejected = body.indexOf("{\"esito\":\"rifiutato\"");
        assertTrue(accepted > 0 && rejected > accepted, "results in the order sent: " + body);
        assertFalse(topicValues().contains(invalid), "an invalid batch item in Kafka");
        assertTrue(topicValues().contains(fresh), "the valid batch item went through Kafka");
    }

    @Test
    void shouldShowThePublisherAndOwnerCountersOnMetricsInPromtoolCleanText() throws Exception {
        assertEquals(202, post(a, IngressServer.SINGLE_PATH, "application/json",
            event("CLIENTE-NAPOLI-000020", "acquisto_concluso")).statusCode());
        for (ConversioniServer node : List.of(a, b)) {
            final String text = get(node, "/metrics").body();
            assertTrue(text.contains("\nconversioni_cluster_ready 1\n"), text);
            assertTrue(text.contains("# TYPE conversioni_cluster_produced_total counter\n"), text);
            assertTrue(text.contains("# TYPE conversioni_cluster_no_verdict_total counter\n"), text);
            assertTrue(text.contains("# TYPE conversioni_cluster_late_verdicts_total counter\n"), text);
            assertTrue(text.contains("# TYPE conversioni_cluster_verdicts_sent_total counter\n"), text);
            assertTrue(text.contains("# TYPE conversioni_cluster_verdicts_failed_total counter\n"), text);
            assertTrue(text.contains("# TYPE conversioni_cluster_consumer_lag gauge\n"), text);
            promtoolCheck(text);
        }
        assertFalse(get(a, "/metrics").body().contains("\nconversioni_cluster_produced_total 0\n"));
    }

    @Test
    void shouldRefuseABadClusterKeyByNameAndAMismatchedTopicOrAnUnreachableBrokerWithItsCode() throws Exception {
        final ConfigException typo = assertThrows(ConfigException.class, () -> ConversioniServer.configure(
            EngineConfig.parse(cluster("c", "", "127.0.0.1:1") + "  nodi: 3\n", CONFIG), folder.resolve("c"), -1, 0));
        assertTrue(typo.getMessage().contains("cluster.nodi"), typo.getMessage());
        final ConfigException split = assertThrows(ConfigException.class, () -> ConversioniServer.configure(
            EngineConfig.parse("dedupe:\n  key_fields: [evento, canale]\n" + cluster("c", "", "127.0.0.1:1"), CONFIG),
            folder.resolve("c"), -1, 0));
        assertTrue(split.getMessage().contains("dedupe.key_fields must include id_cliente"), split.getMessage());

        final ConversioniServer mismatched = ConversioniServer.configure(EngineConfig.parse(
            cluster("e", "", broker.bootstrapServers()).replace("partitions: 6", "partitions: 3"), CONFIG),
            folder.resolve("e"), -1, 0);
        try {
            final ClusterException e = assertThrows(ClusterException.class, mismatched::listen);
            assertEquals(ClusterException.TOPIC_PARTITIONS_MISMATCH, e.code());
            assertTrue(e.getMessage().contains("6") && e.getMessage().contains("3"), e.getMessage());
        } finally {
            mismatched.close();
        }

        final ConversioniServer unreachable = ConversioniServer.configure(EngineConfig.parse(
            cluster("d", "", "127.0.0.1:" + freePort()) + "  broker_timeout: 1s\n", CONFIG), folder.resolve("d"), -1, 0);
        try {
            final ClusterException e = assertThrows(ClusterException.class, unreachable::listen);
            assertEquals(ClusterException.KAFKA_UNREACHABLE, e.code());
        } finally {
            unreachable.close();
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String event(final String cliente, final String evento) {
        return "{\"id_cliente\":\"" + cliente + "\",\"evento\":\"" + evento + "\",\"timestamp\":\"" + Instant.now()
            + "\",\"valore\":19.90,\"canale\":\"sms\",\"stato\":\"completato\"}";
    }

    private static HttpResponse<String> post(final ConversioniServer node, final String path, final String type,
                                             final String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + node.port("http") + path))
            .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(final ConversioniServer node, final String path)
        throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + node.port("http") + path))
            .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    }

    /** Every record of the events topic, read to the end offsets taken first. */
    private static List<ConsumerRecord<byte[], byte[]>> topic() {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        final List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                partitions.add(new TopicPartition(TOPIC, i));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(30)) < end.get(tp))) {
                assertTrue(System.nanoTime() - deadline < 0, "the topic was not read to its end in time");
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static List<String> topicValues() {
        final List<String> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : topic()) {
            if (r.headers().lastHeader(ClusterHeaders.TIPO) != null) {
                continue; // an owner's heartbeat record: no key, no value
            }
            assertNotNull(r.key(), "every event record is keyed by its id_cliente");
            values.add(new String(r.value(), StandardCharsets.UTF_8));
        }
        return values;
    }

    private static void promtoolCheck(final String text) throws IOException, InterruptedException {
        final File promtool = onPath("promtool");
        assumeTrue(promtool != null, "promtool is not on the PATH");
        final Process process = new ProcessBuilder(promtool.getPath(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(text.getBytes(StandardCharsets.UTF_8));
        }
        final String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, process.exitValue(), said);
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
