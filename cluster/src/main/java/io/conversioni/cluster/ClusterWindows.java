package io.conversioni.cluster;

import io.conversioni.json.JsonBuilder;
import io.conversioni.window.CampaignDictionary;
import io.conversioni.window.CampaignNames;
import io.conversioni.window.WindowConfig;
import io.conversioni.window.WindowSnapshot;
import io.conversioni.window.WindowView;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Every node's merged view of the whole cluster's windows: reads {@code cluster.cells_topic} from its beginning at
 * start and then follows it on its own thread ({@code conversioni-cells-reader-<node>}), keeps the newest value per
 * key, and adds up the cells of every key of a window start. Where two keys of one window speak for the same
 * partition (ownership moved), the newest publish wins and the older key is left out of that window whole (its cells
 * cannot be split by partition); the overlap is reported ({@link ClusterStatus}). A merged window is {@code chiusa}
 * when every partition {@code 0..partitions-1} has an owner in the cells topic and each owner's watermark (its
 * engine's newest event time minus {@code windows.allowed_lateness}, as on one node) has reached the window's end;
 * its {@code revisione} is the sum of the owners' revisions (changes each applied after its own watermark closed it).
 *
 * <p>It is a {@link WindowView}, so {@code MetricheQuery} and the other readers of a node's windows render the cluster
 * unchanged; the latency and skew histograms are the local engine's (they measure this node). Threading: the reader
 * thread alone changes the state and publishes it as an immutable {@link State} (a volatile write); readers on any
 * thread copy from the state they loaded, never waiting. Allocation: per changed window one detached snapshot and
 * per batch a copy of the window index; reads allocate nothing but what {@link #newSnapshot()} returns once.
 * Grows: with the keys in the topic, which owners' tombstones keep to partition sets x windows in the horizon.
 */
public final class ClusterWindows implements WindowView, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterWindows.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final WindowView local;
    private final WindowConfig config;
    private final String node;
    private final int partitionCount;
    private final long staleAfterMs;
    private final LongSupplier clockMillis;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private final String topic;
    private final int fieldsPerCell;
    private final int fixedCellCount;

    // Reader thread only.
    private final Map<String, CellsRecord> windowRecords = new HashMap<>();
    private final Map<Long, Set<String>> keysByStart = new HashMap<>();
    private final Map<String, CellsRecord> nodeLatest = new HashMap<>();
    /** The newest node record (not window record) of each node: its business counters. */
    private final Map<String, CellsRecord> nodeRecords = new HashMap<>();
    private final Map<String, Integer> campaignIds = new HashMap<>();
    private final List<String> campaignNames = new ArrayList<>();
    private final Set<Long> dirty = new HashSet<>();
    private boolean nodesChanged;
    private long generation;
    private long malformed;
    private long campaignOverflow;
    private Map<Long, Long> endOffsetsAtStart;

    private volatile State state;
    private volatile boolean running = true;
    private volatile boolean caughtUp;

    /** What readers see: the merged windows, the campaign names, and the newest record of each node. Immutable. */
    static final class State {
        final NavigableMap<Long, Merged> windows;
        final String[] campaigns;
        final Map<String, CellsRecord> nodes;
        final Map<String, CellsRecord> nodeRecords;
        /** Per partition the newest node record that claims it, null when none does. */
        final CellsRecord[] owners;
        /** Per partition the names of every node whose newest record claims it. */
        final List<List<String>> claimants;
        /** The newest record of each node that owns a partition (each node once). */
        final List<CellsRecord> ownerRecords;
        /** The lowest owner watermark, {@link Long#MIN_VALUE} while a partition has no owner. */
        final long closedThroughMillis;
        final long generation;
        final long malformed;
        final long campaignOverflow;

        State(final NavigableMap<Long, Merged> windows, final String[] campaigns, final Map<String, CellsRecord> nodes,
              final Map<String, CellsRecord> nodeRecords, final int partitionCount, final long generation,
              final long malformed, final long campaignOverflow) {
            this.windows = windows;
            this.nodeRecords = nodeRecords;
            this.campaigns = campaigns;
            this.nodes = nodes;
            this.generation = generation;
            this.malformed = malformed;
            this.campaignOverflow = campaignOverflow;
            owners = new CellsRecord[partitionCount];
            claimants = new ArrayList<>(partitionCount);
            for (int p = 0; p < partitionCount; p++) {
                claimants.add(new ArrayList<>(1));
            }
            final List<String> names = new ArrayList<>(nodes.keySet());
            Collections.sort(names);
            for (String name : names) {
                final CellsRecord r = nodes.get(name);
                for (int p : r.partitions) {
                    if (p >= 0 && p < partitionCount) {
                        claimants.get(p).add(name);
                        if (owners[p] == null || r.publishMillis > owners[p].publishMillis) {
                            owners[p] = r;
                        }
                    }
                }
            }
            final Set<String> ownerNames = new HashSet<>();
            final List<CellsRecord> ownerList = new ArrayList<>();
            for (CellsRecord owner : owners) {
                if (owner != null && ownerNames.add(owner.node)) {
                    ownerList.add(nodes.get(owner.node));
                }
            }
            ownerRecords = List.copyOf(ownerList);
            long min = Long.MAX_VALUE;
            for (int p = 0; p < partitionCount; p++) {
                min = owners[p] == null ? Long.MIN_VALUE : Math.min(min, owners[p].watermarkOf(p));
            }
            closedThroughMillis = partitionCount == 0 ? Long.MIN_VALUE : min;
        }
    }

    /** One merged window: the sum of its included keys' cells, and the partitions two keys spoke for. */
    static final class Merged {
        final WindowSnapshot cells;
        final int[] overlapping;

        Merged(final WindowSnapshot cells, final int[] overlapping) {
            this.cells = cells;
            this.overlapping = overlapping;
        }
    }

    ClusterWindows(final WindowView local, final String node, final int partitionCount, final long publishIntervalMs,
                   final LongSupplier clockMillis, final KafkaConsumer<String, byte[]> consumer, final String topic) {
        this.local = local;
        this.config = local.config();
        this.node = node;
        this.partitionCount = partitionCount;
        this.staleAfterMs = 3 * publishIntervalMs;
        this.clockMillis = clockMillis;
        this.consumer = consumer;
        this.topic = topic;
        final WindowSnapshot shape = WindowSnapshot.detached(config);
        this.fieldsPerCell = shape.total().fieldCount();
        this.fixedCellCount = shape.fixedCellCount();
        campaignNames.add(CampaignDictionary.NONE_NAME);
        campaignNames.add(CampaignDictionary.OTHER_NAME);
        campaignIds.put(CampaignDictionary.NONE_NAME, CampaignDictionary.NONE_ID);
        campaignIds.put(CampaignDictionary.OTHER_NAME, CampaignDictionary.OTHER_ID);
        state = new State(new TreeMap<>(), campaignNames.toArray(new String[0]), Map.of(), Map.of(), partitionCount, 0, 0,
            0);
        thread = consumer == null ? null : new Thread(this::run, "conversioni-cells-reader-" + node);
        if (thread != null) {
            thread.setDaemon(true);
        }
    }

    /**
     * Starts reading the cells topic of {@code settings} from its beginning. {@code local} is this node's engine's view
     * (its configuration, which every node shares, and its histograms); {@code publishIntervalMs} the owners'
     * interval ({@link CellsPublisher#DEFAULT_INTERVAL_MS}): a partition without news for three of them is stale.
     */
    public static ClusterWindows start(final ClusterSettings settings, final WindowView local,
                                       final long publishIntervalMs, final LongSupplier clockMillis) {
        final Properties p = ClusterClients.consumer(settings, "finestre-lettore", "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        final ClusterWindows w = new ClusterWindows(local, settings.node(), settings.partitions(), publishIntervalMs,
            clockMillis, new KafkaConsumer<>(p), settings.cellsTopic());
        w.thread.start();
        return w;
    }

    /** True once every record that was in the cells topic at start has been read (the node's answers are whole). */
    public boolean caughtUp() {
        return caughtUp;
    }

    private void run() {
        final List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < partitionCount; p++) {
            partitions.add(new TopicPartition(topic, p));
        }
        try {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                try {
                    if (endOffsetsAtStart == null) {
                        endOffsetsAtStart = new HashMap<>();
                        consumer.endOffsets(partitions).forEach((tp, o) -> endOffsetsAtStart.put((long) tp.partition(), o));
                    }
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                        apply(r.key(), r.value());
                    }
                    publishIfChanged();
                    if (!caughtUp && endOffsetsAtStart != null) {
                        boolean all = true;
                        for (TopicPartition tp : partitions) {
                            all &= consumer.position(tp) >= endOffsetsAtStart.get((long) tp.partition());
                        }
                        caughtUp = all;
                    }
                } catch (final WakeupException e) {
                    return;
                } catch (final KafkaException e) {
                    if (running) {
                        LOG.warn("reading {} on node {} failed, reading on: {}", topic, node, e.toString());
                    }
                }
            }
        } catch (final WakeupException e) {
            // closing
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        }
    }

    /** Reader thread (tests: the test's thread, with no consumer): one record of the cells topic. */
    void apply(final String key, final byte[] value) {
        if (key == null) {
            malformed("a record without key", null);
            return;
        }
        try {
            if (key.startsWith(CellsCodec.NODE_KEY_PREFIX)) {
                final String name = key.substring(CellsCodec.NODE_KEY_PREFIX.length());
                if (value == null) {
                    nodesChanged |= nodeLatest.remove(name) != null;
                    nodeRecords.remove(name);
                } else {
                    final CellsRecord r = CellsCodec.decode(value);
                    if (r.kind != CellsRecord.KIND_NODE) {
                        throw new IllegalArgumentException("a window record under a node key");
                    }
                    seen(r);
                }
                return;
            }
            final int bar = key.lastIndexOf('|');
            final long start = Long.parseLong(key.substring(bar + 1));
            if (bar <= 0 || Math.floorMod(start, config.windowLengthMs()) != 0) {
                throw new IllegalArgumentException("not a window key");
            }
            if (value == null) {
                windowRecords.remove(key);
                final Set<String> keys = keysByStart.get(start);
                if (keys != null && keys.remove(key) && keys.isEmpty()) {
                    keysByStart.remove(start);
                }
                dirty.add(start);
                return;
            }
            final CellsRecord r = CellsCodec.decode(value);
            if (r.kind != CellsRecord.KIND_WINDOW || r.windowStartMillis != start) {
                throw new IllegalArgumentException("a record of another kind or window under a window key");
            }
            if (r.fieldsPerCell != fieldsPerCell || r.fixedCells.length != fieldsPerCell * fixedCellCount) {
                throw new IllegalArgumentException("cells of another schema (eventi, canali or stati differ)");
            }
            windowRecords.put(key, r);
            keysByStart.computeIfAbsent(start, s -> new HashSet<>()).add(key);
            dirty.add(start);
            seen(r);
        } catch (final IllegalArgumentException e) {
            malformed("record " + key, e);
        }
    }

    private void malformed(final String what, final IllegalArgumentException e) {
        if (malformed++ == 0 || Long.bitCount(malformed) == 1) {
            LOG.warn("{} of {} skipped ({} so far): {}", what, topic, malformed, e == null ? "" : e.getMessage());
        }
        nodesChanged = true;
    }

    private void seen(final CellsRecord r) {
        if (r.kind == CellsRecord.KIND_NODE) {
            final CellsRecord known = nodeRecords.get(r.node);
            if (known == null || r.publishMillis >= known.publishMillis) {
                nodeRecords.put(r.node, r);
            }
        }
        final CellsRecord known = nodeLatest.get(r.node);
        if (known == null || r.publishMillis >= known.publishMillis) {
            nodeLatest.put(r.node, r);
            nodesChanged = true;
        }
    }

    /** Reader thread: rebuilds the windows that changed and publishes a new {@link State}. */
    void publishIfChanged() {
        if (dirty.isEmpty() && !nodesChanged) {
            return;
        }
        final State old = state;
        final NavigableMap<Long, Merged> windows = new TreeMap<>(old.windows);
        for (long start : dirty) {
            final Set<String> keys = keysByStart.get(start);
            if (keys == null || keys.isEmpty()) {
                windows.remove(start);
            } else {
                windows.put(start, merge(start, keys));
            }
        }
        dirty.clear();
        nodesChanged = false;
        if (!windows.isEmpty()) {
            // keys of a window past the horizon that no owner tombstoned (it was down when the window left it)
            final long oldest = windows.lastKey() - config.horizonMs() + config.windowLengthMs();
            windows.headMap(oldest, false).clear();
            keysByStart.entrySet().removeIf(e -> {
                if (e.getKey() >= oldest) {
                    return false;
                }
                e.getValue().forEach(windowRecords::remove);
                return true;
            });
        }
        state = new State(windows, campaignNames.toArray(new String[0]), Map.copyOf(nodeLatest),
            Map.copyOf(nodeRecords), partitionCount, ++generation, malformed, campaignOverflow);
    }

    private Merged merge(final long start, final Set<String> keys) {
        final List<String> ordered = new ArrayList<>(keys);
        // newest publish first; the key breaks ties so every node merges alike
        ordered.sort((a, b) -> {
            final int byTime = Long.compare(windowRecords.get(b).publishMillis, windowRecords.get(a).publishMillis);
            return byTime != 0 ? byTime : a.compareTo(b);
        });
        final WindowSnapshot w = WindowSnapshot.detached(config);
        final Set<Integer> claimed = new HashSet<>();
        final Set<Integer> overlapping = new HashSet<>();
        long revision = 0;
        w.reset(start, 0, false, generation + 1);
        for (String key : ordered) {
            final CellsRecord r = windowRecords.get(key);
            boolean overlaps = false;
            for (int p : r.partitions) {
                if (claimed.contains(p)) {
                    overlaps = true;
                    overlapping.add(p);
                }
            }
            if (overlaps) {
                for (int p : r.partitions) {
                    overlapping.add(p);
                }
                continue;
            }
            for (int p : r.partitions) {
                claimed.add(p);
            }
            revision += r.revision;
            final int f = r.fieldsPerCell;
            for (int c = 0; c < r.fixedCells.length / f; c++) {
                for (int i = 0; i < f; i++) {
                    w.cellAt(c).addField(i, r.fixedCells[c * f + i]);
                }
            }
            for (int c = 0; c < r.campaigns.length; c++) {
                final int id = campaignId(r.campaigns[c]);
                for (int i = 0; i < f; i++) {
                    w.campagnaForUpdate(id).addField(i, r.campaignCells[c * f + i]);
                }
            }
        }
        w.header(start, revision, false, generation + 1);
        return new Merged(w, overlapping.stream().mapToInt(Integer::intValue).sorted().toArray());
    }

    private int campaignId(final String name) {
        final Integer id = campaignIds.get(name);
        if (id != null) {
            return id;
        }
        if (campaignNames.size() >= config.campaignCapacity()) {
            campaignOverflow++;
            return CampaignDictionary.OTHER_ID;
        }
        campaignIds.put(name, campaignNames.size());
        campaignNames.add(name);
        return campaignNames.size() - 1;
    }

    State state() {
        return state;
    }

    int partitionCount() {
        return partitionCount;
    }

    String node() {
        return node;
    }

    long staleAfterMs() {
        return staleAfterMs;
    }

    long nowMillis() {
        return clockMillis.getAsLong();
    }

    /**
     * The object a {@code /api/v1/metriche} answer carries as its {@code cluster} field: each partition with its
     * owner, watermark and last update ({@code null} where no owner was seen), and whether the answer is complete
     * (every partition owned by exactly one node with an update within three publish intervals).
     */
    public String coverageJson() {
        final State s = state;
        final long now = clockMillis.getAsLong();
        final JsonBuilder out = new JsonBuilder(64 + 96 * partitionCount).beginObject().name("partizioni").beginArray();
        boolean complete = true;
        for (int p = 0; p < partitionCount; p++) {
            final CellsRecord owner = s.owners[p];
            out.beginObject().field("partizione", p);
            if (owner == null) {
                out.nullField("nodo").nullField("filigrana").nullField("aggiornato");
                complete = false;
            } else {
                out.field("nodo", owner.node);
                instantOrNull(out.name("filigrana"), owner.watermarkOf(p));
                out.instantField("aggiornato", owner.publishMillis);
                complete &= freshClaimants(s, p, now).size() == 1;
            }
            out.endObject();
        }
        return out.endArray().field("completa", complete).endObject().toString();
    }

    /** The nodes claiming partition {@code p} whose newest record is within three publish intervals of {@code now}. */
    List<String> freshClaimants(final State s, final int p, final long now) {
        final List<String> fresh = new ArrayList<>(1);
        for (String name : s.claimants.get(p)) {
            if (now - s.nodes.get(name).publishMillis <= staleAfterMs) {
                fresh.add(name);
            }
        }
        return fresh;
    }

    static void instantOrNull(final JsonBuilder out, final long millis) {
        if (millis == Long.MIN_VALUE) {
            out.nullValue();
        } else {
            out.instant(millis);
        }
    }

    /**
     * Accepted events of one evento and canale across the cluster: the sum of the business counters each current
     * owner (a node that owns a partition in {@link ClusterStatus}'s sense) last published. For {@code /metrics}.
     */
    public long acceptedCount(final int evento, final int canale) {
        return business(evento, canale, 0);
    }

    /** As {@link #acceptedCount}, the valore of those events in cents. */
    public long valueCents(final int evento, final int canale) {
        return business(evento, canale, config.eventoCount() * config.canaleCount());
    }

    private long business(final int evento, final int canale, final int base) {
        final State s = state;
        long sum = 0;
        final int at = base + evento * config.canaleCount() + canale;
        for (CellsRecord owner : s.ownerRecords) {
            final CellsRecord r = s.nodeRecords.get(owner.node);
            if (r != null && at < r.business.length) {
                sum += r.business[at];
            }
        }
        return sum;
    }

    // ---- WindowView over the merged state ----

    @Override
    public WindowConfig config() {
        return config;
    }

    @Override
    public CampaignNames campaigns() {
        final State s = state;
        return new CampaignNames() {
            @Override
            public int capacity() {
                return config.campaignCapacity();
            }

            @Override
            public int sizeAcquire() {
                return s.campaigns.length;
            }

            @Override
            public long overflowCountAcquire() {
                return s.campaignOverflow;
            }

            @Override
            public String name(final int id) {
                final String[] names = state.campaigns; // a newer state only adds names
                return names[id];
            }
        };
    }

    @Override
    public long windowStartMillis(final long eventTimeMillis) {
        return Math.floorDiv(eventTimeMillis, config.windowLengthMs()) * config.windowLengthMs();
    }

    /** The cluster's watermark: the lowest of the owners', {@link Long#MIN_VALUE} while a partition has no owner. */
    @Override
    public long watermarkMillis() {
        return state.closedThroughMillis;
    }

    @Override
    public long maxEventTimeMillis() {
        long max = Long.MIN_VALUE;
        for (CellsRecord r : state.ownerRecords) {
            max = Math.max(max, r.maxEventTimeMillis);
        }
        return max;
    }

    @Override
    public long tooLateCount() {
        return sumOverOwners(r -> r.tooLateCount);
    }

    @Override
    public long futureCount() {
        return sumOverOwners(r -> r.futureCount);
    }

    @Override
    public long rejectedOutsideHorizonCount() {
        return sumOverOwners(r -> r.rejectedOutsideHorizonCount);
    }

    @Override
    public long heartbeatCount() {
        return sumOverOwners(r -> r.heartbeatCount);
    }

    /** The sum of one counter over the current owners' node records. */
    private long sumOverOwners(final java.util.function.ToLongFunction<CellsRecord> counter) {
        long n = 0;
        for (CellsRecord r : state.ownerRecords) {
            n += counter.applyAsLong(r);
        }
        return n;
    }

    /** Not an engine sequence here: a counter that moves whenever the merged state changes. */
    @Override
    public long lastSequence() {
        return state.generation;
    }

    @Override
    public long headWindowStartMillis() {
        final NavigableMap<Long, Merged> windows = state.windows;
        return windows.isEmpty() ? Long.MIN_VALUE : windows.lastKey();
    }

    @Override
    public WindowSnapshot newSnapshot() {
        return WindowSnapshot.detached(config);
    }

    @Override
    public boolean readWindow(final long windowStartMillis, final WindowSnapshot into) {
        final State s = state;
        final Merged m = s.windows.get(windowStartMillis);
        if (m == null) {
            return false;
        }
        copy(s, m, into);
        return true;
    }

    @Override
    public boolean readWindowAt(final int ringIndex, final WindowSnapshot into) {
        final State s = state;
        for (Merged m : s.windows.values()) {
            final long index = Math.floorDiv(m.cells.windowStartMillis(), config.windowLengthMs());
            if (Math.floorMod(index, config.windowCount()) == ringIndex) {
                copy(s, m, into);
                return true;
            }
        }
        return false;
    }

    @Override
    public int forEachWindow(final long fromMillis, final long toMillis, final WindowSnapshot reuse,
                             final Consumer<WindowSnapshot> visitor) {
        final State s = state;
        if (toMillis <= fromMillis || s.windows.isEmpty()) {
            return 0;
        }
        final long length = config.windowLengthMs();
        final long from = Math.floorDiv(fromMillis, length) * length;
        int visited = 0;
        for (Merged m : s.windows.subMap(from, true, toMillis, false).values()) {
            copy(s, m, reuse);
            visitor.accept(reuse);
            visited++;
        }
        return visited;
    }

    private void copy(final State s, final Merged m, final WindowSnapshot into) {
        into.copyFrom(m.cells);
        final boolean closed = s.closedThroughMillis != Long.MIN_VALUE && s.closedThroughMillis >= m.cells.windowEndMillis();
        into.header(m.cells.windowStartMillis(), m.cells.revision(), closed, m.cells.version());
    }

    @Override
    public Histogram newInsightLatencyHistogram() {
        return local.newInsightLatencyHistogram();
    }

    @Override
    public Histogram newSkewHistogram() {
        return local.newSkewHistogram();
    }

    @Override
    public void copyInsightLatencyInto(final Histogram into) {
        local.copyInsightLatencyInto(into);
    }

    @Override
    public void copySkewInto(final int canale, final Histogram into) {
        local.copySkewInto(canale, into);
    }

    /** Compares the merged windows' cells, as {@code MetricheQuery} reads them, with another view's; any thread. */
    @Override
    public String stateDifference(final WindowView other) {
        return WindowViews.firstDifference(this, other);
    }

    /** Stops reading and closes the consumer; the last state stays readable. */
    @Override
    public void close() {
        running = false;
        if (thread == null) {
            return;
        }
        consumer.wakeup();
        try {
            thread.join();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
