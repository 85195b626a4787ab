package io.conversioni.cluster;

import io.conversioni.pipeline.EngineCounters;
import io.conversioni.window.CampaignNames;
import io.conversioni.window.WindowSnapshot;
import io.conversioni.window.WindowView;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntToLongFunction;
import java.util.function.LongSupplier;

/**
 * The owner's side of cluster-wide queries: every interval (about once a second) it reads the owner engine's windows
 * through their {@link WindowView} (consistent copies, never making the window stage wait) and publishes to
 * {@code cluster.cells_topic} ({@link CellsCodec}) each window whose content changed since it was last published
 * (an open window at most once an interval; a window when it closes and on each revision, since both change its
 * version), a tombstone for a published window that left the horizon, and a node record (watermarks, lags, counters)
 * every interval. The owner's windows add up all its partitions, so a window record speaks for the whole partition
 * set and goes to the set's lowest partition.
 *
 * <p>Threading: its own thread {@code conversioni-cells-<node>}; {@link #close()} from any thread. A failed send (a
 * full buffer, an unreachable broker: the producer never blocks) makes the next interval publish every window
 * again, so nothing is lost while the broker is away. Allocation: a snapshot at start; per interval one byte array
 * per record sent. Grows: its map of published windows is bounded by the horizon's window count.
 */
public final class CellsPublisher implements AutoCloseable {
    /** How often windows are looked at and the node record is sent. */
    public static final long DEFAULT_INTERVAL_MS = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(CellsPublisher.class);

    private final ClusterSettings settings;
    private final WindowView view;
    private final EngineCounters counters;
    private final IntToLongFunction lagByPartition;
    private final LongSupplier clockMillis;
    private final long intervalMs;
    private final int[] partitions;
    private final String partitionSet;
    private final int targetPartition;
    private final KafkaProducer<String, byte[]> producer;
    private final Thread thread;
    private final WindowSnapshot snapshot;
    private final String[] names;
    /** Window start to the version last sent, publisher thread only. */
    private final Map<Long, Long> published = new HashMap<>();
    private volatile boolean running = true;
    private volatile boolean sendFailed;
    /** Producer thread: a failure was logged and no record has been written since. */
    private volatile boolean failing;
    private long records;

    private CellsPublisher(final ClusterSettings settings, final WindowView view, final EngineCounters counters,
                           final IntToLongFunction lagByPartition, final LongSupplier clockMillis, final long intervalMs) {
        this.settings = settings;
        this.view = view;
        this.counters = counters;
        this.lagByPartition = lagByPartition;
        this.clockMillis = clockMillis;
        this.intervalMs = intervalMs;
        this.partitions = settings.ownedPartitions().clone();
        java.util.Arrays.sort(partitions);
        // a node that owns nothing publishes the windows of the bodies it rejected itself (they never reach Kafka),
        // keyed by its name: they claim no partition, and every node adds them in
        this.partitionSet = partitions.length == 0 ? CellsCodec.INGRESS_ONLY_PREFIX + settings.node()
            : CellsCodec.partitionSet(partitions);
        this.targetPartition = partitions.length == 0 ? 0 : partitions[0];
        this.snapshot = view.newSnapshot();
        this.names = new String[view.campaigns().capacity()];
        producer = new KafkaProducer<>(producerProperties(settings));
        thread = new Thread(this::run, "conversioni-cells-" + settings.node());
        thread.setDaemon(true);
    }

    /**
     * Starts publishing the windows of {@code view}, the owner engine's, and its business {@code counters} (accepted
     * events and valore per evento x canale, for {@code /metrics}), for the partitions {@code settings} owns (a node that
     * owns none publishes the windows of the bodies it rejected itself, which never reach Kafka, keyed by its name). {@code lagByPartition} gives each owned partition's consumer lag
     * (end offset - position; {@link CellsRecord#NO_LAG} when unknown), read on the publisher's thread.
     */
    public static CellsPublisher start(final ClusterSettings settings, final WindowView view,
                                       final EngineCounters counters, final IntToLongFunction lagByPartition) {
        return start(settings, view, counters, lagByPartition, System::currentTimeMillis, DEFAULT_INTERVAL_MS);
    }

    /** As {@link #start(ClusterSettings, WindowView, EngineCounters, IntToLongFunction)} with a clock and an interval. */
    public static CellsPublisher start(final ClusterSettings settings, final WindowView view,
                                       final EngineCounters counters, final IntToLongFunction lagByPartition,
                                       final LongSupplier clockMillis, final long intervalMs) {
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("cells interval " + intervalMs + " ms: must be > 0");
        }
        final CellsPublisher p = new CellsPublisher(settings, view, counters, lagByPartition, clockMillis, intervalMs);
        if (p.thread != null) {
            p.thread.start();
        }
        return p;
    }

    static Properties producerProperties(final ClusterSettings settings) {
        final Properties p = ClusterClients.eventsProducer(settings);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "conversioni-" + settings.node() + "-finestre");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** Records handed to the producer so far (windows, tombstones, node records). Any thread, racy. */
    public long recordsSent() {
        return records;
    }

    private void run() {
        final long intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        try {
            // the producer never waits for metadata (max.block.ms = 0): without this its first sends fail at once
            ClusterClients.awaitMetadata(producer, settings.cellsTopic(), settings);
        } catch (final ClusterException e) {
            LOG.warn("no metadata for {} yet ({}); the window cells go out once the broker answers",
                settings.cellsTopic(), e.getMessage());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        while (running) {
            final long began = System.nanoTime();
            try {
                tick();
            } catch (final RuntimeException e) {
                LOG.warn("publishing the window cells of node {} failed, trying again in {} ms", settings.node(),
                    intervalMs, e);
                sendFailed = true;
            }
            final long left = intervalNanos - (System.nanoTime() - began);
            if (left > 0 && running) {
                LockSupport.parkNanos(this, left);
            }
        }
    }

    /** Publisher thread: one interval's records. */
    private void tick() {
        final boolean all = sendFailed;
        sendFailed = false;
        final long now = clockMillis.getAsLong();
        final CellsCodec.Header header = header(now);
        final long head = view.headWindowStartMillis();
        if (head != Long.MIN_VALUE) {
            final long length = view.config().windowLengthMs();
            final long oldest = head - view.config().horizonMs() + length;
            view.forEachWindow(oldest, head + length, snapshot, w -> publishIfChanged(header, w, all));
            final Iterator<Map.Entry<Long, Long>> it = published.entrySet().iterator();
            while (it.hasNext()) {
                final long start = it.next().getKey();
                if (start < oldest) {
                    send(CellsCodec.windowKey(partitionSet, start), null);
                    it.remove();
                }
            }
        }
        send(CellsCodec.nodeKey(settings.node()), CellsCodec.encodeNode(header));
    }

    private void publishIfChanged(final CellsCodec.Header header, final WindowSnapshot w, final boolean all) {
        if (w.total().uniqueCount() + w.total().duplicateCount() + w.total().rejectedCount() == 0) {
            return; // opened by the watermark or a heartbeat, nothing to add anywhere
        }
        final Long last = published.get(w.windowStartMillis());
        if (!all && last != null && last == w.version()) {
            return;
        }
        final CampaignNames dict = view.campaigns();
        for (int id = 0; id < w.campaignCellsUsed(); id++) {
            if (names[id] == null) {
                names[id] = dict.name(id); // ids are never handed out again: a name is looked up once
            }
        }
        send(CellsCodec.windowKey(partitionSet, w.windowStartMillis()), CellsCodec.encodeWindow(header, w, names, dict));
        published.put(w.windowStartMillis(), w.version());
    }

    private CellsCodec.Header header(final long now) {
        final long watermark = view.watermarkMillis();
        final long[] watermarks = new long[partitions.length];
        final long[] lags = new long[partitions.length];
        for (int i = 0; i < partitions.length; i++) {
            watermarks[i] = watermark; // one engine, one watermark for all the partitions it owns
            lags[i] = lagByPartition.applyAsLong(partitions[i]);
        }
        final int eventi = view.config().eventoCount();
        final int canali = view.config().canaleCount();
        final long[] business = new long[2 * eventi * canali];
        for (int e = 0; e < eventi; e++) {
            for (int c = 0; c < canali; c++) {
                business[e * canali + c] = counters.accepted(e, c);
                business[eventi * canali + e * canali + c] = counters.valueCents(e, c);
            }
        }
        return new CellsCodec.Header(now, settings.node(), partitions, watermarks, lags, new long[] {
            view.maxEventTimeMillis(), view.tooLateCount(), view.futureCount(), view.rejectedOutsideHorizonCount(),
            view.heartbeatCount()}, business);
    }

    private void send(final String key, final byte[] value) {
        try {
            producer.send(new ProducerRecord<>(settings.cellsTopic(), targetPartition, key, value), (m, e) -> {
                if (e != null) {
                    if (!failing) { // once per streak of failures: a broker down for minutes would log every second
                        failing = true;
                        LOG.warn("a window cells record of node {} was not written ({}): all windows go again, "
                            + "each interval, until the broker takes them", settings.node(), e.toString());
                    }
                    sendFailed = true;
                } else if (failing) {
                    failing = false;
                    LOG.info("window cells of node {} are written again", settings.node());
                }
            });
            records++;
        } catch (final RuntimeException e) { // full buffer, no metadata: the producer refuses at once
            sendFailed = true;
        }
    }

    /** Stops the thread after one last interval (so a window closed just now is published) and closes the producer. */
    @Override
    public void close() {
        if (thread == null) {
            return;
        }
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            producer.close(Duration.ZERO);
            return;
        }
        try {
            tick();
            producer.flush();
        } catch (final RuntimeException e) {
            LOG.warn("the last window cells of node {} were not published", settings.node(), e);
        }
        producer.close(Duration.ofMillis(settings.brokerTimeoutMs()));
    }
}
