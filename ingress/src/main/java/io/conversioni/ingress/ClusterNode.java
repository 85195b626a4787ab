package io.conversioni.ingress;

import io.conversioni.cluster.CellsPublisher;
import io.conversioni.alert.AlertService;
import io.conversioni.alert.RulePlacement;
import io.conversioni.cluster.ClusterActivity;
import io.conversioni.cluster.ClusterAlertStates;
import io.conversioni.cluster.ClusterException;
import io.conversioni.cluster.ClusterPublisher;
import io.conversioni.cluster.ClusterReports;
import io.conversioni.cluster.ClusterSettings;
import io.conversioni.cluster.ClusterStatus;
import io.conversioni.cluster.ClusterTopics;
import io.conversioni.cluster.ClusterWindows;
import io.conversioni.cluster.OwnerConsumer;
import io.conversioni.config.EngineConfig;
import io.conversioni.metrics.PrometheusTextWriter;
import io.conversioni.pipeline.Engine;
import io.conversioni.operations.JobsRuntime;
import io.conversioni.reconcile.ReconciliationJob;
import io.conversioni.report.ClusterDailyReport;
import io.conversioni.report.Coverage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * This node's cluster parts, in the order they start and stop. {@link #connect} (from
 * {@link ConversioniServer#listen}): the topics made to exist and checked ({@link ClusterTopics#ensure}), then the
 * receiving side ({@link ClusterPublisher}, its verdict router, the topic's metadata). {@link #startOwner} (from
 * {@link ConversioniServer#start}, once the engine has recovered): the owner's consumer of {@code cluster.owns}, with
 * its {@code VerdictSender} as the respond listener of the records it feeds in, and the {@link CellsPublisher} of its
 * windows. {@link #followCells}: every node's merged view of the cluster's windows. {@link #isRunning} is the cluster's
 * part of readiness (the merged view caught up with the cells topic included). Closing: {@link #closePublisher} (the waiting requests answered) before {@link #stopOwner}
 * (every record fed in answered), both before the engine closes.
 *
 * <p>Alerts, reconciliation and reports (docs/cluster.md, "Alerts, reconciliation, daily report"): which stream rules
 * run here ({@link #rulePlacement}), the cluster-wide alerts' state taken over at start ({@link #takeOverAlerts}) and
 * written by the elected node ({@link #alertStates}), the elected node's reader of every partition for
 * {@code silenzio} ({@link #startClusterRules}), the id_cliente this node reconciles ({@link #reconciliationScope})
 * and what its reports cover ({@link #reportCoverage}).
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
    private volatile ClusterWindows windows;
    private volatile CellsPublisher cells;
    /** The elected node's reader of every partition for the cluster-wide rules; null elsewhere. */
    private volatile ClusterActivity activity;
    /** The elected node's writer of the cluster-wide alerts' state; null elsewhere. */
    private ClusterAlertStates alertStates;
    /** This node's writer of its daily reports (and the elected node's reader of everyone's); null until the jobs. */
    private ClusterReports reports;
    private volatile boolean running;

    private ClusterNode(final ClusterSettings settings, final EngineConfig config) {
        this.settings = settings;
        this.config = config;
    }

    /** The {@code cluster:} section read and checked; {@code config} has one ({@link EngineConfig#cluster()}). */
    static ClusterNode configure(final EngineConfig config) throws io.conversioni.config.ConfigException {
        final ClusterSettings settings = ClusterSettings.read(config.cluster());
        if (!config.dedupeKeyFields().contains("id_cliente")) {
            // records are spread over partitions, and so over owners' dedupe tables, by id_cliente
            throw new io.conversioni.config.ConfigException(config.source() + ": dedupe.key_fields must include "
                + "id_cliente in cluster mode (the topic is partitioned by id_cliente, each partition deduplicated by "
                + "its owner), was " + config.dedupeKeyFields());
        }
        return new ClusterNode(settings, config);
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

    /**
     * Starts following the cells topic: the whole cluster's windows, merged ({@link ClusterWindows}), which the
     * queries, the stream, the dashboard and {@code /metrics}' business series read instead of this node's own
     * engine. After {@link #connect} (the topic exists).
     *
     * @param local this node's engine's windows (its configuration and histograms)
     */
    ClusterWindows followCells(final io.conversioni.window.WindowView local) {
        windows = ClusterWindows.start(settings, local, CellsPublisher.DEFAULT_INTERVAL_MS, System::currentTimeMillis);
        return windows;
    }

    /** {@code GET /api/v1/cluster}: nodes, partitions, owners, watermarks, lag and problems. After {@link #followCells}. */
    String status() {
        return new ClusterStatus(windows, this::lagOf).render();
    }

    /** This node's consumer lag of {@code partition}, or -1 when it does not own it or does not know. Any thread. */
    private long lagOf(final int partition) {
        final OwnerConsumer o = owner;
        if (o == null) {
            return -1;
        }
        final int[] owned = o.ownedPartitions();
        final long[] lag = o.lag();
        for (int i = 0; i < owned.length; i++) {
            if (owned[i] == partition) {
                return lag[i];
            }
        }
        return -1;
    }

    /**
     * Before the engine starts: an owner's watermark moves only with the records of its partitions, heartbeat records
     * included, never with its own clock, so that a node rebuilding them from the topic closes the same windows. A
     * node that owns nothing keeps its clock (its engine holds only its local rejections).
     */
    void prepare(final Engine engine) {
        if (settings.ownedPartitions().length > 0) {
            engine.heartbeatsFromRecords();
        }
    }

    /**
     * Starts reading the owned partitions into {@code engine} (started: its recovery done); ready once a replacement
     * node has rebuilt them from the topic ({@link OwnerConsumer#isCaughtUp()}) and the merged view has caught up.
     */
    void startOwner(final Engine engine) throws ClusterException, InterruptedException {
        owner = OwnerConsumer.start(settings, engine);
        // the owned partitions' window cells, for every node's merged view (nothing on a node that owns none)
        cells = CellsPublisher.start(settings, engine.windows(), engine.counters(), this::lagOf);
        running = true;
        LOG.info("cluster node {} is ready: owns partitions {} of {}", settings.node(), settings.ownsAsWritten(),
            settings.topic());
    }

    /**
     * The {@code id_cliente}s this node reconciles: those of the partitions it owns (Kafka's default partitioner,
     * as the events were produced), none on a node that owns nothing.
     */
    ReconciliationJob.Scope reconciliationScope() {
        final int[] owned = settings.ownedPartitions();
        return owned.length == 0 ? new ReconciliationJob.Scope("nodo " + settings.node(), id -> false, true)
            : new ReconciliationJob.Scope(coverage(), settings.ownsIdCliente(), false);
    }

    /** What this node's reconciliation and report cover, as users read it: {@code nodo a, partizioni 0-2 di 6}. */
    String coverage() {
        return "nodo " + settings.node() + ", partizioni " + settings.ownsAsWritten() + " di " + settings.partitions();
    }

    /**
     * This node's share of the jobs: the id_cliente it reconciles, what its reports cover, and each report written
     * published to {@code cluster.reports_topic}; the elected node then writes the day's sum of every node's report
     * into {@code reportsDir} ({@link ClusterDailyReport}). Opens no connection yet.
     */
    JobsRuntime.ClusterPart jobsPart(final Path reportsDir) {
        final ClusterReports writer = ClusterReports.start(settings);
        reports = writer;
        return new JobsRuntime.ClusterPart(reconciliationScope(), reportCoverage(), (day, report) -> {
            writer.publish(day.toString(), report.json());
            if (settings.elected()) {
                ClusterDailyReport.write(reportsDir, day.toString(), ClusterDailyReport.json(day.toString(),
                    writer.reportsOf(day.toString()), settings.partitions(), System.currentTimeMillis()));
            }
        });
    }

    /** What this node's daily reports cover: its name and owned partitions. */
    Coverage reportCoverage() {
        return new Coverage(settings.node(), settings.ownedPartitions(), settings.partitions());
    }

    /** Which alert rules run here: the elected node (owner of partition 0) runs the cluster-wide ones too. */
    RulePlacement rulePlacement() {
        return RulePlacement.cluster(settings.elected());
    }

    /**
     * The elected node's writer of the cluster-wide alerts' state, told every alert change after delivery; null on
     * the other nodes. Before the alerts start (it opens no connection yet).
     */
    ClusterAlertStates alertStates() {
        if (settings.elected() && alertStates == null) {
            alertStates = ClusterAlertStates.start(settings);
        }
        return alertStates;
    }

    /**
     * Reads the cluster-wide alerts' state ({@code cluster.alerts_topic}) and hands it to {@code alerts}: the elected
     * node takes over the open ones, every node resolves those resolved there. After {@link #connect} (the topic
     * exists), before the engine starts.
     */
    void takeOverAlerts(final AlertService alerts) throws ClusterException, InterruptedException {
        if (alertStates != null) {
            alertStates.open();
        }
        final java.util.List<io.conversioni.alert.Alert> states = ClusterAlertStates.readAll(settings);
        alerts.takeOver(states, settings.elected());
        LOG.info("cluster node {} read {} cluster-wide alert states from {}", settings.node(), states.size(),
            settings.alertsTopic());
    }

    /** After the jobs and the alerts closed: sends the last alert states and closes the writers. */
    void closeWriters() {
        if (alertStates != null) {
            alertStates.close();
        }
        if (reports != null) {
            reports.close();
        }
    }

    /**
     * On the elected node, starts hearing every partition's events for {@code silenzio} ({@code alerts}); elsewhere
     * nothing. After {@link #startOwner}.
     */
    void startClusterRules(final AlertService alerts) throws ClusterException {
        if (settings.elected()) {
            activity = ClusterActivity.start(settings, config, new ClusterActivity.Listener() {
                @Override
                public void seen(final int canaleOrdinal, final long receiveMillis) {
                    alerts.seen(canaleOrdinal, receiveMillis);
                }

                @Override
                public void decided(final int canaleOrdinal, final long receiveMillis, final long eventMillis,
                                    final int outcome) {
                    alerts.clusterDecided(canaleOrdinal, receiveMillis, eventMillis, outcome);
                }
            });
            LOG.info("cluster node {} owns partition 0: it runs silenzio, deriva_orologio and duplicati per canale for "
                    + "the cluster",
                settings.node());
        }
    }

    /**
     * The cluster's part of readiness: the publisher and the owner's consumer run, the owned partitions are caught up
     * with the topic (a replacement node's rebuild done) and the merged windows with the cells topic. Any thread.
     */
    boolean isRunning() {
        final OwnerConsumer o = owner;
        final ClusterWindows w = windows;
        return running && o != null && o.failure() == null && o.isCaughtUp() && w != null && w.caughtUp();
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
        final ClusterActivity a = activity;
        if (a != null) {
            a.stop();
        }
        final OwnerConsumer o = owner;
        if (o != null) {
            o.stop();
        }
        final CellsPublisher c = cells;
        if (c != null) {
            c.close(); // after the owner: the windows of the last records fed in go out with it
        }
        final ClusterWindows w = windows;
        if (w != null) {
            w.close();
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
