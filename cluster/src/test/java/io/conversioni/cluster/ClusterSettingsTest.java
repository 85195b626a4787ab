package io.conversioni.cluster;

import io.conversioni.config.ConfigException;
import io.conversioni.config.ConfigReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterSettingsTest {
    /** The contract's example section, exactly as issue 23 writes it. */
    private static final String CONTRACT = String.join("\n",
        "cluster:",
        "  bootstrap_servers: 127.0.0.1:9092   # Kafka bootstrap list",
        "  topic: conversioni_eventi",
        "  partitions: 6                       # the topic's partition count, fixed",
        "  node: a                             # this node's unique name",
        "  owns: \"0-2\"                         # partitions this node owns: ranges and lists, \"0-2\", \"0,2,4\"",
        "");

    private static ClusterSettings read(final String yaml) throws ConfigException {
        return ClusterSettings.read(ConfigReader.parse(yaml, "test.yaml").section(ClusterSettings.SECTION));
    }

    /** The contract's section with {@code key: value} put in place of (or added to) its lines. */
    private static String with(final String key, final String value) {
        final StringBuilder out = new StringBuilder("cluster:\n");
        boolean replaced = false;
        for (String line : CONTRACT.split("\n")) {
            if (line.startsWith("  ")) {
                final String k = line.trim().substring(0, line.trim().indexOf(':'));
                if (k.equals(key)) {
                    replaced = true;
                    if (value != null) {
                        out.append("  ").append(key).append(": ").append(value).append('\n');
                    }
                } else {
                    out.append(line).append('\n');
                }
            }
        }
        if (!replaced && value != null) {
            out.append("  ").append(key).append(": ").append(value).append('\n');
        }
        return out.toString();
    }

    private static String error(final String yaml) {
        return assertThrows(ConfigException.class, () -> read(yaml)).getMessage();
    }

    @Test
    void shouldReadTheContractSectionWithDefaultsForEverythingElse() throws ConfigException {
        final ClusterSettings s = read(CONTRACT);
        assertEquals("127.0.0.1:9092", s.bootstrapServers());
        assertEquals("conversioni_eventi", s.topic());
        assertEquals(6, s.partitions());
        assertEquals("a", s.node());
        assertArrayEquals(new int[] {0, 1, 2}, s.ownedPartitions());
        assertTrue(s.owns(2));
        assertFalse(s.owns(3));
        assertEquals(ClusterSettings.BROKER_DEFAULT, s.replicationFactor());
        assertEquals(ClusterSettings.BROKER_DEFAULT, s.minInsyncReplicas());
        assertEquals("conversioni_esiti", s.replyTopic());
        assertEquals("conversioni_finestre", s.cellsTopic());
        assertEquals(5_000, s.verdictTimeoutMs());
        assertEquals(32L << 20, s.producerBufferBytes());
        assertEquals(0, s.lingerMs());
        assertEquals(10_000, s.brokerTimeoutMs());
    }

    @Test
    void shouldDefaultTheTopicToConversioniEventi() throws ConfigException {
        assertEquals(ClusterSettings.DEFAULT_TOPIC, read(with("topic", null)).topic());
    }

    @Test
    void shouldTellWhetherAFileAsksForClusterMode() throws ConfigException {
        assertTrue(ClusterSettings.present(ConfigReader.parse(CONTRACT, "test.yaml")));
        assertFalse(ClusterSettings.present(ConfigReader.parse("pipeline:\n  ring_size: 1024\n", "test.yaml")));
    }

    @ParameterizedTest(name = "owns {0} -> {1}")
    @CsvSource(delimiter = ';', value = {
        "'\"0-2\"'; 0 1 2",
        "'\"0,2,4\"'; 0 2 4",
        "'\"4, 0-1 ,5\"'; 0 1 4 5",
        "'3'; 3",
        "'\"5\"'; 5",
        "'\"0-5\"'; 0 1 2 3 4 5",
        "'\"\"'; ''",
    })
    void shouldReadRangesAndListsOfOwnedPartitions(final String owns, final String expected) throws ConfigException {
        final int[] want = expected.isEmpty() ? new int[0]
            : java.util.Arrays.stream(expected.split(" ")).mapToInt(Integer::parseInt).toArray();
        assertArrayEquals(want, read(with("owns", owns)).ownedPartitions());
    }

    @ParameterizedTest(name = "owns {0}")
    @CsvSource(delimiter = ';', value = {
        "'\"7\"'; test.yaml: cluster.owns: partition 7 is outside 0-5 (cluster.partitions is 6)",
        "'\"4-7\"'; test.yaml: cluster.owns: partition 6 is outside 0-5 (cluster.partitions is 6)",
        "'\"2-0\"'; test.yaml: cluster.owns: range 2-0 runs backwards; write it as 0-2",
        "'\"0-2,2\"'; test.yaml: cluster.owns: partition 2 is listed twice in '0-2,2'",
        "'\"a\"'; test.yaml: cluster.owns: 'a' is not a partition number or a range like 0-2",
        "'\"-1\"'; test.yaml: cluster.owns: '-1' is not a partition number or a range like 0-2",
        "'\"0,,1\"'; test.yaml: cluster.owns: '' is not a partition number or a range like 0-2",
        "'\"0-\"'; test.yaml: cluster.owns: '0-' is not a partition number or a range like 0-2",
        "'[0, 1]'; test.yaml: cluster.owns must be a single value",
    })
    void shouldRefuseOwnedPartitionsItCannotUseNamingTheKey(final String owns, final String message) {
        assertTrue(error(with("owns", owns)).startsWith(message), () -> error(with("owns", owns)));
    }

    @ParameterizedTest(name = "without {0}")
    @CsvSource({"bootstrap_servers", "partitions", "node", "owns"})
    void shouldRequireTheKeysThatHaveNoSafeDefault(final String key) {
        final String message = error(with(key, null));
        assertTrue(message.startsWith("test.yaml: cluster." + key + " must be set"), message);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = ';', value = {
        "bootstrap_servers; 'localhost'; cluster.bootstrap_servers must be host:port entries",
        "bootstrap_servers; '\"127.0.0.1:9092,\"'; cluster.bootstrap_servers must be host:port entries",
        "bootstrap_servers; '\"127.0.0.1:70000\"'; cluster.bootstrap_servers must be host:port entries",
        "partitions; '0'; cluster.partitions must be a whole number between 1 and 10000, was '0'",
        "partitions; 'six'; cluster.partitions must be a whole number between 1 and 10000, was 'six'",
        "node; 'nodo a'; cluster.node must be 1 to 64 letters, digits",
        "topic; 'eventi/uno'; cluster.topic must be a Kafka topic name",
        "reply_topic; 'conversioni_eventi'; cluster.topic, cluster.reply_topic and cluster.cells_topic must be three different topics",
        "replication_factor; '0'; cluster.replication_factor must be a whole number between 1 and 32767",
        "verdict_timeout; '10ms'; cluster.verdict_timeout must be a duration",
        "producer_buffer; '1KiB'; cluster.producer_buffer must be a size",
        "linger; '5s'; cluster.linger must be a duration",
        "broker_timeout; '100ms'; cluster.broker_timeout must be a duration",
        "partizioni; '6'; unknown setting cluster.partizioni",
    })
    void shouldRefuseABadValueNamingItsKey(final String key, final String value, final String message) {
        final String error = error(with(key, value));
        assertTrue(error.startsWith("test.yaml: " + message), error);
    }

    @Test
    void shouldRefuseMoreInsyncReplicasThanReplicas() {
        final String error = error(with("replication_factor", "2") + "  min_insync_replicas: 3\n");
        assertEquals("test.yaml: cluster.min_insync_replicas must be at most cluster.replication_factor (2), was '3'",
            error);
    }

    @Test
    void shouldReadTheOptionalKeys() throws ConfigException {
        final ClusterSettings s = read(CONTRACT
            + "  replication_factor: 3\n  min_insync_replicas: 2\n  reply_topic: esiti\n  cells_topic: celle\n"
            + "  verdict_timeout: 2s\n  producer_buffer: 8MiB\n  linger: 1ms\n  broker_timeout: 3s\n");
        assertEquals(3, s.replicationFactor());
        assertEquals(2, s.minInsyncReplicas());
        assertEquals("esiti", s.replyTopic());
        assertEquals("celle", s.cellsTopic());
        assertEquals(2_000, s.verdictTimeoutMs());
        assertEquals(8L << 20, s.producerBufferBytes());
        assertEquals(1, s.lingerMs());
        assertEquals(3_000, s.brokerTimeoutMs());
    }

    @Test
    void shouldAcceptSeveralBootstrapServers() throws ConfigException {
        assertEquals("k1:9092,k2:9093,[::1]:9094",
            read(with("bootstrap_servers", "\"k1:9092, k2:9093, [::1]:9094\"")).bootstrapServers());
    }
}
