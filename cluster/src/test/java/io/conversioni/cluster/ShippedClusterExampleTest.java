package io.conversioni.cluster;

import io.conversioni.config.ConfigException;
import io.conversioni.config.ConfigReader;
import io.conversioni.config.EngineConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commented-out {@code cluster:} example in config/conversioni.yaml, uncommented, is a valid section
 * whose written values are the defaults this module applies, and which the engine's configuration accepts and
 * hands to {@code serve} as its cluster section (a bad key there is refused by name).
 */
class ShippedClusterExampleTest {
    private static final Path SHIPPED = Path.of("..", "config", "conversioni.yaml");

    /** The example's lines with their "# " taken off: the section with every optional key at its default. */
    private static String uncommentedExample() throws IOException {
        final List<String> lines = Files.readAllLines(SHIPPED, StandardCharsets.UTF_8);
        final StringBuilder out = new StringBuilder();
        boolean inside = false;
        for (String line : lines) {
            if (line.equals("# cluster:")) {
                inside = true;
            } else if (inside && !line.startsWith("#   ")) {
                break;
            }
            if (inside && !line.startsWith("#   # ") && !line.matches("#\\s+#.*")) {
                out.append(line.substring(2)).append('\n');
            }
        }
        assertTrue(inside, "config/conversioni.yaml has a commented-out cluster: section");
        return out.toString();
    }

    @Test
    void shouldShipAnExampleWhoseValuesAreTheDefaults() throws Exception {
        final String example = uncommentedExample();
        final ClusterSettings s = ClusterSettings.read(ConfigReader.parse(example, "example").section("cluster"));
        assertEquals("127.0.0.1:9092", s.bootstrapServers());
        assertEquals(6, s.partitions());
        assertArrayEquals(new int[] {0, 1, 2}, s.ownedPartitions());
        // the optional keys as written equal the defaults applied when they are absent
        final ClusterSettings minimal = ClusterSettings.read(ConfigReader.parse(
            "cluster:\n  bootstrap_servers: 127.0.0.1:9092\n  partitions: 6\n  node: a\n  owns: \"0-2\"\n", "minimal")
            .section("cluster"));
        assertEquals(minimal.topic(), s.topic());
        assertEquals(minimal.replyTopic(), s.replyTopic());
        assertEquals(minimal.cellsTopic(), s.cellsTopic());
        assertEquals(minimal.verdictTimeoutMs(), s.verdictTimeoutMs());
        assertEquals(minimal.producerBufferBytes(), s.producerBufferBytes());
        assertEquals(minimal.lingerMs(), s.lingerMs());
        assertEquals(minimal.brokerTimeoutMs(), s.brokerTimeoutMs());
        assertEquals(ClusterSettings.BROKER_DEFAULT, s.replicationFactor());
    }

    @Test
    void shouldAcceptTheExampleInTheEngineConfigurationAndReadItAsTheClusterSection() throws Exception {
        final EngineConfig config = EngineConfig.parse(uncommentedExample(), SHIPPED.getParent());
        assertNotNull(config.cluster(), "serve reads the cluster: section");
        final ClusterSettings s = ClusterSettings.read(config.cluster());
        assertEquals("a", s.node());
        assertArrayEquals(new int[] {0, 1, 2}, s.ownedPartitions());
        assertNull(EngineConfig.parse("", SHIPPED.getParent()).cluster(), "no section: a single node");
        assertFalse(ClusterSettings.present(ConfigReader.parse("", "empty")));
        final ConfigException e = assertThrows(ConfigException.class, () -> ClusterSettings.read(EngineConfig.parse(
            uncommentedExample().replace("cluster:\n", "cluster:\n  nodes: 3\n"), SHIPPED.getParent()).cluster()));
        assertTrue(e.getMessage().contains("cluster.nodes"), e.getMessage());
    }
}
