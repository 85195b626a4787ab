package io.conversioni.cluster;

import io.conversioni.config.ConfigReader;
import io.conversioni.config.EngineConfig;
import io.conversioni.journal.JournalReader;
import io.conversioni.journal.JournalRecord;
import io.conversioni.journal.JournalRecordKind;
import io.conversioni.journal.JournalResumePoints;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.Outcome;
import io.conversioni.testkit.Await;
import io.conversioni.window.MetricheQuery;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.conversioni.cluster.OwnerConsumerTest.event;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Heartbeat records and the replacement node, against a real broker and real engines on temporary data folders.
 * An owner (node a) takes events on partitions 0 and 1 while partition 2 stays quiet, and heartbeat records it
 * writes itself; with its clock moved on, only those close the windows (the engines take no heartbeat of their
 * own clock). Then a second engine with an empty data folder and the same partitions rebuilds them from the
 * topic: the same {@code /api/v1/metriche} answer for every grouping, field by field, {@code chiusa} included,
 * no verdict for what it rebuilt, and the same dedupe decisions for old events published again (each
 * {@code duplicato_di} names the same first record, by its partition and offset, with the same
 * {@code ricevuto_il}). The same holds when the rebuilding consumer is killed halfway and the node restarts.
 */
@ExtendWith(KafkaLeakCheck.class)
@Tag("slow")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class OwnerRebuildTest {
    private static final Path CONFIG_DIR = Path.of("..", "config");
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    /**
     * Mid-window, three hours back: every record timestamp lies in the past (the broker refuses far-future ones)
     * and within the topic's retention.
     */
    private static final long T0 = Math.floorDiv(System.currentTimeMillis() - 3 * HOUR, 5 * MINUTE) * 5 * MINUTE
        + 150_000;
    /**
     * Heartbeats every 100 ms; a lateness of an hour, so that no event closes a window (in whatever order the
     * partitions are read) and only heartbeats do; a 6 h TTL, so that events published again two hours later are
     * still duplicates; a rebuild reads 12 h back.
     */
    private static final String ENGINE_YAML = "pipeline:\n  heartbeat: 100ms\n  ring_size: 64\n"
        + "windows:\n  horizon: 6h\n  allowed_lateness: 1h\n  idle_allowance: 0s\n"
        + "dedupe:\n  ttl: 6h\n";
    private static final String RECEIVING_NODE = "b";
    private static final Pattern ESITO = Pattern.compile("\"esito\":\"(\\w+)\"");
    private static final Pattern DUPLICATO_DI = Pattern.compile("\"duplicato_di\":(\\d+)");
    private static final Pattern RICEVUTO_IL = Pattern.compile("\"ricevuto_il\":\"([^\"]+)\"");
    /** Events published again after the windows closed: records 1 to 5. */
    private static final int[] AGAIN = {1, 2, 3, 4, 5};

    @TempDir
    static Path brokerFolder;
    private static KafkaBroker broker;
    private static KafkaProducer<byte[], byte[]> receivingNode;

    @TempDir
    Path data;
    private ClusterSettings settings;
    private EngineConfig config;
    private final AtomicLong now = new AtomicLong(T0);
    private final List<AutoCloseable> open = new ArrayList<>();

    /** What the first owner ended with. */
    private record Reference(List<String> metriche, long watermark, Map<Integer, String> duplicateOf,
                             Map<Integer, String> receivedAt, int records) {
    }

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(brokerFolder);
        receivingNode = new KafkaProducer<>(ClusterClients.eventsProducer(settings("any")));
    }

    @AfterAll
    static void stopBroker() {
        if (receivingNode != null) {
            receivingNode.close(Duration.ofSeconds(5));
        }
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static ClusterSettings settings(final String name) throws Exception {
        return ClusterSettings.read(ConfigReader.parse("cluster:\n"
            + "  bootstrap_servers: " + broker.bootstrapServers() + "\n"
            + "  topic: eventi_" + name + "\n  reply_topic: esiti_" + name + "\n  cells_topic: finestre_" + name + "\n"
            + "  partitions: 3\n  node: a\n  owns: \"0-2\"\n"
            + "  verdict_timeout: 5s\n  broker_timeout: 10s\n", "test.yaml").section("cluster"));
    }

    private void topics(final String name) throws Exception {
        settings = settings(name);
        config = EngineConfig.parse(ENGINE_YAML, CONFIG_DIR);
        ClusterTopics.ensure(settings, ClusterTopics.minEventsRetentionMs(config));
        ClusterClients.awaitMetadata(receivingNode, settings.topic(), settings);
    }

    /** An engine on {@code dir} whose heartbeats come from the topic only, on the test's clock. */
    private Engine engine(final Path dir) {
        final Engine engine = Engine.create(config, dir, now::get);
        open.add(engine);
        engine.heartbeatsFromRecords();
        engine.start();
        return engine;
    }

    private OwnerConsumer owner(final Engine engine) throws Exception {
        final OwnerConsumer owner = OwnerConsumer.start(settings, engine);
        open.add(owner);
        return owner;
    }

    /** When record {@code i} (of 1500) was received: over the 20 minutes before T0, 3 s after its event time. */
    private static long receivedAt(final int i) {
        return T0 - 20 * MINUTE + 800L * i;
    }

    /** Record {@code i}: 40 clients, every 7th a re-delivery of an earlier event, every 23rd invalid. */
    private static String body(final int i) {
        final int source = i % 7 == 6 ? i / 2 : i;
        if (i % 23 == 22) {
            return "{\"id_cliente\":\"" + client(i) + "\",\"valore\":\"due\"}";
        }
        final String[] canali = {"email", "sms", "webform"};
        return event(client(source), source % 2 == 0 ? "acquisto_concluso" : "richiesta_demo",
            receivedAt(source) - 3_000, source % 2 == 0 ? (source % 50) + ".25" : "0", canali[source % 3]);
    }

    private static String client(final int i) {
        return String.format("CLIENTE-ROMA-%06d", i % 40);
    }

    /** Every event of a client goes to one partition, 0 or 1: partition 2 only ever gets heartbeats. */
    private static int partitionOf(final int i) {
        final int client = i % 7 == 6 && i % 23 != 22 ? i / 2 : i; // body(i)'s id_cliente
        return (client % 40) % 2;
    }

    /** Sends a record as receiving node "b" would, with correlation {@code correlation}, and returns its ack. */
    private Future<RecordMetadata> send(final int partition, final String body, final long ricevuto,
                                        final long correlation) {
        final RecordHeaders headers = new RecordHeaders();
        headers.add(ClusterHeaders.RICEVUTO, ClusterHeaders.millis(ricevuto));
        headers.add(ClusterHeaders.NODO, RECEIVING_NODE.getBytes(StandardCharsets.UTF_8));
        headers.add(ClusterHeaders.CORRELAZIONE, ByteBuffer.allocate(16).putLong(0x5EEDL).putLong(correlation).array());
        final String id = body.replaceAll(".*\"id_cliente\":\"([^\"]+)\".*", "$1");
        return receivingNode.send(new ProducerRecord<>(settings.topic(), partition, ricevuto,
            id.getBytes(StandardCharsets.UTF_8), body.getBytes(StandardCharsets.UTF_8), headers));
    }

    private void produce(final int from, final int to) throws Exception {
        final List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = from; i < to; i++) {
            acks.add(send(partitionOf(i), body(i), receivedAt(i), i));
        }
        for (Future<RecordMetadata> ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
        }
    }

    /** Publishes records {@link #AGAIN} again at {@code ricevuto}, correlations from {@code correlation}. */
    private void publishAgain(final long ricevuto, final long correlation) throws Exception {
        for (int k = 0; k < AGAIN.length; k++) {
            send(partitionOf(AGAIN[k]), body(AGAIN[k]), ricevuto + k, correlation + k).get(30, TimeUnit.SECONDS);
        }
    }

    private static long decided(final Engine engine) {
        long n = 0;
        for (int outcome = Outcome.ACCEPTED; outcome <= Outcome.JOURNAL_FAILED; outcome++) {
            n += engine.counters().outcomes(outcome);
        }
        return n;
    }

    private List<String> metriche(final Engine engine) {
        final MetricheQuery query = new MetricheQuery(engine.windows(), engine.config());
        final List<String> out = new ArrayList<>();
        for (String per : MetricheQuery.GROUPINGS) {
            out.add(query.render(T0 - 24 * HOUR, T0 + 3 * HOUR, per));
        }
        return out;
    }

    /** Node "b"'s verdicts with a correlation in [from, from + n): [answer JSON] by correlation. */
    private Map<Long, String> verdicts(final long from, final int n) {
        final Properties p = ClusterClients.ownerConsumer(settings);
        p.put("group.id", "verdetti-test");
        p.put("client.id", "verdetti-test");
        final Map<Long, String> out = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> replies = new KafkaConsumer<>(p)) {
            final TopicPartition tp = new TopicPartition(settings.replyTopic(),
                ClusterClients.replyPartition(RECEIVING_NODE, settings.partitions()));
            replies.assign(List.of(tp));
            replies.seekToBeginning(List.of(tp));
            Await.until(n + " verdicts from correlation " + from, Duration.ofSeconds(60), () -> {
                for (ConsumerRecord<byte[], byte[]> r : replies.poll(Duration.ofMillis(50))) {
                    final long correlation = ByteBuffer.wrap(ClusterHeaders.value(r, ClusterHeaders.CORRELAZIONE)).getLong(8);
                    if (correlation >= from && correlation < from + n) {
                        assertNull(out.put(correlation, new String(r.value(), StandardCharsets.UTF_8)),
                            "two verdicts for " + correlation);
                    }
                }
                return out.size() >= n;
            }, () -> out.size() + " verdicts");
        }
        return out;
    }

    private static String group(final Pattern p, final String json) {
        final Matcher m = p.matcher(json);
        assertTrue(m.find(), p + " in " + json);
        return m.group(1);
    }

    /** Sequence to "partition@offset" of each journaled record of the engine on {@code dir}; heartbeats by partition. */
    private Map<Long, String> journal(final Path dir, final Map<Integer, Integer> heartbeatsByPartition) throws Exception {
        final Map<Long, String> out = new HashMap<>();
        final Set<String> seen = new HashSet<>();
        try (JournalReader reader = JournalReader.openEvents(io.conversioni.journal.JournalConfig.defaults(dir.resolve("journal")))) {
            final JournalRecord record = new JournalRecord();
            while (reader.next(record)) {
                final String position = record.sourcePartition() + "@" + record.sourceOffset();
                assertTrue(record.sourcePartition() >= 0, "every entry fed from the topic: " + record);
                assertTrue(seen.add(position), "journaled twice: " + position);
                if (record.kind() == JournalRecordKind.HEARTBEAT) {
                    heartbeatsByPartition.merge(record.sourcePartition(), 1, Integer::sum);
                } else {
                    out.put(record.sequence(), position);
                }
            }
        }
        return out;
    }

    /**
     * The first owner, node a on an empty folder: old records outside the rebuild's reach, then the events while it
     * runs, then its clock moves two hours on and its heartbeat records close every window; events 1 to 5 are
     * published again and answered {@code duplicato}. Stopped as a crash would at the end.
     */
    private Reference firstOwner(final int events) throws Exception {
        // two days old: before now - (horizon + TTL), so neither node reads them
        for (int k = 0; k < 5; k++) {
            send(k % 3, body(k), T0 - 48 * HOUR, 5000 + k).get(30, TimeUnit.SECONDS);
        }
        final Path dir = data.resolve("a");
        final Engine engine = engine(dir);
        final OwnerConsumer owner = owner(engine);
        Await.until("the first owner caught up", owner::isCaughtUp);
        produce(0, events);
        Await.until(events + " records decided", Duration.ofSeconds(90), () -> decided(engine) == events,
            () -> decided(engine) + " decided");
        assertTrue(engine.windows().watermarkMillis() < T0 - HOUR + 1, "no window closed by events");
        Await.until("heartbeat records on every partition", () -> owner.heartbeatsSent() >= 6);

        now.set(T0 + 2 * HOUR); // only heartbeat records can carry this to the engine
        final long closedAt = T0 + 2 * HOUR - HOUR;
        Await.until("the windows closed by heartbeat records", Duration.ofSeconds(30),
            () -> engine.windows().watermarkMillis() == closedAt, () -> "watermark " + engine.windows().watermarkMillis());
        assertTrue(engine.counters().heartbeats() > 0);

        publishAgain(T0 + 2 * HOUR + 1_000, 7000);
        final Map<Long, String> again = verdicts(7000, AGAIN.length);
        Await.until("the events published again decided", () -> decided(engine) == events + AGAIN.length);
        final List<String> metriche = metriche(engine);
        for (String json : metriche) {
            assertTrue(json.contains("\"chiusa\":true") && !json.contains("\"chiusa\":false"), json);
        }
        assertEquals(0, engine.counters().outcomes(Outcome.TOO_LATE));
        final long watermark = engine.windows().watermarkMillis();
        final long verdictsSent = owner.verdictsSent();
        assertEquals(events + AGAIN.length, verdictsSent, "a verdict for every event and none for the old ones");
        owner.halt();
        engine.close();

        final Map<Integer, Integer> heartbeats = new HashMap<>();
        final Map<Long, String> sources = journal(dir, heartbeats);
        assertEquals(events + AGAIN.length, sources.size(), "the old records never read");
        assertTrue(heartbeats.getOrDefault(2, 0) > 0, "the quiet partition's heartbeats journaled: " + heartbeats);
        final Map<Integer, String> duplicateOf = new HashMap<>();
        final Map<Integer, String> receivedAt = new HashMap<>();
        for (int k = 0; k < AGAIN.length; k++) {
            final String verdict = again.get(7000L + k);
            assertEquals("duplicato", group(ESITO, verdict), verdict);
            duplicateOf.put(k, sources.get(Long.parseLong(group(DUPLICATO_DI, verdict))));
            receivedAt.put(k, group(RICEVUTO_IL, verdict));
            assertNotNull(duplicateOf.get(k), verdict);
        }
        return new Reference(metriche, watermark, duplicateOf, receivedAt, events + AGAIN.length);
    }

    /** The replacement, caught up: the first owner's windows and watermark, and no verdict for what it rebuilt. */
    private void assertSameAsFirst(final Reference first, final Engine engine, final OwnerConsumer owner) {
        assertEquals(first.records(), decided(engine), "every event read back once, the old ones not");
        assertEquals(first.watermark(), engine.windows().watermarkMillis());
        final List<String> metriche = metriche(engine);
        for (int g = 0; g < metriche.size(); g++) {
            assertEquals(first.metriche().get(g), metriche.get(g), MetricheQuery.GROUPINGS.get(g));
        }
    }

    /** Events 1 to 5 once more, to the replacement: the same first record and receive time as on the first owner. */
    private void assertSameDedupeDecisions(final Reference first, final Engine engine, final Path dir) throws Exception {
        publishAgain(T0 + 2 * HOUR + 2_000, 8000);
        final Map<Long, String> again = verdicts(8000, AGAIN.length);
        Await.until("decided", () -> decided(engine) == first.records() + AGAIN.length);
        final Map<Long, String> sources = journal(dir, new HashMap<>());
        for (int k = 0; k < AGAIN.length; k++) {
            final String verdict = again.get(8000L + k);
            assertEquals("duplicato", group(ESITO, verdict), verdict);
            assertEquals(first.duplicateOf().get(k), sources.get(Long.parseLong(group(DUPLICATO_DI, verdict))), verdict);
            assertEquals(first.receivedAt().get(k), group(RICEVUTO_IL, verdict), verdict);
        }
    }

    @Test
    void shouldRebuildAReplacementNodeFromTheTopicToTheSameWindowsAndDedupeDecisions() throws Exception {
        topics("ricostruzione");
        final Reference first = firstOwner(1500);

        final Path dir = data.resolve("sostituto");
        final Engine engine = engine(dir);
        final OwnerConsumer owner = owner(engine);
        assertArrayEquals(new long[] {JournalResumePoints.NONE, JournalResumePoints.NONE, JournalResumePoints.NONE},
            owner.resumeOffsets(), "an empty data folder: every partition rebuilt");
        Await.until("the replacement caught up", Duration.ofSeconds(90), owner::isCaughtUp,
            () -> owner.published() + " records fed in");
        assertSameAsFirst(first, engine, owner);
        assertEquals(0, owner.verdictsSent() + owner.verdictsFailed(), "no verdict for a rebuilt record");
        assertSameDedupeDecisions(first, engine, dir);
        assertNull(owner.failure());
    }

    @Test
    void shouldEndTheSameWhenTheRebuildIsKilledHalfwayAndTheNodeRestarts() throws Exception {
        topics("ricostruzione_interrotta");
        final Reference first = firstOwner(1500);

        final Path dir = data.resolve("sostituto");
        final Engine halfway = engine(dir);
        final OwnerConsumer killed = owner(halfway);
        Await.until("part of the rebuild fed in", Duration.ofSeconds(60), () -> killed.published() >= 200);
        killed.halt();
        assertFalse(killed.isCaughtUp(), "a halted consumer is not caught up");
        halfway.close(); // what was in the ring is journaled; the rest is read again
        assertTrue(decided(halfway) < first.records(), decided(halfway) + " decided before the kill: the rebuild was cut");

        final Engine engine = engine(dir);
        final OwnerConsumer owner = owner(engine);
        Await.until("the restarted node caught up", Duration.ofSeconds(90), owner::isCaughtUp,
            () -> owner.published() + " records fed in");
        assertSameAsFirst(first, engine, owner);
        assertSameDedupeDecisions(first, engine, dir);
        assertNull(owner.failure());
    }
}
