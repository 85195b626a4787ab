package io.conversioni.ingress;

import io.conversioni.cluster.ClusterException;
import io.conversioni.cluster.ClusterPublisher;
import io.conversioni.cluster.ClusterSettings;
import io.conversioni.cluster.ClusterTopics;
import io.conversioni.cluster.OwnerConsumer;
import io.conversioni.config.EngineConfig;
import io.conversioni.metrics.PrometheusTextWriter;
import io.conversioni.pipeline.Engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's cluster parts, in the order they start and stop. {@link #connect} (from
 * {@link ConversioniServer#listen}): the topics made to exist and checked ({@link ClusterTopics#ensure}), then the
 * receiving side ({@link ClusterPublisher}, its verdict router, the topic's metadata). {@link #startOwner} (from
 * {@link ConversioniServer#start}, once the engine has recovered): the owner's consumer of {@code cluster.owns}, with
 * its {@code VerdictSender} as the respond listener of the records it feeds in. {@link #isRunning} is the cluster's
 * part of readiness. Closing: {@link #closePublisher} (the waiting requests answered) before {@link #stopOwner}
 * (every record fed in answered), both before the engine closes.
 *
 * <p>Built only when the configuration has a {@code cluster:} section: a single node never loads it, nor any
 * Kafka class. Threading: the server's controlling thread starts and stops it; {@link #isRunning} and
 * {@link #writeMetrics} from any thread. Allocates at start, and per scrape.
 */
final class ClusterNode {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    private final ClusterSettings settings;
    private final EngineConfig config;
    private volatile ClusterPublisher publisher;
    private volatile OwnerConsumer owner;
    private volatile boolean running;

    private ClusterNode(final ClusterSettings settings, final EngineConfig config) {
        this.settings = settings;
        this.config = config;
    }

    /** The {@code cluster:} section read and checked; {@code config} has one ({@link EngineConfig#cluster()}). */
    static ClusterNode configure(final EngineConfig config) throws io.conversioni.config.ConfigException {
        return new ClusterNode(ClusterSettings.read(config.cluster()), config);
    }

    ClusterSettings settings() {
        return settings;
    }

    /**
     * Makes the topics exist (refusing ones that do not fit) and starts the receiving side, each step within
     * {@code cluster.broker_timeout}.
     *
     * @param capacity requests waiting for a verdict at most: the ring size
     * @return the ingest route for the HTTP server
     * @throws ClusterException {@code kafka_unreachable}, {@code topic_partitions_mismatch}, {@code topic_misconfigured},
     *                          {@code topic_refused}
     */
    ClusterIngest connect(final int capacity, final int ioThreads, final long retryAfterSeconds)
        throws ClusterException, InterruptedException {
        final ClusterTopics.Outcome topics = ClusterTopics.ensure(settings, ClusterTopics.minEventsRetentionMs(config));
        LOG.info("cluster node {} on {}: topics created {}, found {}", settings.node(), settings.bootstrapServers(),
            topics.created(), topics.existing());
        publisher = ClusterPublisher.start(settings, capacity);
        return new ClusterIngest(publisher, config, ioThreads, retryAfterSeconds);
    }

    /** Starts reading the owned partitions into {@code engine} (started: its recovery done); then ready. */
    void startOwner(final Engine engine) throws ClusterException, InterruptedException {
        owner = OwnerConsumer.start(settings, engine);
        running = true;
        LOG.info("cluster node {} is ready: owns partitions {} of {}", settings.node(), settings.ownsAsWritten(),
            settings.topic());
    }

    /** The cluster's part of readiness: the publisher and the owner's consumer run. Any thread. */
    boolean isRunning() {
        final OwnerConsumer o = owner;
        return running && o != null && o.failure() == null;
    }

    /** Refuses new requests and answers the waiting ones (verdict, or 503 at the verdict timeout). */
    void closePublisher() {
        running = false;
        final ClusterPublisher p = publisher;
        if (p != null) {
            p.close();
        }
    }

    /** Stops reading, lets the records fed in be answered and commits. Before the engine closes. */
    void stopOwner() {
        running = false;
        final OwnerConsumer o = owner;
        if (o != null) {
            o.stop();
        }
    }

    /** The publisher's and the owner's counters, and the consumer lag per owned partition. Any thread. */
    void writeMetrics(final PrometheusTextWriter w) {
        w.family("conversioni_cluster_ready", PrometheusTextWriter.GAUGE,
            "1 while this node's Kafka parts run (publisher and owner's consumer), else 0.");
        w.sample("conversioni_cluster_ready").value(isRunning() ? 1 : 0);
        final ClusterPublisher p = publisher;
        if (p != null) {
            counter(w, "conversioni_cluster_produced_total", "Valid events produced to the cluster's events topic.",
                p.published());
            counter(w, "conversioni_cluster_refused_total", "Valid events refused at once, answered 503 "
                + "kafka_non_disponibile (broker unreachable, producer buffer or verdict table full).", p.refused());
            counter(w, "conversioni_cluster_verdicts_received_total", "Requests answered with their owner's verdict.",
                p.verdicts());
            counter(w, "conversioni_cluster_unavailable_total", "Produced events the broker did not take, answered 503 "
                + "kafka_non_disponibile.", p.unavailable());
            counter(w, "conversioni_cluster_no_verdict_total", "Requests without a verdict within "
                + "cluster.verdict_timeout, answered 503 verdetto_scaduto.", p.noVerdicts());
            counter(w, "conversioni_cluster_late_verdicts_total", "Verdicts that came after their request had ended, "
                + "dropped.", p.lateVerdicts());
            counter(w, "conversioni_cluster_malformed_verdicts_total", "Verdicts without a readable correlazione or "
                + "stato_http, dropped.", p.malformedVerdicts());
            w.family("conversioni_cluster_verdicts_waiting", PrometheusTextWriter.GAUGE,
                "Requests waiting for their owner's verdict now.");
            w.sample("conversioni_cluster_verdicts_waiting").value(p.waiting());
        }
        final OwnerConsumer o = owner;
        if (o != null) {
            counter(w, "conversioni_cluster_owner_records_total", "Records of the owned partitions fed into the engine.",
                o.published());
            counter(w, "conversioni_cluster_verdicts_sent_total", "Verdicts this owner sent that the broker acknowledged.",
                o.verdictsSent());
            counter(w, "conversioni_cluster_verdicts_failed_total", "Verdicts this owner could not send (the receiving "
                + "node answers 503 verdetto_scaduto).", o.verdictsFailed());
            counter(w, "conversioni_cluster_owner_full_ring_pauses_total", "Times the owned partitions were paused on a "
                + "full ring.", o.fullRingPauses());
            w.family("conversioni_cluster_consumer_lag", PrometheusTextWriter.GAUGE,
                "Records behind the end of each owned partition (label partizione), as the owner's consumer last saw it.");
            final int[] partitions = o.ownedPartitions();
            final long[] lag = o.lag();
            for (int i = 0; i < partitions.length; i++) {
                if (lag[i] >= 0) {
                    w.sample("conversioni_cluster_consumer_lag").label("partizione", Integer.toString(partitions[i]))
                        .value(lag[i]);
                }
            }
        }
    }

    private static void counter(final PrometheusTextWriter w, final String name, final String help, final long value) {
        w.family(name, PrometheusTextWriter.COUNTER, help);
        w.sample(name).value(value);
    }
}
