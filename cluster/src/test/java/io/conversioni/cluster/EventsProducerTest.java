package io.conversioni.cluster;

import io.conversioni.config.ConfigReader;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The events producer as {@link ClusterClients} configures it, against a real broker that goes down
 * and comes back: it never makes its caller wait (the IO thread that will call it), a full buffer fails
 * the send at once, a record the broker cannot take fails within the verdict timeout, and once the
 * broker is back the same producer delivers again by itself.
 */
@ExtendWith(KafkaLeakCheck.class)
@Tag("slow")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EventsProducerTest {
    /** Far below Kafka's 60 s default max.block.ms: a send that returns later than this has waited. */
    private static final long NO_WAIT_MS = 1_000;
    private static final byte[] BODY = "{\"id_cliente\":\"CLIENTE-1\"}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path folder;
    private static KafkaBroker broker;
    private static ClusterSettings settings;
    private static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void start() throws Exception {
        broker = KafkaBroker.start(folder);
        settings = ClusterSettings.read(ConfigReader.parse("cluster:\n"
            + "  bootstrap_servers: " + broker.bootstrapServers() + "\n"
            + "  partitions: 3\n  node: a\n  owns: \"0-2\"\n"
            + "  verdict_timeout: 3s\n  producer_buffer: 1MiB\n  broker_timeout: 5s\n", "test.yaml").section("cluster"));
        ClusterTopics.ensure(settings, 3_600_000);
        producer = new KafkaProducer<>(ClusterClients.eventsProducer(settings));
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(5));
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static Future<RecordMetadata> send(final byte[] value) {
        return producer.send(new ProducerRecord<>(settings.topic(), "CLIENTE-1".getBytes(StandardCharsets.UTF_8), value));
    }

    @Test
    @Order(1)
    void shouldFetchTheMetadataBeforeTheFirstSendAndDeliverWithAllAcks() throws Exception {
        assertEquals(3, ClusterClients.awaitMetadata(producer, settings.topic(), settings));

        final RecordMetadata first = send(BODY).get(30, TimeUnit.SECONDS);
        final RecordMetadata second = send(BODY).get(30, TimeUnit.SECONDS);

        assertEquals(first.partition(), second.partition(), "one id_cliente, one partition");
        assertEquals(first.offset() + 1, second.offset());
    }

    @Test
    @Order(2)
    void shouldSendEachNodesVerdictsToThePartitionThatNodeReads() throws Exception {
        final int replyPartitions = ClusterClients.awaitMetadata(producer, settings.replyTopic(), settings);
        final java.util.Set<Integer> used = new java.util.HashSet<>();
        for (String node : List.of("a", "b", "c", "nodo-1", "nodo-2", "milano.3", "roma_4", "napoli")) {
            final RecordMetadata m = producer.send(new ProducerRecord<>(settings.replyTopic(),
                node.getBytes(StandardCharsets.UTF_8), BODY)).get(30, TimeUnit.SECONDS);
            assertEquals(ClusterClients.replyPartition(node, replyPartitions), m.partition(), node);
            used.add(m.partition());
        }
        assertEquals(replyPartitions, used.size(), "eight names spread over the three partitions");
    }

    @Test
    @Order(2)
    void shouldPutEachIdClienteInThePartitionKeyPartitionsNames() throws Exception {
        final java.util.Random random = new java.util.Random(23);
        final java.util.Set<Integer> used = new java.util.HashSet<>();
        final java.util.function.Predicate<String> ownsFirst = KeyPartitions.owning(new int[] {0}, 3);
        for (int i = 0; i < 40; i++) {
            final String id = i % 4 == 0 ? "cliente-è-" + i : "CLIENTE-" + Long.toHexString(random.nextLong());
            final RecordMetadata m = producer.send(new ProducerRecord<>(settings.topic(),
                id.getBytes(StandardCharsets.UTF_8), BODY)).get(30, TimeUnit.SECONDS);
            assertEquals(m.partition(), KeyPartitions.partitionOf(id, 3), id);
            assertEquals(m.partition() == 0, ownsFirst.test(id), id);
            used.add(m.partition());
        }
        assertEquals(3, used.size(), "forty keys spread over the three partitions");
        assertTrue(!KeyPartitions.owning(new int[0], 3).test("CLIENTE-1"), "owning nothing, no key is ours");
    }

    @Test
    @Order(3)
    void shouldNeverMakeTheCallerWaitWhileTheBrokerHangsAndFailASendAtOnceWhenTheBufferIsFull() throws Exception {
        broker.freeze(); // connected, answering nothing: records wait in the producer's buffer
        // (until the first request times out, after cluster.verdict_timeout: then, with no broker reachable,
        // the client re-bootstraps and forgets the topic, and sends fail at once for want of metadata)

        final long start = System.nanoTime();
        final Future<RecordMetadata> pending = send(BODY);
        final long sendMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(sendMs < NO_WAIT_MS, "send() returned after " + sendMs + " ms with the broker hung");

        final byte[] large = new byte[100 * 1024]; // cluster.producer_buffer is 1 MiB: about ten of these
        Future<RecordMetadata> refused = null;
        for (int i = 0; i < 40 && refused == null; i++) {
            final long t = System.nanoTime();
            final Future<RecordMetadata> f = send(large);
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t) < NO_WAIT_MS, "send() waited");
            if (f.isDone()) {
                refused = f;
            }
        }
        assertTrue(refused != null, "a 1 MiB buffer took 40 records of 100 KiB with the broker hung");
        final ExecutionException full = assertThrows(ExecutionException.class, refused::get);
        assertInstanceOf(BufferExhaustedException.class, full.getCause(), String.valueOf(full.getCause()));

        final ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(30, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, e.getCause(), "given up after delivery.timeout.ms: " + e.getCause());
    }

    @Test
    @Order(4)
    void shouldDeliverAgainByItselfOnceTheBrokerAnswers() throws Exception {
        broker.thaw();

        final RecordMetadata after = sendUntilDelivered();

        assertTrue(after.offset() >= 2, "appended after the two records of the first test: " + after);
    }

    @Test
    @Order(5)
    void shouldFailSendsAtOnceWhileTheBrokerIsDownAndDeliverOnceItIsBack() throws Exception {
        broker.kill();

        final long start = System.nanoTime();
        final Future<RecordMetadata> pending = send(BODY);
        final long sendMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(sendMs < NO_WAIT_MS, "send() returned after " + sendMs + " ms with the broker down");
        final ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(30, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, e.getCause());

        broker.restart();
        // with no broker reachable the client re-bootstraps and forgets the topic; it fetches it again by
        // itself, and until then a send fails at once (503) rather than waiting for it
        assertEquals(3, ClusterClients.awaitMetadata(producer, settings.topic(), settings));
        assertTrue(sendUntilDelivered().offset() >= 3);
    }

    /**
     * Sends until one is acknowledged, as clients' retries would: a send may still fail at once while the
     * producer reconnects, never more than the verdict timeout late.
     */
    private static RecordMetadata sendUntilDelivered() throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return send(BODY).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertInstanceOf(TimeoutException.class, e.getCause());
                assertTrue(System.nanoTime() < deadline, "no delivery within 30 s of the broker's return: " + e);
                ClusterClients.awaitMetadata(producer, settings.topic(), settings);
            }
        }
    }
}
