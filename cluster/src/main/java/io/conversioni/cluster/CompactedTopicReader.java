package io.conversioni.cluster;

import io.conversioni.config.ConfigReader;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Reads a one-partition compacted topic whole: the newest value of each key (a tombstone removes it), from the
 * beginning to the end offset taken when it starts, within {@code cluster.broker_timeout}. For the small state
 * topics the nodes share ({@code cluster.alerts_topic}, {@code cluster.reports_topic}). The calling thread; allocates
 * per record; no group, nothing committed.
 */
final class CompactedTopicReader {
    private CompactedTopicReader() {
    }

    /**
     * @param key the topic's configuration key, for messages ({@code cluster.alerts_topic})
     * @throws ClusterException {@code kafka_unreachable} when the topic cannot be read within the timeout
     */
    static Map<String, String> readLatest(final ClusterSettings settings, final String topic, final String key)
        throws ClusterException {
        final Properties p = ClusterClients.consumer(settings, topic, "earliest");
        final Map<String, String> latest = new TreeMap<>();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.brokerTimeoutMs());
        final Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(p);
        try {
            final TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            final long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException("offset " + end + " not reached");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    final String k = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
                    if (r.value() == null) {
                        latest.remove(k);
                    } else {
                        latest.put(k, new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (KafkaException e) {
            throw new ClusterException(ClusterException.KAFKA_UNREACHABLE, "topic " + topic + " (" + key + ") could "
                + "not be read at " + settings.bootstrapServers() + " within "
                + ConfigReader.formatMillis(settings.brokerTimeoutMs()) + " (cluster.broker_timeout): " + e.getMessage(),
                e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        }
        return latest;
    }
}
