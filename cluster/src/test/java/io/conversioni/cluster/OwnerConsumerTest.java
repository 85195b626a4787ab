package io.conversioni.cluster;

import io.conversioni.config.ConfigReader;
import io.conversioni.config.EngineConfig;
import io.conversioni.journal.JournalConfig;
import io.conversioni.journal.JournalReader;
import io.conversioni.journal.JournalRecord;
import io.conversioni.journal.JournalRecordKind;
import io.conversioni.journal.JournalResumePoints;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.EventView;
import io.conversioni.pipeline.Outcome;
import io.conversioni.testkit.Await;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The owner's side of the data path against a real broker and a real engine on a temporary data folder: records
 * produced to the events topic as a receiving node writes them are each journaled once with their partition and
 * offset, decided exactly as the same bodies published in-process in the journal's order, answered on the
 * receiving node's reply partition with its correlation id, and neither lost nor counted twice across a clean
 * stop, a consumer killed mid-stream, or offsets committed to Kafka that disagree with the journal.
 */
@ExtendWith(KafkaLeakCheck.class)
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OwnerConsumerTest {
    private static final Path CONFIG_DIR = Path.of("..", "config");
    private static final long T0 = Instant.parse("2024-05-20T14:32:45.123Z").toEpochMilli();
    /** The owner's clock, an hour behind the receive times: a decision that used it would answer nel_futuro. */
    private static final long OWNER_CLOCK = T0 - 3_600_000;
    /** No heartbeat within a test; a small ring, so that the consumer meets a full one. */
    private static final String ENGINE_YAML = "pipeline:\n  heartbeat: 60s\n  ring_size: 64\n";
    private static final String RECEIVING_NODE = "b";
    private static final Pattern ESITO = Pattern.compile("\"esito\":\"(\\w+)\"");
    private static final Pattern SEQUENZA = Pattern.compile("\"sequenza\":(\\d+)");
    private static final Pattern DUPLICATO_DI = Pattern.compile("\"duplicato_di\":(\\d+)");

    @TempDir
    static Path brokerFolder;
    private static KafkaBroker broker;
    private static KafkaProducer<byte[], byte[]> receivingNode;

    @TempDir
    Path data;
    private ClusterSettings settings;
    private final List<AutoCloseable> open = new ArrayList<>();

    /** One record as the test sent it: where it landed, and what the owner must have seen. */
    private record Sent(int index, int partition, long offset, String body, long receiveMillis, long correlation,
                        boolean addressed) {
    }

    /**
     * Every 11th record is written as another tool would: no headers, its receive time only in the record's own
     * timestamp; it is decided all the same and nobody is answered.
     */
    private static boolean addressed(final int i) {
        return i % 11 != 10;
    }

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(brokerFolder);
        final ClusterSettings any = settings(broker, "any");
        receivingNode = new KafkaProducer<>(ClusterClients.eventsProducer(any));
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

    private static ClusterSettings settings(final KafkaBroker broker, final String name) throws Exception {
        return ClusterSettings.read(ConfigReader.parse("cluster:\n"
            + "  bootstrap_servers: " + broker.bootstrapServers() + "\n"
            + "  topic: eventi_" + name + "\n  reply_topic: esiti_" + name + "\n  cells_topic: finestre_" + name + "\n"
            + "  partitions: 3\n  node: a\n  owns: \"0-2\"\n"
            + "  verdict_timeout: 5s\n  broker_timeout: 10s\n", "test.yaml").section("cluster"));
    }

    private void topics(final String name) throws Exception {
        settings = settings(broker, name);
        ClusterTopics.ensure(settings, 3_600_000);
        ClusterClients.awaitMetadata(receivingNode, settings.topic(), settings); // its sends never wait for it
    }

    private Engine engine(final Path dir, final Engine.Clock clock) throws Exception {
        final Engine engine = Engine.create(EngineConfig.parse(ENGINE_YAML, CONFIG_DIR), dir, clock);
        open.add(engine);
        engine.start();
        return engine;
    }

    private OwnerConsumer owner(final Engine engine) throws Exception {
        final OwnerConsumer owner = OwnerConsumer.start(settings, engine);
        open.add(owner);
        return owner;
    }

    /** An event body with the article's fields (also for {@link OwnerRebuildTest}). */
    static String event(final String id, final String evento, final long time, final String valore,
                        final String canale) {
        return "{\"id_cliente\":\"" + id + "\",\"evento\":\"" + evento + "\",\"timestamp\":\""
            + Instant.ofEpochMilli(time) + "\",\"valore\":" + valore + ",\"canale\":\"" + canale
            + "\",\"stato\":\"completato\",\"metadati\":{\"campagna\":\"Campagna_Email_Verano2024\"}}";
    }

    /** Record {@code i}: mostly new events over 40 clients, every 7th a re-delivery of an earlier one, every 23rd invalid. */
    private static String body(final int i) {
        final int source = i % 7 == 6 ? i / 2 : i;
        if (i % 23 == 22) {
            return "{\"id_cliente\":\"CLIENTE-ROMA-000001\",\"valore\":\"due\"}";
        }
        final String[] canali = {"email", "sms", "webform"};
        return event(String.format("CLIENTE-ROMA-%06d", source % 40), source % 2 == 0 ? "acquisto_concluso" : "richiesta_demo",
            T0 - 60_000 + 137L * source, source % 2 == 0 ? (source % 50) + ".25" : "0", canali[source % 3]);
    }

    private static String idOf(final String body) {
        final Matcher m = Pattern.compile("\"id_cliente\":\"([^\"]+)\"").matcher(body);
        return m.find() ? m.group(1) : "";
    }

    /** Produces records {@code from} to {@code to} (exclusive) as receiving node "b" would, and waits for their acks. */
    private List<Sent> produce(final int from, final int to) throws Exception {
        final List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = from; i < to; i++) {
            final String body = body(i);
            final RecordHeaders headers = new RecordHeaders();
            if (addressed(i)) {
                headers.add(ClusterHeaders.RICEVUTO, ClusterHeaders.millis(T0 + 10L * i));
                headers.add(ClusterHeaders.NODO, RECEIVING_NODE.getBytes(StandardCharsets.UTF_8));
                headers.add(ClusterHeaders.CORRELAZIONE, ByteBuffer.allocate(16).putLong(0x5EEDL).putLong(i).array());
            }
            // the record's own timestamp is a day off the receive time, except where it is the only one
            final long timestamp = addressed(i) ? T0 + 86_400_000L : T0 + 10L * i;
            acks.add(receivingNode.send(new ProducerRecord<>(settings.topic(), null, timestamp,
                idOf(body).getBytes(StandardCharsets.UTF_8), body.getBytes(StandardCharsets.UTF_8), headers)));
        }
        final List<Sent> sent = new ArrayList<>();
        for (int i = from; i < to; i++) {
            final RecordMetadata m = acks.get(i - from).get(30, TimeUnit.SECONDS);
            sent.add(new Sent(i, m.partition(), m.offset(), body(i), T0 + 10L * i, i, addressed(i)));
        }
        return sent;
    }

    private static long decided(final Engine engine) {
        long n = 0;
        for (int outcome = Outcome.ACCEPTED; outcome <= Outcome.JOURNAL_FAILED; outcome++) {
            n += engine.counters().outcomes(outcome);
        }
        return n;
    }

    /**
     * Every sent record is in the owner's journal exactly once, with its partition, offset and receive time; and
     * an engine fed the same bodies in-process, in the journal's order and at the same receive times, ends in the
     * same windows and counters. Returns each record's outcome in that engine, by the record's index.
     */
    private Map<Integer, Integer> assertJournaledOnceAndDecidedAsInProcess(final Engine owner, final List<Sent> sent)
        throws Exception {
        final Map<String, Sent> byPosition = new HashMap<>();
        for (Sent s : sent) {
            byPosition.put(s.partition() + "@" + s.offset(), s);
        }
        final List<Sent> journalOrder = new ArrayList<>();
        final Set<String> seen = new HashSet<>();
        final long[] lastOffset = {-1, -1, -1};
        try (JournalReader reader = JournalReader.openEvents(JournalConfig.defaults(data.resolve("journal")))) {
            final JournalRecord record = new JournalRecord();
            while (reader.next(record)) {
                if (record.kind() == JournalRecordKind.HEARTBEAT) {
                    continue;
                }
                final String position = record.sourcePartition() + "@" + record.sourceOffset();
                assertTrue(seen.add(position), "journaled twice: " + position);
                assertTrue(record.sourceOffset() > lastOffset[record.sourcePartition()], "out of order: " + position);
                lastOffset[record.sourcePartition()] = record.sourceOffset();
                final Sent s = byPosition.get(position);
                assertNotNull(s, "journaled but never sent: " + record);
                assertEquals(s.receiveMillis(), record.receiveMillis(), "the receive time the record carries");
                journalOrder.add(s);
            }
        }
        assertEquals(sent.size(), journalOrder.size(), "every sent record journaled");

        final long[] now = {0};
        final Map<Integer, Integer> outcomes = new HashMap<>();
        try (Engine reference = Engine.create(EngineConfig.parse(ENGINE_YAML, CONFIG_DIR), data.resolve("reference"),
            () -> now[0])) {
            reference.start();
            final int[] last = {-1};
            for (Sent s : journalOrder) {
                now[0] = s.receiveMillis();
                final byte[] b = s.body().getBytes(StandardCharsets.UTF_8);
                last[0] = -1;
                assertTrue(reference.tryPublish(b, 0, b.length, (EventView e, Object a) -> last[0] = e.outcome(), null));
                Await.until("the reference engine decided record " + s.index(), () -> last[0] >= 0);
                outcomes.put(s.index(), last[0]);
            }
            assertNull(reference.windows().stateDifference(owner.windows()), "the same windows as in-process");
            for (int outcome = Outcome.ACCEPTED; outcome <= Outcome.JOURNAL_FAILED; outcome++) {
                assertEquals(reference.counters().outcomes(outcome), owner.counters().outcomes(outcome), Outcome.esito(outcome));
            }
        }
        return outcomes;
    }

    /** The verdicts on receiving node "b"'s reply partition, by correlation counter: [answer JSON, stato_http]. */
    private Map<Long, String[]> verdicts(final int expected) {
        final Properties p = ClusterClients.ownerConsumer(settings);
        p.put("group.id", "verdetti-test");
        p.put("client.id", "verdetti-test");
        final Map<Long, String[]> out = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> replies = new KafkaConsumer<>(p)) {
            final TopicPartition tp = new TopicPartition(settings.replyTopic(),
                ClusterClients.replyPartition(RECEIVING_NODE, settings.partitions()));
            replies.assign(List.of(tp));
            replies.seekToBeginning(List.of(tp));
            Await.until(expected + " verdicts on " + tp, Duration.ofSeconds(60), () -> {
                for (ConsumerRecord<byte[], byte[]> r : replies.poll(Duration.ofMillis(50))) {
                    assertEquals(RECEIVING_NODE, new String(r.key(), StandardCharsets.UTF_8));
                    final long correlation = ByteBuffer.wrap(ClusterHeaders.value(r, ClusterHeaders.CORRELAZIONE)).getLong(8);
                    final String[] previous = out.put(correlation, new String[] {
                        new String(r.value(), StandardCharsets.UTF_8),
                        new String(ClusterHeaders.value(r, ClusterHeaders.STATO_HTTP), StandardCharsets.US_ASCII)});
                    assertNull(previous, "two verdicts for record " + correlation);
                }
                return out.size() >= expected;
            }, () -> out.size() + " verdicts");
        }
        return out;
    }

    /** The offsets committed under the owner's group, per partition (0 when none). */
    private long[] committed() {
        final long[] out = new long[3];
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(ClusterClients.ownerConsumer(settings))) {
            final Set<TopicPartition> partitions = new HashSet<>();
            for (int partition = 0; partition < 3; partition++) {
                partitions.add(new TopicPartition(settings.topic(), partition));
            }
            reader.committed(partitions, Duration.ofSeconds(10)).forEach((tp, offset) ->
                out[tp.partition()] = offset == null ? 0 : offset.offset());
        }
        return out;
    }

    private static String group(final Pattern p, final String json) {
        final Matcher m = p.matcher(json);
        return m.find() ? m.group(1) : null;
    }

    @Test
    void shouldJournalEachRecordOnceDecideItAsInProcessAndAnswerTheReceivingNode() throws Exception {
        topics("verdetti");
        final Engine engine = engine(data, () -> OWNER_CLOCK);
        final OwnerConsumer owner = owner(engine);
        assertArrayEquals(new long[] {JournalResumePoints.NONE, JournalResumePoints.NONE, JournalResumePoints.NONE},
            owner.resumeOffsets(), "a fresh journal rebuilds every partition");
        // records already in the topic would be rebuilt without a verdict (OwnerRebuildTest): these come after
        Await.until("the owner caught up with the empty topic", owner::isCaughtUp);
        final List<Sent> sent = produce(0, 400);
        Await.until("400 records answered", Duration.ofSeconds(60), () -> owner.answered() == 400, () -> owner.answered() + "");

        final Map<Integer, Integer> outcomes = assertJournaledOnceAndDecidedAsInProcess(engine, sent);
        final int addressed = (int) sent.stream().filter(Sent::addressed).count();
        final Map<Long, String[]> verdicts = verdicts(addressed);
        assertEquals(addressed, verdicts.size(), "a verdict for each record with a return address, and no other");
        final Map<Long, Long> sequenceOf = new HashMap<>();
        for (Sent s : sent) {
            final String[] v = verdicts.get(s.correlation());
            if (!s.addressed()) {
                assertNull(v, "record " + s.index() + " had no return address");
                continue;
            }
            assertNotNull(v, "no verdict for record " + s.index());
            assertEquals(Outcome.esito(outcomes.get(s.index())), group(ESITO, v[0]), v[0]);
            assertEquals(String.valueOf(Outcome.httpStatus(outcomes.get(s.index()))), v[1], v[0]);
            sequenceOf.put((long) s.index(), Long.parseLong(group(SEQUENZA, v[0])));
        }
        assertTrue(outcomes.containsValue(Outcome.DUPLICATE) && outcomes.containsValue(Outcome.REJECTED)
            && outcomes.containsValue(Outcome.ACCEPTED), outcomes.values().toString());
        // a re-delivered event names the first one, by the sequence its own verdict carried
        final String redelivered = verdicts.get(34L)[0]; // record 34 re-delivers record 17, its client's first event
        assertEquals("duplicato", group(ESITO, redelivered), redelivered);
        assertEquals(sequenceOf.get(17L), Long.valueOf(group(DUPLICATO_DI, redelivered)), redelivered);
        assertTrue(verdicts.get(22L)[0].contains("\"errori\":["), verdicts.get(22L)[0]);
        assertEquals(addressed, owner.verdictsSent());
        assertEquals(0, owner.verdictsFailed());
        assertNull(owner.failure());
    }

    @Test
    void shouldResumeOnTheSameRunningEngineAfterItsConsumerWasKilledMidStream() throws Exception {
        topics("stesso_motore");
        final List<Sent> sent = produce(0, 1200);
        final Engine engine = engine(data, () -> OWNER_CLOCK);
        final OwnerConsumer first = owner(engine);
        Await.until("some records answered", Duration.ofSeconds(60), () -> first.answered() >= 100);
        first.halt(); // records it fed in may still be in the ring: the next one must not read them again

        final OwnerConsumer second = owner(engine);
        Await.until("every record decided", Duration.ofSeconds(90), () -> decided(engine) >= 1200,
            () -> decided(engine) + " decided");
        Await.until("the second consumer answered what it fed in", () -> second.answered() == second.published());
        assertEquals(1200, first.published() + second.published(), "each record fed in by one of the two");
        second.stop();
        assertJournaledOnceAndDecidedAsInProcess(engine, sent);
    }

    @Test
    void shouldRejectARecordWithoutAValueAndAnswerItNeverSkipIt() throws Exception {
        topics("vuoto");
        final Engine engine = engine(data, () -> OWNER_CLOCK);
        final OwnerConsumer owner = owner(engine);
        Await.until("the owner caught up with the empty topic", owner::isCaughtUp);
        final RecordHeaders headers = new RecordHeaders();
        headers.add(ClusterHeaders.RICEVUTO, ClusterHeaders.millis(T0));
        headers.add(ClusterHeaders.NODO, RECEIVING_NODE.getBytes(StandardCharsets.UTF_8));
        headers.add(ClusterHeaders.CORRELAZIONE, ByteBuffer.allocate(16).putLong(0x5EEDL).putLong(77).array());
        final RecordMetadata m = receivingNode.send(new ProducerRecord<>(settings.topic(), 1, null,
            "CLIENTE-ROMA-000001".getBytes(StandardCharsets.UTF_8), null, headers)).get(30, TimeUnit.SECONDS);
        Await.until("the record answered", () -> owner.answered() == 1);

        final String[] verdict = verdicts(1).get(77L);
        assertNotNull(verdict);
        assertEquals("rifiutato", group(ESITO, verdict[0]), verdict[0]);
        assertEquals("400", verdict[1]);
        assertEquals(1, engine.counters().outcomes(Outcome.REJECTED));
        assertArrayEquals(new long[] {JournalResumePoints.NONE, m.offset() + 1, JournalResumePoints.NONE},
            engine.resumeOffsets(new int[] {0, 1, 2}), "quarantined with its partition and offset");
    }

    @Test
    void shouldStartAndStopCleanlyOwningNoPartition() throws Exception {
        topics("nessuna");
        settings = ClusterSettings.read(ConfigReader.parse("cluster:\n"
            + "  bootstrap_servers: " + broker.bootstrapServers() + "\n"
            + "  topic: eventi_nessuna\n  reply_topic: esiti_nessuna\n  cells_topic: finestre_nessuna\n"
            + "  partitions: 3\n  node: c\n  owns: \"\"\n", "test.yaml").section("cluster"));
        produce(0, 5);
        final Engine engine = engine(data, () -> OWNER_CLOCK);
        final OwnerConsumer owner = owner(engine);
        assertArrayEquals(new long[0], owner.resumeOffsets());
        owner.stop();
        assertEquals(0, owner.published());
        assertEquals(0, decided(engine));
        assertNull(owner.failure());
    }

    @Test
    void shouldResumeAfterTheLastJournaledOffsetAcrossACleanStop() throws Exception {
        topics("ripresa");
        final List<Sent> sent = new ArrayList<>(produce(0, 300));
        final Engine first = engine(data, () -> OWNER_CLOCK);
        final OwnerConsumer firstOwner = owner(first);
        Await.until("300 records answered", Duration.ofSeconds(60), () -> firstOwner.answered() == 300);
        firstOwner.stop();
        first.close();

        final long[] expectedResume = new long[3];
        for (Sent s : sent) {
            expectedResume[s.partition()] = Math.max(expectedResume[s.partition()], s.offset() + 1);
        }
        assertArrayEquals(expectedResume, committed(), "offsets committed at the stop, for monitoring");
        sent.addAll(produce(300, 500));
        final Engine second = engine(data, () -> OWNER_CLOCK);
        final OwnerConsumer secondOwner = owner(second);
        assertArrayEquals(expectedResume, secondOwner.resumeOffsets());
        Await.until("the other 200 answered", Duration.ofSeconds(60), () -> secondOwner.answered() >= 200);
        assertEquals(500, decided(second), "nothing counted twice, nothing lost");
        assertJournaledOnceAndDecidedAsInProcess(second, sent);
    }

    @Test
    void shouldLoseAndDoubleNothingWhenTheConsumerIsKilledMidStreamWhateverKafkaHasCommitted() throws Exception {
        topics("arresto");
        final List<Sent> sent = new ArrayList<>(produce(0, 1500));
        final Engine first = engine(data, () -> OWNER_CLOCK);
        final OwnerConsumer firstOwner = owner(first);
        Await.until("some records answered", Duration.ofSeconds(60), () -> firstOwner.answered() >= 100);
        firstOwner.halt();
        first.close(); // what was in the ring is journaled; the rest was never taken
        final long beforeKill = decided(first);

        // committed offsets that would re-read everything: the resume point must ignore them
        final Properties p = ClusterClients.ownerConsumer(settings);
        try (KafkaConsumer<byte[], byte[]> committer = new KafkaConsumer<>(p)) {
            final Map<TopicPartition, OffsetAndMetadata> zero = new HashMap<>();
            for (int partition = 0; partition < 3; partition++) {
                zero.put(new TopicPartition(settings.topic(), partition), new OffsetAndMetadata(0));
            }
            committer.commitSync(zero, Duration.ofSeconds(10));
        }
        sent.addAll(produce(1500, 1700));

        final Engine second = engine(data, () -> OWNER_CLOCK);
        final OwnerConsumer secondOwner = owner(second);
        Await.until("the rest answered", Duration.ofSeconds(90), () -> decided(second) >= 1700,
            () -> decided(second) + " decided, " + beforeKill + " before the kill");
        Await.until("the second consumer answered what it fed in", () -> secondOwner.answered() == secondOwner.published());
        assertEquals(1700 - beforeKill, secondOwner.published(), "only what the journal did not hold is read again");
        assertTrue(secondOwner.fullRingPauses() > 0, "the 64-slot ring filled and the partitions were paused");
        assertJournaledOnceAndDecidedAsInProcess(second, sent);
    }
}
