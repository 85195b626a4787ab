package io.conversioni.alert;

import io.conversioni.journal.TextRecordQueue;
import io.conversioni.pipeline.Engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The alert service: taps an {@link Engine}'s decided stream through a {@link OneToOneEventFeed},
 * evaluates the stream rules on its own thread ({@code conversioni-alerts}), takes raise/clear signals
 * from outside the stream ({@link AlertSignal}: delivery, reconciliation), journals every alert in
 * {@code <data-dir>/alerts} (reloaded at start: open alerts stay open) and tells an {@link AlertListener}.
 * What the rules counted is saved in {@code <data-dir>/alert-rules.state} ({@link RuleStateFile}) when the
 * service closes and every minute of stream time, and restored at start, so an alert whose condition still
 * holds stays open across a restart and no false "risolto" leaves.
 *
 * <p>In cluster mode a {@link RulePlacement} says which rules run on this node; the elected node's {@code silenzio}
 * hears the whole cluster through {@link #seen}, its {@code duplicati} canale keys and {@code deriva_orologio} through
 * {@link #clusterDecided}, and {@link #takeOver} takes another node's state of the cluster-wide
 * alerts at start, without notifying it.
 *
 * <p>Threading: {@link #attach} and {@link #close} from one controlling thread; {@code raise}/{@code clear}
 * and the readers from any thread (signals are queued for the rules thread, which owns all alert state).
 * Allocation: none on the engine's thread (the feed); the rules thread allocates when alerts change.
 */
public final class AlertService implements AlertSignal, AlertLog, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertService.class);
    private static final int POLL_LIMIT = 1024;
    /**
     * Idle waits: 5 ms at first, 10 ms once nothing came for a while (heartbeats arrive every second). 5 ms,
     * not 1: each wake-up polls the feed and runs every rule's onTime, and at 4 000 events/s waking every
     * millisecond cost the alert thread 7.5 µs of CPU per event against 4–5 µs (benchmarks/cpu.sh); the
     * default 1 MiB feed holds about 12 000 events (80 ms of a 150 000 events/s batch load; an overflow is
     * counted, never waited for), and an alert 4 ms later changes nothing.
     */
    private static final long IDLE_NANOS = 5_000_000L;
    private static final long LONG_IDLE_NANOS = 10_000_000L;
    private static final int IDLE_ROUNDS_BEFORE_LONG = 200;
    /** Stream time between saves of the rules' state (a crash loses at most this much of what they counted). */
    private static final long STATE_SAVE_EVERY_MILLIS = 60_000L;

    private record Signal(boolean raise, String regola, String chiave, String messaggio, long atMillis) {
    }

    private final OneToOneEventFeed feed;
    private final TextRecordQueue journal;
    private final AlertBook book;
    private final AlertConfig config;
    private final List<String> canali;
    private final List<StreamRule> rules;
    private final Path stateFile;
    private final RulePlacement placement;
    /** Per canale, the newest receive time {@link #seen} reported (any thread writes, the rules thread reads). */
    private final AtomicLongArray clusterSeen;
    /** Per canale, what the rules thread last handed to silenzio from {@link #clusterSeen}. Rules thread only. */
    private final long[] clusterSeenApplied;
    /** The silenzio rule fed from the cluster, or null. Rules thread only after start. */
    private SilenzioRule clusterSilenzio;
    /** The duplicati rule whose canale keys are fed from the cluster, or null. Rules thread only after start. */
    private DuplicatiRule clusterDuplicati;
    /** The deriva_orologio rule fed from the cluster, or null. Rules thread only after start. */
    private DerivaOrologioRule clusterDeriva;
    /** The cluster's decided events ({@link #clusterDecided}): canale, receive time, event time, outcome. */
    private final ConcurrentLinkedQueue<long[]> clusterDecided = new ConcurrentLinkedQueue<>();
    /** Reused to hand a decided event of the cluster to the rules. Rules thread only. */
    private final FeedRecord clusterRecord = new FeedRecord();
    private final ConcurrentLinkedQueue<Signal> signals = new ConcurrentLinkedQueue<>();
    /** Other nodes' states of cluster-wide alerts to take over ({@link #takeOver}), each with its adoptOpen flag. */
    private final ConcurrentLinkedQueue<Map.Entry<List<Alert>, Boolean>> takeOvers = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private final Consumer consumer = new Consumer();
    private volatile boolean running = true;
    private long nowMillis = Long.MIN_VALUE;
    private long evaluatedAtMillis = Long.MIN_VALUE;
    private long savedAtMillis;
    /** The stream time of the rules' last evaluation, for readers that wait on it (tests, operators). */
    private volatile long evaluatedThroughMillis = Long.MIN_VALUE;

    private AlertService(final AlertConfig config, final Path dataDir, final List<String> canali,
                         final AlertListener listener, final RulePlacement placement) {
        this.placement = placement;
        this.clusterSeen = new AtomicLongArray(canali.size());
        this.clusterSeenApplied = new long[canali.size()];
        for (int c = 0; c < canali.size(); c++) {
            clusterSeen.set(c, Long.MIN_VALUE);
            clusterSeenApplied[c] = Long.MIN_VALUE;
        }
        this.feed = new OneToOneEventFeed(config.feedCapacityBytes);
        this.journal = TextRecordQueue.open(dataDir.resolve("alerts"));
        this.book = new AlertBook(journal, listener, config.maxHistory);
        this.config = config;
        this.canali = canali;
        this.rules = new ArrayList<>();
        for (String name : List.of(AlertConfig.DUPLICATI, AlertConfig.RIFIUTI, AlertConfig.DERIVA_OROLOGIO,
            AlertConfig.SILENZIO)) {
            final StreamRule rule = newRule(name);
            if (rule != null) {
                rules.add(rule);
            }
        }
        this.stateFile = dataDir.resolve(RuleStateFile.FILE_NAME);
        if (config.enabled) {
            nowMillis = RuleStateFile.read(stateFile, rules, this::newRule);
        }
        for (StreamRule rule : rules) {
            if (rule instanceof SilenzioRule silenzio && placement.silenzioFromCluster()) {
                clusterSilenzio = silenzio;
            }
            if (rule instanceof DuplicatiRule duplicati && placement.duplicatiCanale() == RulePlacement.Source.CLUSTER) {
                clusterDuplicati = duplicati;
            }
            if (rule instanceof DerivaOrologioRule deriva && placement.derivaFromCluster()) {
                clusterDeriva = deriva;
            }
        }
        this.savedAtMillis = nowMillis;
        this.thread = new Thread(this::run, "conversioni-alerts");
        this.thread.setDaemon(true);
    }

    /** A fresh rule by name, or null when the rule is disabled. */
    private StreamRule newRule(final String name) {
        if (!placement.runs(name)) {
            return null;
        }
        switch (name) {
            case AlertConfig.DUPLICATI:
                return config.duplicati ? new DuplicatiRule(book, config, canali, placement.duplicatiCanale()) : null;
            case AlertConfig.RIFIUTI:
                return config.rifiuti ? new RifiutiRule(book, config) : null;
            case AlertConfig.DERIVA_OROLOGIO:
                return config.deriva ? new DerivaOrologioRule(book, config, canali, placement.derivaFromCluster()) : null;
            case AlertConfig.SILENZIO:
                if (!config.silenzio) {
                    return null;
                }
                return new SilenzioRule(book, config, canali, placement.silenzioFromCluster());
            default:
                throw new IllegalArgumentException("no stream rule named " + name);
        }
    }

    /**
     * Reloads the alert journal and the rules' saved state, taps {@code engine} (call before {@code engine.start()}: replayed events
     * are not seen) and starts the rules thread.
     */
    public static AlertService attach(final AlertConfig config, final Path dataDir, final Engine engine,
                                      final AlertListener listener) {
        return attach(config, dataDir, engine, listener, RulePlacement.SINGLE_NODE);
    }

    /** {@link #attach(AlertConfig, Path, Engine, AlertListener)} running the rules {@code placement} names. */
    public static AlertService attach(final AlertConfig config, final Path dataDir, final Engine engine,
                                      final AlertListener listener, final RulePlacement placement) {
        final AlertService service = new AlertService(config, dataDir, engine.config().schema().canali(), listener,
            placement);
        if (config.enabled) {
            engine.tap(service.feed);
        }
        service.thread.start();
        return service;
    }

    private void run() {
        int idleRounds = 0;
        while (running) {
            int work = drainTakeOvers();
            work += feed.poll(consumer, POLL_LIMIT);
            work += drainSignals();
            work += drainClusterSeen();
            work += drainClusterDecided();
            if (nowMillis != evaluatedAtMillis) {
                evaluatedAtMillis = nowMillis;
                for (StreamRule rule : rules) {
                    evaluate(rule, nowMillis);
                }
                evaluatedThroughMillis = nowMillis;
                if (savedAtMillis == Long.MIN_VALUE) {
                    savedAtMillis = nowMillis;
                } else if (config.enabled && nowMillis - savedAtMillis >= STATE_SAVE_EVERY_MILLIS) {
                    savedAtMillis = nowMillis;
                    RuleStateFile.write(stateFile, nowMillis, rules);
                }
            }
            if (work == 0) {
                LockSupport.parkNanos(++idleRounds < IDLE_ROUNDS_BEFORE_LONG ? IDLE_NANOS : LONG_IDLE_NANOS);
            } else {
                idleRounds = 0;
            }
        }
        feed.poll(consumer, Integer.MAX_VALUE);
        drainSignals();
        if (config.enabled && nowMillis != Long.MIN_VALUE) {
            RuleStateFile.write(stateFile, nowMillis, rules);
        }
    }

    private static void evaluate(final StreamRule rule, final long now) {
        try {
            rule.onTime(now);
        } catch (RuntimeException e) {
            LOG.error("alert rule {} failed", rule.getClass().getSimpleName(), e);
        }
    }

    private int drainTakeOvers() {
        int n = 0;
        for (Map.Entry<List<Alert>, Boolean> t = takeOvers.poll(); t != null; t = takeOvers.poll()) {
            for (Alert state : t.getKey()) {
                n += book.takeOver(state, t.getValue()) ? 1 : 0;
            }
        }
        return n;
    }

    /**
     * Cluster mode, at start: the states of the cluster-wide alerts as the elected node last wrote them. The elected
     * node ({@code adoptOpen}) opens here those open there, so it resolves them when their condition ends, and
     * notifies neither; any node resolves here those resolved there. Nothing is told to the listener. Any thread;
     * applied on the rules thread at its next round (call it before the engine starts, so that it comes first).
     */
    public void takeOver(final List<Alert> states, final boolean adoptOpen) {
        takeOvers.add(Map.entry(List.copyOf(states), adoptOpen));
        LockSupport.unpark(thread);
    }

    /** Hands silenzio (fed from the cluster) each canale's newer receive time; the count handed. */
    private int drainClusterSeen() {
        final SilenzioRule rule = clusterSilenzio;
        if (rule == null) {
            return 0;
        }
        int n = 0;
        for (int c = 0; c < clusterSeenApplied.length; c++) {
            final long seenMillis = clusterSeen.get(c); // volatile read: pairs with seen()'s update
            if (seenMillis > clusterSeenApplied[c]) {
                clusterSeenApplied[c] = seenMillis;
                nowMillis = Math.max(nowMillis, seenMillis); // an event anywhere in the cluster is stream time too
                rule.seen(c, seenMillis, nowMillis);
                n++;
            }
        }
        return n;
    }

    private int drainClusterDecided() {
        int n = 0;
        for (long[] d = clusterDecided.poll(); d != null; d = clusterDecided.poll()) {
            n++;
            nowMillis = Math.max(nowMillis, d[1]);
            clusterRecord.canale = (int) d[0];
            clusterRecord.receiveMillis = d[1];
            clusterRecord.eventMillis = d[2];
            clusterRecord.outcome = (int) d[3];
            clusterRecord.idLength = 0;
            if (clusterDuplicati != null && clusterRecord.outcome == io.conversioni.pipeline.Outcome.DUPLICATE) {
                clusterDuplicati.canaleDuplicate(clusterRecord.canale, clusterRecord.receiveMillis, nowMillis);
            }
            if (clusterDeriva != null) {
                clusterDeriva.decided(clusterRecord, nowMillis);
            }
        }
        return n;
    }

    /**
     * An event decided by its owner anywhere in the cluster (joined with the owner's verdict): its canale, receive
     * time, event time ({@link Long#MIN_VALUE} when it has none) and outcome ({@code Outcome}), for the elected node's
     * {@code duplicati} canale keys and {@code deriva_orologio} ({@link RulePlacement}); ignored elsewhere. Any thread;
     * allocates a small entry per event.
     */
    public void clusterDecided(final int canaleOrdinal, final long receiveMillis, final long eventMillis,
                               final int outcome) {
        if ((placement.duplicatiCanale() == RulePlacement.Source.CLUSTER || placement.derivaFromCluster())
            && canaleOrdinal >= 0 && canaleOrdinal < clusterSeenApplied.length) {
            clusterDecided.add(new long[] {canaleOrdinal, receiveMillis, eventMillis, outcome});
        }
    }

    /**
     * An event of canale {@code canaleOrdinal} received at {@code receiveMillis} anywhere in the cluster, for
     * {@code silenzio} on the elected node ({@link RulePlacement#silenzioFromCluster()}); ignored otherwise, and for
     * a canale outside the schema. Any one thread (the cluster's activity reader); allocates nothing; only the newest
     * receive time per canale is kept, which is all silenzio needs.
     */
    public void seen(final int canaleOrdinal, final long receiveMillis) {
        if (canaleOrdinal < 0 || canaleOrdinal >= clusterSeenApplied.length || !placement.silenzioFromCluster()) {
            return;
        }
        clusterSeen.accumulateAndGet(canaleOrdinal, receiveMillis, Math::max);
    }

    private int drainSignals() {
        int n = 0;
        for (Signal s = signals.poll(); s != null; s = signals.poll()) {
            n++;
            if (s.raise) {
                if (!book.stillHolds(s.regola, s.chiave)) {
                    book.holds(s.regola, s.chiave, s.atMillis, s.messaggio, Double.NaN, Double.NaN);
                }
            } else {
                book.lapses(s.regola, s.chiave, s.atMillis, 0);
            }
        }
        return n;
    }

    private final class Consumer implements OneToOneEventFeed.Consumer {
        @Override
        public void onEvent(final FeedRecord record) {
            nowMillis = Math.max(nowMillis, record.receiveMillis);
            book.quiet(record.replayed); // the node it replaces notified what these records raised
            try {
                for (StreamRule rule : rules) {
                    try {
                        rule.onEvent(record, nowMillis);
                    } catch (RuntimeException e) {
                        LOG.error("alert rule {} failed", rule.getClass().getSimpleName(), e);
                    }
                }
            } finally {
                book.quiet(false);
            }
        }

        @Override
        public void onHeartbeat(final long receiveMillis) {
            nowMillis = Math.max(nowMillis, receiveMillis);
        }
    }

    @Override
    public void raise(final String regola, final String chiave, final String messaggio, final long atEpochMillis) {
        signals.add(new Signal(true, regola, chiave, messaggio, atEpochMillis));
        LockSupport.unpark(thread);
    }

    @Override
    public void clear(final String regola, final String chiave, final long atEpochMillis) {
        signals.add(new Signal(false, regola, chiave, "", atEpochMillis));
        LockSupport.unpark(thread);
    }

    /** Alerts newest first: {@code stato} is aperto, risolto or tutti. Any thread. */
    public List<Alert> alerts(final String stato) {
        final List<Alert> all = book.snapshot().newestFirst();
        if ("tutti".equals(stato)) {
            return all;
        }
        final boolean wantOpen = "aperto".equals(stato);
        final List<Alert> out = new ArrayList<>();
        for (Alert a : all) {
            if (a.aperto() == wantOpen) {
                out.add(a);
            }
        }
        return out;
    }

    @Override
    public Map<String, Long> firedByRule(final long fromEpochMillis, final long toEpochMillis) {
        final Map<String, Long> out = new TreeMap<>();
        for (Alert a : book.snapshot().newestFirst()) {
            if (a.apertoIl() >= fromEpochMillis && a.apertoIl() < toEpochMillis) {
                out.merge(a.regola(), 1L, Long::sum);
            }
        }
        return out;
    }

    /** Open alerts by rule (every rule named, 0 when none). Any thread. */
    public Map<String, Long> openByRule() {
        return book.snapshot().openByRule();
    }

    /** Alerts fired since the journal began, by rule. Any thread. */
    public Map<String, Long> firedTotalByRule() {
        return book.snapshot().firedByRule();
    }

    /**
     * Stream time up to which the rules last evaluated the conditions that hold over time ({@code onTime}),
     * {@link Long#MIN_VALUE} before the first evaluation of this run. Any thread.
     */
    public long evaluatedThroughMillis() {
        return evaluatedThroughMillis;
    }

    /** Feed records dropped because the rules thread fell behind. Any thread. */
    public long feedDrops() {
        return feed.dropped();
    }

    /**
     * Stops the rules thread after it handled what was queued and saved the rules' state, then closes the
     * journal. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        journal.close();
    }
}
