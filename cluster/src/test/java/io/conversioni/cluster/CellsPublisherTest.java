package io.conversioni.cluster;

import io.conversioni.config.ConfigReader;
import io.conversioni.config.EngineConfig;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.EventView;
import io.conversioni.testkit.Await;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The owner's side against a real broker: what {@link CellsPublisher} writes to the cells topic as the engine's
 * windows change: a window record once per change (not again while it stays the same), a node record every
 * interval, a tombstone once the window leaves the horizon, all on the owner's lowest partition.
 */
@ExtendWith(KafkaLeakCheck.class)
@Tag("slow")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CellsPublisherTest {
    private static final Path CONFIG_DIR = Path.of("..", "config");
    private static final long T0 = Instant.parse("2024-07-15T09:00:00Z").toEpochMilli();
    /** Three five-minute windows in the ring. */
    private static final String ENGINE_YAML = "pipeline:\n  heartbeat: 60s\nwindows:\n  size: 5m\n  horizon: 15m\n";

    @TempDir
    static Path brokerFolder;
    private static KafkaBroker broker;

    @TempDir
    Path data;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(brokerFolder);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static String event(final int i, final long time) {
        return "{\"id_cliente\":\"CLIENTE-ROMA-" + String.format("%06d", i) + "\",\"evento\":\"acquisto_concluso\","
            + "\"timestamp\":\"" + Instant.ofEpochMilli(time) + "\",\"valore\":10.50,\"canale\":\"email\","
            + "\"stato\":\"completato\",\"metadati\":{\"campagna\":\"Campagna_Email_Verano2024\"}}";
    }

    private static void feed(final Engine engine, final int i, final long time) {
        final AtomicLong decided = new AtomicLong();
        final byte[] b = event(i, time).getBytes(StandardCharsets.UTF_8);
        Await.until("the ring took a record", () -> engine.tryPublishRecord(b, 0, b.length, time + 1_000, 1, i,
            (EventView e, Object a) -> decided.incrementAndGet(), null));
        Await.until("decided", () -> decided.get() == 1);
    }

    @Test
    void shouldPublishAWindowOncePerChangeANodeRecordEveryIntervalAndATombstoneBeyondTheHorizon() throws Exception {
        final ClusterSettings settings = ClusterSettings.read(ConfigReader.parse("cluster:\n"
            + "  bootstrap_servers: " + broker.bootstrapServers() + "\n"
            + "  topic: eventi_pub\n  reply_topic: esiti_pub\n  cells_topic: finestre_pub\n"
            + "  partitions: 4\n  node: a\n  owns: \"1-3\"\n  broker_timeout: 10s\n", "test.yaml").section("cluster"));
        ClusterTopics.ensure(settings, 3_600_000);
        final Properties p = ClusterClients.verdictsConsumer(settings);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
        try (Engine engine = Engine.create(EngineConfig.parse(ENGINE_YAML, CONFIG_DIR), data, () -> T0);
             KafkaConsumer<String, byte[]> cells = new KafkaConsumer<>(p)) {
            engine.start();
            final List<TopicPartition> all = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                all.add(new TopicPartition(settings.cellsTopic(), i));
            }
            cells.assign(all);
            cells.seekToBeginning(all);
            feed(engine, 0, T0 + 1_000);
            final String first = "1-3|" + T0;
            try (CellsPublisher publisher = CellsPublisher.start(settings, engine.windows(), engine.counters(),
                partition -> 100 + partition, System::currentTimeMillis, 100)) {
                await(cells, seen, "five node records", () -> count(seen, "nodo|a") >= 5);
                assertEquals(1, count(seen, first), "an unchanged window is sent once");
                final CellsRecord window = CellsCodec.decode(last(seen, first).value());
                assertEquals(1, window.fixedCells[0], "one unique event in the total cell");
                assertEquals(1050, window.fixedCells[4], "its valore in cents");
                assertArrayEquals(new String[] {"Campagna_Email_Verano2024"}, window.campaigns);
                final CellsRecord node = CellsCodec.decode(last(seen, "nodo|a").value());
                assertArrayEquals(new int[] {1, 2, 3}, node.partitions);
                assertArrayEquals(new long[] {101, 102, 103}, node.lag);
                assertEquals(engine.windows().watermarkMillis(), node.watermarkOf(2));

                feed(engine, 1, T0 + 2_000);
                await(cells, seen, "the changed window again", () -> count(seen, first) == 2);
                assertEquals(2, CellsCodec.decode(last(seen, first).value()).fixedCells[0]);

                feed(engine, 2, T0 + 20 * 60_000); // the head moves four windows on: the first leaves the horizon
                await(cells, seen, "a tombstone", () -> last(seen, first) != null && last(seen, first).value() == null);
                assertTrue(count(seen, "1-3|" + (T0 + 20 * 60_000)) >= 1);
                assertTrue(publisher.recordsSent() >= seen.size(), "every record seen was counted as sent");
            }
            for (ConsumerRecord<String, byte[]> r : seen) {
                assertEquals(1, r.partition(), "the owner's lowest partition: " + r.key());
            }
        }
    }

    private interface Condition {
        boolean holds();
    }

    private static void await(final KafkaConsumer<String, byte[]> cells, final List<ConsumerRecord<String, byte[]>> seen,
                              final String what, final Condition condition) {
        Await.until(what, Duration.ofSeconds(30), () -> {
            cells.poll(Duration.ofMillis(50)).forEach(seen::add);
            return condition.holds();
        }, () -> seen.size() + " records");
    }

    private static long count(final List<ConsumerRecord<String, byte[]>> seen, final String key) {
        return seen.stream().filter(r -> r.key().equals(key)).count();
    }

    private static ConsumerRecord<String, byte[]> last(final List<ConsumerRecord<String, byte[]>> seen, final String key) {
        ConsumerRecord<String, byte[]> out = null;
        for (ConsumerRecord<String, byte[]> r : seen) {
            if (r.key().equals(key)) {
                out = r;
            }
        }
        return out;
    }
}
