package io.conversioni.cluster;

import io.conversioni.alert.Alert;
import io.conversioni.alert.AlertConfig;
import io.conversioni.alert.AlertListener;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The state of the cluster-wide alerts ({@code silenzio}, {@code deriva_orologio}, {@code duplicati}'s canale keys:
 * those only the elected node, the owner of partition 0, raises) in the compacted topic {@code cluster.alerts_topic}: key {@code regola/chiave}, value
 * the alert's JSON as {@code GET /api/v1/allarmi} lists it, written on each change the elected node makes
 * ({@link #onChange}, beside delivery). A node that becomes the elected one reads it whole at start
 * ({@link #readAll}) and takes over the alerts open there without notifying them again; a node that is not elected
 * takes the state there for the alerts it no longer runs. So a move of partition 0 neither sends an alert twice nor
 * loses its resolution (docs/cluster.md, "Alerts, reconciliation, daily report").
 *
 * <p>Threading: {@link #readAll} at start on the controlling thread; {@link #onChange} on the alerts' rules thread
 * (the send never waits: {@code max.block.ms = 0}, as the events producer); {@link #close} from the controlling
 * thread. Allocates per alert change (rare).
 */
public final class ClusterAlertStates implements AlertListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterAlertStates.class);
    /** The rules whose alerts the elected node alone raises, and whose state it hands over (and duplicati's canale keys). */
    public static final Set<String> CLUSTER_WIDE_RULES = Set.of(AlertConfig.SILENZIO, AlertConfig.DERIVA_OROLOGIO);

    /** True for an alert only the elected node raises: silenzio, deriva_orologio, duplicati's {@code canale=…} keys. */
    public static boolean clusterWide(final Alert a) {
        return CLUSTER_WIDE_RULES.contains(a.regola())
            || AlertConfig.DUPLICATI.equals(a.regola()) && a.chiave().startsWith("canale=");
    }

    private final ClusterSettings settings;
    /** Null until {@link #open}: created once the broker has been reached, so that no client exists before. */
    private volatile Producer<byte[], byte[]> producer;

    private ClusterAlertStates(final ClusterSettings settings) {
        this.settings = settings;
    }

    /** The elected node's writer of the alerts' state; no client yet ({@link #open}). */
    public static ClusterAlertStates start(final ClusterSettings settings) {
        return new ClusterAlertStates(settings);
    }

    /**
     * Creates the producer and fetches the topic's metadata, within {@code cluster.broker_timeout}: without it a send
     * fails at once (the producer never waits). After the topics exist, before the first alert change.
     */
    public void open() throws ClusterException, InterruptedException {
        final Properties p = ClusterClients.eventsProducer(settings);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "conversioni-" + settings.node() + "-allarmi");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(settings.brokerTimeoutMs(),
            settings.verdictTimeoutMs() + settings.lingerMs()));
        final Producer<byte[], byte[]> created = new KafkaProducer<>(p);
        producer = created;
        ClusterClients.awaitMetadata(created, settings.alertsTopic(), settings);
    }

    /**
     * The newest state of every cluster-wide alert in the topic, oldest key first: read from its beginning to the
     * end offset taken at start, within {@code cluster.broker_timeout}.
     *
     * @throws ClusterException {@code kafka_unreachable} when the topic cannot be read in that time
     */
    public static List<Alert> readAll(final ClusterSettings settings) throws ClusterException {
        final List<Alert> out = new ArrayList<>();
        for (Map.Entry<String, String> e : CompactedTopicReader.readLatest(settings, settings.alertsTopic(),
            "cluster.alerts_topic").entrySet()) {
            try {
                final Alert a = Alert.fromJson(e.getValue());
                if (clusterWide(a)) {
                    out.add(a);
                }
            } catch (RuntimeException bad) {
                LOG.warn("alerts topic record {} skipped ({})", e.getKey(), bad.getMessage());
            }
        }
        return out;
    }

    /** Rules thread: writes a cluster-wide alert's new state; others are ignored. Never waits. */
    @Override
    public void onChange(final Alert alert) {
        final Producer<byte[], byte[]> p = producer;
        if (!clusterWide(alert)) {
            return;
        }
        if (p == null) {
            LOG.error("alert {} {} {} changed before {} was opened: a successor of this node would not know it",
                alert.id(), alert.regola(), alert.chiave(), settings.alertsTopic());
            return;
        }
        try {
            p.send(new ProducerRecord<>(settings.alertsTopic(), 0,
                (alert.regola() + "/" + alert.chiave()).getBytes(StandardCharsets.UTF_8),
                alert.toJson().getBytes(StandardCharsets.UTF_8)), (metadata, e) -> {
                    if (e != null) {
                        LOG.error("alert {} {} {} not written to {}: a successor of this node would not know it ({})",
                            alert.id(), alert.regola(), alert.chiave(), settings.alertsTopic(), e.toString());
                    }
                });
        } catch (KafkaException e) {
            LOG.error("alert {} {} {} not written to {}: a successor of this node would not know it ({})", alert.id(),
                alert.regola(), alert.chiave(), settings.alertsTopic(), e.toString());
        }
    }

    /** Sends what is buffered (within {@code cluster.broker_timeout}) and closes the producer. */
    @Override
    public void close() {
        final Producer<byte[], byte[]> p = producer;
        if (p != null) {
            p.close(Duration.ofMillis(settings.brokerTimeoutMs()));
        }
    }
}
