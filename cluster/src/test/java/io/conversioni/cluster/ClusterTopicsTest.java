package io.conversioni.cluster;

import io.conversioni.config.ConfigException;
import io.conversioni.config.ConfigReader;
import io.conversioni.config.EngineConfig;
import io.conversioni.testkit.Await;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
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

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ClusterTopics} against a real single-node Kafka broker ({@link KafkaBroker}, a separate JVM),
 * shared by the tests of this class; each test uses topics of its own. The broker stop/restart test
 * runs last, so that the others never meet a broker that is coming back.
 */
@ExtendWith(KafkaLeakCheck.class)
@Tag("slow")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTopicsTest {
    private static final long WAIT_S = 30;

    @TempDir
    static Path folder;
    private static KafkaBroker broker;
    /** What a rebuild reads back with the shipped defaults: windows.horizon 24h + dedupe ttl 10m. */
    private static long rebuildMs;

    @BeforeAll
    static void startBroker() throws Exception {
        rebuildMs = ClusterTopics.minEventsRetentionMs(EngineConfig.parse("", Path.of("..", "config")));
        broker = KafkaBroker.start(folder);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static ClusterSettings settings(final String bootstrap, final String prefix, final int partitions,
                                            final String extra) throws ConfigException {
        final String yaml = "cluster:\n"
            + "  bootstrap_servers: " + bootstrap + "\n"
            + "  topic: " + prefix + "_eventi\n"
            + "  partitions: " + partitions + "\n"
            + "  node: a\n"
            + "  owns: \"0-" + (partitions - 1) + "\"\n"
            + "  reply_topic: " + prefix + "_esiti\n"
            + "  cells_topic: " + prefix + "_finestre\n"
            + "  alerts_topic: " + prefix + "_allarmi\n"
            + "  reports_topic: " + prefix + "_rapporti\n"
            + extra;
        return ClusterSettings.read(ConfigReader.parse(yaml, "test.yaml").section(ClusterSettings.SECTION));
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static Map<String, TopicDescription> describe(final Admin admin, final String... names) throws Exception {
        return admin.describeTopics(List.of(names)).allTopicNames().get(WAIT_S, TimeUnit.SECONDS);
    }

    /** Creates a topic outside {@link ClusterTopics} and waits until the broker describes it. */
    private static void createElsewhere(final Admin admin, final String name, final int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, Optional.of(partitions), Optional.empty())))
            .all().get(WAIT_S, TimeUnit.SECONDS);
        awaitVisible(admin, name);
    }

    private static void awaitVisible(final Admin admin, final String name) {
        Await.until(name + " visible to the broker's metadata", java.time.Duration.ofSeconds(WAIT_S), () -> {
            try {
                return admin.listTopics().names().get(WAIT_S, TimeUnit.SECONDS).contains(name);
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static String config(final Admin admin, final String topic, final String key) throws Exception {
        final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        final Config config = admin.describeConfigs(List.of(resource)).all().get(WAIT_S, TimeUnit.SECONDS)
            .get(resource);
        return config.get(key).value();
    }

    private static Set<String> topics(final Admin admin) throws Exception {
        return admin.listTopics().names().get(WAIT_S, TimeUnit.SECONDS);
    }

    @Test
    @Order(1)
    void shouldCreateTheThreeTopicsWithTheConfiguredPartitionsAndSettings() throws Exception {
        final ClusterSettings s = settings(broker.bootstrapServers(), "nuovo", 6, "  min_insync_replicas: 1\n");

        final ClusterTopics.Outcome first = ClusterTopics.ensure(s, rebuildMs);

        assertEquals(List.of("nuovo_eventi", "nuovo_esiti", "nuovo_finestre", "nuovo_allarmi", "nuovo_rapporti"), first.created());
        assertEquals(List.of(), first.existing());
        try (Admin admin = admin()) {
            final Map<String, TopicDescription> found = describe(admin, "nuovo_eventi", "nuovo_esiti", "nuovo_finestre");
            for (TopicDescription d : found.values()) {
                assertEquals(6, d.partitions().size(), d.name());
                assertEquals(1, d.partitions().get(0).replicas().size(), d.name());
            }
            assertEquals("delete", config(admin, "nuovo_eventi", TopicConfig.CLEANUP_POLICY_CONFIG));
            assertEquals("1", config(admin, "nuovo_eventi", TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG));
            assertEquals("compact", config(admin, "nuovo_finestre", TopicConfig.CLEANUP_POLICY_CONFIG));
            assertEquals(Long.toString(ClusterTopics.DEFAULT_EVENTS_RETENTION_MS),
                config(admin, "nuovo_eventi", TopicConfig.RETENTION_MS_CONFIG), "Kafka's 7 days cover the rebuild");
            assertEquals(Long.toString(ClusterTopics.REPLY_RETENTION_MS),
                config(admin, "nuovo_esiti", TopicConfig.RETENTION_MS_CONFIG));
        }
        // a second node (or a restart) finds them and changes nothing
        final ClusterTopics.Outcome second = ClusterTopics.ensure(s, rebuildMs);
        assertEquals(List.of(), second.created());
        assertEquals(List.of("nuovo_eventi", "nuovo_esiti", "nuovo_finestre", "nuovo_allarmi", "nuovo_rapporti"), second.existing());
    }

    @Test
    @Order(2)
    void shouldRefuseAnEventsTopicWithAnotherPartitionCountAndCreateNothing() throws Exception {
        try (Admin admin = admin()) {
            createElsewhere(admin, "quattro_eventi", 4);
            final ClusterSettings s = settings(broker.bootstrapServers(), "quattro", 6, "");

            final ClusterException e = assertThrows(ClusterException.class, () -> ClusterTopics.ensure(s, rebuildMs));

            assertEquals(ClusterException.TOPIC_PARTITIONS_MISMATCH, e.code());
            assertTrue(e.getMessage().startsWith("topic_partitions_mismatch: topic quattro_eventi at "
                + broker.bootstrapServers() + " has 4 partitions but cluster.partitions is 6"), e.getMessage());
            final Set<String> topics = topics(admin);
            assertFalse(topics.contains("quattro_esiti"), "a refused start creates no topic: " + topics);
            assertFalse(topics.contains("quattro_finestre"), "a refused start creates no topic: " + topics);
            assertEquals(4, describe(admin, "quattro_eventi").get("quattro_eventi").partitions().size());
        }
    }

    @Test
    @Order(3)
    void shouldRefuseACellsTopicThatIsNotCompacted() throws Exception {
        try (Admin admin = admin()) {
            createElsewhere(admin, "piatto_finestre", 3);
            final ClusterSettings s = settings(broker.bootstrapServers(), "piatto", 3, "");

            final ClusterException e = assertThrows(ClusterException.class, () -> ClusterTopics.ensure(s, rebuildMs));

            assertEquals(ClusterException.TOPIC_MISCONFIGURED, e.code());
            assertTrue(e.getMessage().contains("topic piatto_finestre (cluster.cells_topic) has cleanup.policy=delete"),
                e.getMessage());
            assertFalse(topics(admin).contains("piatto_eventi"), "a refused start creates no topic");
        }
    }

    @Test
    @Order(4)
    void shouldRefuseAnEventsTopicThatForgetsBeforeARebuildHasReadIt() throws Exception {
        assertEquals(24 * 3_600_000L + 10 * 60_000L, rebuildMs);
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("breve_eventi", Optional.of(2), Optional.empty())
                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "3600000")))).all().get(WAIT_S, TimeUnit.SECONDS);
            awaitVisible(admin, "breve_eventi");
            final ClusterSettings s = settings(broker.bootstrapServers(), "breve", 2, "");

            final ClusterException e = assertThrows(ClusterException.class, () -> ClusterTopics.ensure(s, rebuildMs));

            assertEquals(ClusterException.TOPIC_MISCONFIGURED, e.code());
            assertTrue(e.getMessage().contains("topic breve_eventi (cluster.topic) keeps records for "
                + "retention.ms=3600000 (1h) but a node rebuilding its partitions reads windows.horizon plus the "
                + "dedupe ttl back, 87000000 ms (1450m)"), e.getMessage());
            assertFalse(topics(admin).contains("breve_esiti"), "a refused start creates no topic");
            // a longer horizon asks for more than Kafka's default: a created topic keeps that much
            final ClusterSettings longer = settings(broker.bootstrapServers(), "lungo", 2, "");
            ClusterTopics.ensure(longer, 10L * 86_400_000);
            assertEquals("864000000", config(admin, "lungo_eventi", TopicConfig.RETENTION_MS_CONFIG));
        }
    }

    @Test
    @Order(5)
    void shouldSayWhyTheBrokerRefusesAReplicationItCannotGive() throws Exception {
        final ClusterSettings s = settings(broker.bootstrapServers(), "triplo", 2,
            "  replication_factor: 3\n  min_insync_replicas: 2\n");

        final ClusterException e = assertThrows(ClusterException.class, () -> ClusterTopics.ensure(s, rebuildMs));

        assertEquals(ClusterException.TOPIC_REFUSED, e.code());
        assertTrue(e.getMessage().startsWith("topic_refused: the broker at " + broker.bootstrapServers()
            + " would not create topic triplo_eventi with 2 partitions and replication 3: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(check cluster.replication_factor and cluster.min_insync_replicas "
            + "against the brokers there, and this node's rights on the topics)"), e.getMessage());
        try (Admin admin = admin()) {
            assertFalse(topics(admin).contains("triplo_eventi"));
        }
    }

    @Test
    @Order(6)
    void shouldReportABrokerThatIsNotThereWithinTheTimeout() throws Exception {
        final int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        final ClusterSettings s = settings("127.0.0.1:" + closedPort, "assente", 3, "  broker_timeout: 1s\n");
        final long start = System.nanoTime();

        final ClusterException e = assertThrows(ClusterException.class, () -> ClusterTopics.ensure(s, rebuildMs));

        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(ClusterException.KAFKA_UNREACHABLE, e.code());
        assertEquals("kafka_unreachable: no Kafka broker answered at 127.0.0.1:" + closedPort
            + " (cluster.bootstrap_servers) within 1s (cluster.broker_timeout): start the broker "
            + "(cluster/kafka-broker.sh start) or correct the address", e.getMessage());
        assertTrue(elapsedMs < 5_000, "gave up after " + elapsedMs + " ms with a 1 s broker_timeout");
    }

    @Test
    @Order(7)
    void shouldReportAnUnresolvableBrokerAddressAtOnce() throws Exception {
        final ClusterSettings s = settings("kafka.invalid:9092", "ignoto", 3, "  broker_timeout: 1s\n");

        final ClusterException e = assertThrows(ClusterException.class, () -> ClusterTopics.ensure(s, rebuildMs));

        assertEquals(ClusterException.KAFKA_UNREACHABLE, e.code());
        assertTrue(e.getMessage().contains("kafka.invalid:9092 (cluster.bootstrap_servers)"), e.getMessage());
    }

    @Test
    @Order(8)
    void shouldKeepTheTopicsWhenTheBrokerStopsAndComesBack() throws Exception {
        final ClusterSettings s = settings(broker.bootstrapServers(), "durevole", 5, "  broker_timeout: 2s\n");
        assertEquals(5, ClusterTopics.ensure(s, rebuildMs).created().size());

        broker.stop();
        assertFalse(broker.isRunning());
        final long start = System.nanoTime();
        final ClusterException down = assertThrows(ClusterException.class, () -> ClusterTopics.ensure(s, rebuildMs));
        assertEquals(ClusterException.KAFKA_UNREACHABLE, down.code());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 8_000, "bounded by broker_timeout");

        broker.restart();
        final ClusterTopics.Outcome afterStop = ClusterTopics.ensure(s, rebuildMs);
        assertEquals(List.of(), afterStop.created(), "the same log dir still holds the topics");
        assertEquals(5, afterStop.existing().size());

        // (a kill -9 and restart: EventsProducerTest, which produces to the topic afterwards)
        try (Admin admin = admin()) {
            assertEquals(5, describe(admin, "durevole_eventi").get("durevole_eventi").partitions().size());
        }
    }
}
