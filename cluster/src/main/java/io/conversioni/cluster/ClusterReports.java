package io.conversioni.cluster;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The nodes' daily reports in the compacted topic {@code cluster.reports_topic}: key {@code YYYY-MM-DD/node}, value
 * the report's JSON as the node wrote it ({@link #publish}, after each report). The elected node reads a day's
 * reports of every node ({@link #reportsOf}) and writes their sum (the operations module's
 * {@code ClusterDailyReport}). A node that stopped keeps its last report of each day in the topic.
 *
 * <p>Threading: the jobs thread (it may wait, each call within {@code cluster.broker_timeout}); {@link #close} from
 * the controlling thread after the jobs stopped. Allocates per report.
 */
public final class ClusterReports implements AutoCloseable {
    private final ClusterSettings settings;
    /** Created by the first {@link #publish} (the jobs thread), so that no client exists before the broker is reached. */
    private volatile Producer<byte[], byte[]> producer;
    private boolean closed;

    private ClusterReports(final ClusterSettings settings) {
        this.settings = settings;
    }

    /** The writer of this node's reports; no client yet. */
    public static ClusterReports start(final ClusterSettings settings) {
        return new ClusterReports(settings);
    }

    private synchronized Producer<byte[], byte[]> producer() throws ClusterException {
        if (closed) {
            throw new ClusterException(ClusterException.KAFKA_UNREACHABLE, "the node is stopping: no report is "
                + "written to " + settings.reportsTopic());
        }
        if (producer == null) {
            final Properties p = ClusterClients.eventsProducer(settings);
            p.put(ProducerConfig.CLIENT_ID_CONFIG, "conversioni-" + settings.node() + "-rapporti");
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, settings.brokerTimeoutMs()); // the jobs thread may wait
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) settings.brokerTimeoutMs());
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) (settings.brokerTimeoutMs() + settings.lingerMs()));
            producer = new KafkaProducer<>(p);
        }
        return producer;
    }

    /**
     * Writes this node's report of {@code day} and waits for the broker's acknowledgement.
     *
     * @throws ClusterException {@code kafka_unreachable} when it is not acknowledged within {@code cluster.broker_timeout}
     */
    public void publish(final String day, final String json) throws ClusterException, InterruptedException {
        try {
            producer().send(new ProducerRecord<>(settings.reportsTopic(), 0,
                (day + "/" + settings.node()).getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8)))
                .get(settings.brokerTimeoutMs() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
            throw new ClusterException(ClusterException.KAFKA_UNREACHABLE, "the report of " + day + " was not written "
                + "to " + settings.reportsTopic() + " (cluster.reports_topic): " + e.getMessage(), e);
        }
    }

    /** Every node's newest report of {@code day}, by node name. */
    public List<String> reportsOf(final String day) throws ClusterException {
        final List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : CompactedTopicReader.readLatest(settings, settings.reportsTopic(),
            "cluster.reports_topic").entrySet()) {
            if (e.getKey().startsWith(day + "/")) {
                out.add(e.getValue());
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (producer != null) {
            producer.close(Duration.ofMillis(settings.brokerTimeoutMs()));
        }
    }
}
