package io.conversioni.pipeline;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.conversioni.config.EngineConfig;
import io.conversioni.dedupe.SingleWriterDedupeTable;
import io.conversioni.journal.JournalConfig;
import io.conversioni.journal.JournalResumePoints;
import io.conversioni.journal.SingleWriterJournal;
import io.conversioni.window.SingleWriterWindowStore;
import io.conversioni.window.WindowView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * The embeddable engine: build it from an {@link EngineConfig} and a data folder, {@link #start()} it
 * (which first rebuilds its state from the journal), publish event bodies with {@link #tryPublish} (a batch's
 * events as one run of slots with {@link #tryPublishRun}; on a cluster owner, Kafka records with
 * {@link #tryPublishRecord}), read
 * windows and counters from any thread, {@link #close()} it.
 *
 * <p>Snapshots of the state go to {@code dataDir/snapshots} periodically (a request travels through the ring,
 * so each is consistent with the journal) and at {@link #close()}: {@link Checkpoints} writes them and runs the
 * journal retention that follows each.
 *
 * <p>Threading: {@code tryPublish} from any number of threads, never blocks: it claims a ring slot or
 * answers false at once (the ring is full, or the engine is not running). Each event's outcome reaches
 * the caller's {@link OutcomeListener} on the respond thread, after the journal append. Readers
 * ({@link #windows()}, {@link #counters()}) never make the pipeline wait. Allocation: none per event.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    /** A publish's receive time to be read from {@link Clock} once the slot is claimed (this node's own events). */
    private static final long STAMP_AT_CLAIM = Long.MIN_VALUE;
    /**
     * The attachment of a record another owner already decided and answered, fed again by a replacement node's
     * rebuild ({@link #tryPublishRecord}): counted like any record, and {@link EventView#replayed()} tells the taps
     * (alert rules) not to notify what it raises.
     */
    public static final Object REPLAYED = new Object() {
        @Override
        public String toString() {
            return "a record decided before, replayed";
        }
    };

    private final EngineConfig config;
    private final Path dataDir;
    private final Clock clock;
    private final SingleWriterJournal journal;
    private final SingleWriterWindowStore windows;
    private final SingleWriterDedupeTable dedupe;
    private final EngineCounters counters;
    private final DedupeWindowStage windowStage;
    private final JournalStage journalStage;
    private final EnginePipeline pipeline;
    private final RingBuffer<EventSlot> ring;
    private volatile boolean accepting;
    private volatile boolean ready;
    private volatile boolean closed;
    private long sequenceBase;
    /** Index of the last events-queue entry the state includes (-1: none yet). */
    private long coveredIndex = -1;
    private final Checkpoints checkpoints;
    private Thread heartbeat;
    /** Set before start: the timer sends {@link EventSlot#KIND_TICK}s, heartbeats come as Kafka records. */
    private volatile boolean heartbeatsFromRecords;
    /** The state's resume points after recovery (snapshot and journal), by partition; read-only once started. */
    private volatile long[] resumePointsAtStart = new long[0];

    /** Wall clock for receive stamps; tests replace it to make time explicit. */
    @FunctionalInterface
    public interface Clock {
        long currentTimeMillis();
    }

    private Engine(final EngineConfig config, final Path dataDir, final Clock clock) {
        this.config = config;
        this.dataDir = dataDir;
        this.clock = clock;
        this.journal = SingleWriterJournal.open(journalConfig(config, dataDir));
        this.windows = new SingleWriterWindowStore(config.windows());
        this.dedupe = new SingleWriterDedupeTable(config.dedupe());
        this.counters = new EngineCounters(config.windows().eventoCount(), config.windows().canaleCount());
        this.windowStage = new DedupeWindowStage(dedupe, windows, counters, config.dedupeKeyFields(), true);
        this.journalStage = new JournalStage(journal, counters);
        this.pipeline = new EnginePipeline(config.ringSize(), config.slotBodyBytes(), config.waitStrategy(),
            config.stageThreads(), config.syncDurability(), new DecodeStage(config.schema().newDecoder(config.maxDepth())),
            journalStage, windowStage, new RespondStage(), () -> {
                journal.handOver();
                windows.handOver();
                dedupe.handOver();
            });
        this.ring = pipeline.ring();
        this.checkpoints = new Checkpoints(config, journal, windows, dedupe, counters, windowStage.resumePoints(),
            new StateSnapshots(dataDir));
        windowStage.snapshotSink(checkpoints::capture);
    }

    static JournalConfig journalConfig(final EngineConfig config, final Path dataDir) {
        return JournalConfig.of(dataDir.resolve("journal"), config.rollCycle(), config.retentionCycles(),
            config.syncDurability() ? "sync" : "async").withPretouchBytes(config.pretouchBytes())
            .withDropBehindBytes(config.dropBehindBytes());
    }

    /** Creates an engine over {@code dataDir} (its journal lives in {@code dataDir/journal}). */
    public static Engine create(final EngineConfig config, final Path dataDir) {
        return new Engine(config, dataDir, System::currentTimeMillis);
    }

    public static Engine create(final EngineConfig config, final Path dataDir, final Clock clock) {
        return new Engine(config, dataDir, clock);
    }

    /**
     * Rebuilds windows, dedupe table and counters (from the newest usable snapshot plus the journal after
     * it, else from the whole journal), then starts the stages and the heartbeat, and only then accepts
     * events. Call once, from one thread.
     */
    public synchronized void start() {
        if (closed || ready) {
            throw new IllegalStateException(closed ? "engine is closed" : "engine already started");
        }
        final long started = System.nanoTime();
        final JournalRecovery recovery = new JournalRecovery(config, journalConfig(config, dataDir), windowStage);
        final StateSnapshots.Snapshot snapshot = checkpoints.restoreNewest(recovery);
        final long after = snapshot == null ? -1 : snapshot.coveredIndex();
        final JournalRecovery.Result recovered = recovery.replay(after);
        coveredIndex = recovered.lastIndex();
        resumePointsAtStart = windowStage.resumePoints().toArray(); // before the window thread owns them
        sequenceBase = Math.max(recovered.nextSequence(), snapshot == null ? 0 : snapshot.nextSequence());
        windows.handOver();
        dedupe.handOver();
        LOG.info("recovered {} in {} ms: {} journal records replayed ({} events); next sequence {}",
            snapshot == null ? "by a full replay" : "from " + snapshot.file().getFileName(),
            (System.nanoTime() - started) / 1_000_000, recovered.records(), recovered.events(), sequenceBase);
        pipeline.start();
        accepting = true; // before the heartbeat thread starts: its loop runs while this is true
        ready = true;
        if (config.snapshotIntervalMillis() > 0) {
            checkpoints.nextRunAt(System.currentTimeMillis() + config.snapshotIntervalMillis());
        }
        heartbeat = new Thread(this::heartbeatLoop, "conversioni-heartbeat");
        heartbeat.setDaemon(true);
        heartbeat.start();
    }

    private void heartbeatLoop() {
        final long periodNanos = config.heartbeatMillis() * 1_000_000L;
        final long snapshotEvery = config.snapshotIntervalMillis() * 1_000_000L;
        long nextSnapshot = System.nanoTime() + snapshotEvery;
        while (accepting) {
            LockSupport.parkNanos(periodNanos);
            if (accepting) {
                publish(heartbeatsFromRecords ? EventSlot.KIND_TICK : EventSlot.KIND_HEARTBEAT, null, 0, 0, null, null,
                    false);
                if (snapshotEvery > 0 && System.nanoTime() - nextSnapshot >= 0
                    && publish(EventSlot.KIND_SNAPSHOT, null, 0, 0, null, null, false)) {
                    nextSnapshot = System.nanoTime() + snapshotEvery;
                    checkpoints.nextRunAt(System.currentTimeMillis() + config.snapshotIntervalMillis());
                }
            }
        }
    }

    /**
     * Cluster mode, on a node that owns partitions: the watermark moves only by the stream itself, events and the
     * heartbeat records of the owned partitions ({@link #tryPublishHeartbeatRecord}), never by this engine's clock.
     * The timer of {@code pipeline.heartbeat} then journals nothing: it still asks for the periodic snapshots and
     * has the window stage publish its histograms. A node rebuilding from the topic thus sees the very heartbeats
     * the node it replaces saw. Call before {@link #start()}; a single node never calls it.
     */
    public synchronized void heartbeatsFromRecords() {
        if (ready || closed) {
            throw new IllegalStateException("choose where heartbeats come from before start");
        }
        heartbeatsFromRecords = true;
    }

    /** Whether {@link #heartbeatsFromRecords()} was chosen. Any thread. */
    public boolean takesHeartbeatsFromRecords() {
        return heartbeatsFromRecords;
    }

    /**
     * Asks for a snapshot now, through the ring like the periodic one (retention follows it). Returns false
     * when the engine is not running or the ring is full. Any thread; never blocks.
     */
    public boolean requestSnapshot() {
        return accepting && publish(EventSlot.KIND_SNAPSHOT, null, 0, 0, null, null, false);
    }

    /** Last and next run of the state snapshots, for the jobs view. */
    public MaintenanceRecord snapshotRecord() {
        return checkpoints.snapshotRecord();
    }

    /** Last and next run of journal retention (it follows each snapshot), for the jobs view. */
    public MaintenanceRecord retentionRecord() {
        return checkpoints.retentionRecord();
    }

    /**
     * Registers the one consumer of the live decided stream (alert rules), called on the window thread.
     * Call before {@link #start()}; events replayed during recovery do not reach it.
     */
    public synchronized void tap(final EventTap tap) {
        if (ready || closed) {
            throw new IllegalStateException("register the event tap before start");
        }
        windowStage.tap(tap);
    }

    /**
     * Publishes one event body (copied into the ring; the caller may reuse its buffer at once). Returns
     * false when the ring is full or the engine is not running: nothing was taken, answer 503. The caller
     * holds bodies to {@link #maxBodyBytes()} (the HTTP layer answers 413 above it, per event of a batch too):
     * the engine journals whatever it is handed, and a ring slot grows to the largest body it has carried.
     *
     * @param listener   gets the outcome on the respond thread (may be null)
     * @param attachment handed back to the listener (the HTTP exchange, for example)
     */
    public boolean tryPublish(final byte[] body, final int offset, final int length, final OutcomeListener listener,
                              final Object attachment) {
        return tryPublish(body, offset, length, listener, attachment, false);
    }

    /**
     * {@link #tryPublish(byte[], int, int, OutcomeListener, Object)} for a thread that publishes several events in
     * a row (an event loop's turn): the stage thread is not woken for this event, and the caller owes one
     * {@link #wakeStages()} after its last publish, soon (the event waits for it while the stage thread sleeps).
     * {@link #close()} wakes the stages itself, so a stop never leaves an event behind.
     */
    public boolean tryPublishQuietly(final byte[] body, final int offset, final int length, final OutcomeListener listener,
                                     final Object attachment) {
        return tryPublish(body, offset, length, listener, attachment, true);
    }

    /**
     * Whether {@link #tryPublishQuietly} puts a wake-up off in this wiring (the {@code blocking} wait with stage
     * threads); otherwise it is {@link #tryPublish} and no {@link #wakeStages()} is owed.
     */
    public boolean defersWakes() {
        return pipeline.defersWakes();
    }

    /** Wakes the stage threads for the events published {@linkplain #tryPublishQuietly quietly}. Any thread. */
    public void wakeStages() {
        pipeline.wakeStages();
    }

    private boolean tryPublish(final byte[] body, final int offset, final int length, final OutcomeListener listener,
                               final Object attachment, final boolean quiet) {
        return accepting && publish(EventSlot.KIND_EVENT, body, offset, length, listener, attachment, quiet);
    }

    /**
     * Publishes a run of events cut from one buffer (a batch request's items) into consecutive ring slots: the
     * slots are claimed together ({@code tryNext(n)}: one CAS on the ring's cursor), filled, and published as one
     * range with one wake of the stages (none with {@code quiet}, as {@link #tryPublishQuietly}: the caller then owes
     * a {@link #wakeStages()}). When the ring has fewer free slots than {@code count}, as many as fit go in (the
     * first ones, in order). Every event of the run gets the same receive time.
     *
     * @param starts      event {@code i}'s first byte in {@code body}, for {@code i} in {@code [from, from + count)}
     * @param lengths     event {@code i}'s length (the caller holds each to {@link #maxBodyBytes()})
     * @param listener    gets each event's outcome on the respond thread (may be null)
     * @param attachments {@code attachments[i]} is handed back to the listener with event {@code i}'s outcome
     * @return how many events, from {@code from} on, were published (0 to {@code count}); the others were not
     *         taken (the ring is full or the engine stopping): answer them 503
     * @throws IndexOutOfBoundsException for an event outside the arrays or {@code body} (a caller's bug), before any
     *         slot is claimed: a claimed slot must be published, or the ring stops behind it
     */
    public int tryPublishRun(final byte[] body, final int[] starts, final int[] lengths, final int from, final int count,
                             final OutcomeListener listener, final Object[] attachments, final boolean quiet) {
        Objects.checkFromIndexSize(from, count, Math.min(attachments.length, Math.min(starts.length,
            lengths.length)));
        for (int i = from; i < from + count; i++) {
            Objects.checkFromIndexSize(starts[i], lengths[i], body.length);
        }
        int published = 0;
        int raced = 0;
        while (published < count && accepting) {
            final long free = ring.remainingCapacity();
            if (free <= 0) {
                break;
            }
            final int n = (int) Math.min(count - published, free);
            final long hi;
            try {
                hi = ring.tryNext(n);
            } catch (InsufficientCapacityException full) {
                if (++raced == 3) {
                    break; // other publishers keep taking the free slots: answer the rest as a full ring
                }
                continue; // another publisher took some of the free slots since the look: claim what is left
            }
            if (!fillRun(hi - n + 1, hi, body, starts, lengths, from + published, listener, attachments)) {
                pipeline.publishRun(hi - n + 1, hi, false);
                break;
            }
            pipeline.publishRun(hi - n + 1, hi, quiet);
            published += n;
        }
        return published;
    }

    /**
     * Fills the claimed slots {@code lo..hi} with the events from {@code first} on; false (every slot cancelled) when
     * {@link #close()} began after the claim, for the reason {@link #publish} gives.
     */
    private boolean fillRun(final long lo, final long hi, final byte[] body, final int[] starts, final int[] lengths,
                            final int first, final OutcomeListener listener, final Object[] attachments) {
        final boolean cancelled = !accepting;
        final long receiveMillis = cancelled ? 0 : clock.currentTimeMillis();
        final long receiveNanos = cancelled ? 0 : System.nanoTime();
        int i = first;
        for (long s = lo; s <= hi; s++, i++) {
            final EventSlot slot = ring.get(s);
            slot.sequence = sequenceBase + s;
            if (cancelled) {
                slot.fill(EventSlot.KIND_CANCELLED, null, 0, 0, 0, 0, null, null);
            } else {
                slot.fill(EventSlot.KIND_EVENT, body, starts[i], lengths[i], receiveMillis, receiveNanos, listener,
                    attachments[i]);
            }
        }
        return !cancelled;
    }

    /**
     * Publishes the body of a Kafka record of an owned partition (cluster mode, the owner's consumer): the same
     * ring, stages and decision code as {@link #tryPublish}, but the receive time is the one the receiving node
     * stamped in the record, not this engine's clock, and the journal entry carries the record's partition and
     * offset ({@link #resumeOffsets}). Returns false when the ring is full or the engine is not running: nothing
     * was taken, publish the same record again later (records of a partition must go in in offset order).
     *
     * @param receiveMillis when the receiving node took the event in (epoch millis); every decision uses it
     * @throws IllegalArgumentException for a negative partition or offset (a caller's bug)
     */
    public boolean tryPublishRecord(final byte[] body, final int offset, final int length, final long receiveMillis,
                                    final int partition, final long recordOffset, final OutcomeListener listener,
                                    final Object attachment) {
        if (partition < 0 || recordOffset < 0 || receiveMillis == STAMP_AT_CLAIM) {
            throw new IllegalArgumentException("record source " + partition + "@" + recordOffset + " is not a Kafka "
                + "partition and offset");
        }
        return accepting && publish(EventSlot.KIND_EVENT, body, offset, length, receiveMillis, partition, recordOffset,
            listener, attachment, false);
    }

    /**
     * Publishes a heartbeat record of an owned partition (cluster mode, {@link #heartbeatsFromRecords}): time passed
     * to {@code receiveMillis} (the record's {@code ricevuto}), exactly as this engine's own heartbeat moves the
     * watermark on one node. It is journaled with the record's partition and offset, so it is a resume point too,
     * and the listener gets it on the respond thread like an event's outcome (its view is no event: no verdict).
     * Returns false when the ring is full or the engine is not running: publish the same record again later.
     *
     * @throws IllegalArgumentException for a negative partition or offset (a caller's bug)
     */
    public boolean tryPublishHeartbeatRecord(final long receiveMillis, final int partition, final long recordOffset,
                                             final OutcomeListener listener, final Object attachment) {
        if (partition < 0 || recordOffset < 0 || receiveMillis == STAMP_AT_CLAIM) {
            throw new IllegalArgumentException("record source " + partition + "@" + recordOffset + " is not a Kafka "
                + "partition and offset");
        }
        return accepting && publish(EventSlot.KIND_HEARTBEAT, null, 0, 0, receiveMillis, partition, recordOffset,
            listener, attachment, false);
    }

    /**
     * For each of {@code partitions}, the offset after the newest record of that partition in the journal
     * ({@link JournalResumePoints#NONE} when it holds none: the owner rebuilds the partition from the topic). Heartbeat
     * records count ({@link #tryPublishHeartbeatRecord}), and so does the newest snapshot's resume point of a
     * partition whose entries retention has deleted. This is where
     * an owner resumes after any stop, a {@code kill -9} included; Kafka's committed offsets never are. Call after
     * {@link #start()} and before publishing the first record of these partitions; any one thread.
     */
    public long[] resumeOffsets(final int[] partitions) {
        if (!ready) {
            throw new IllegalStateException("the engine is not started");
        }
        final long[] next = JournalResumePoints.scan(journalConfig(config, dataDir), partitions);
        final long[] atStart = resumePointsAtStart;
        for (int i = 0; i < partitions.length; i++) {
            if (partitions[i] >= 0 && partitions[i] < atStart.length) {
                next[i] = Math.max(next[i], atStart[partitions[i]]); // a snapshot's, when retention deleted the entry
            }
        }
        return next;
    }

    private boolean publish(final int kind, final byte[] body, final int offset, final int length,
                            final OutcomeListener listener, final Object attachment, final boolean quiet) {
        return publish(kind, body, offset, length, STAMP_AT_CLAIM, EventSlot.NO_SOURCE_PARTITION,
            EventSlot.NO_SOURCE_OFFSET, listener, attachment, quiet);
    }

    private boolean publish(final int kind, final byte[] body, final int offset, final int length,
                            final long receiveMillis, final int sourcePartition, final long sourceOffset,
                            final OutcomeListener listener, final Object attachment, final boolean quiet) {
        final long ringSequence;
        try {
            ringSequence = ring.tryNext();
        } catch (InsufficientCapacityException full) {
            return false;
        }
        final EventSlot slot = ring.get(ringSequence);
        slot.sequence = sequenceBase + ringSequence;
        if (!accepting) {
            // close() began after this publisher's first look, and its drain may be over: nobody would answer this
            // slot. The claim (a CAS on the ring's cursor) came before this read, so close()'s drain, which reads
            // the cursor after it cleared the flag, either waits for this slot or this read sees the flag cleared.
            slot.fill(EventSlot.KIND_CANCELLED, null, 0, 0, 0, 0, null, null);
            ring.publish(ringSequence);
            return false;
        }
        final long stamped = receiveMillis == STAMP_AT_CLAIM ? clock.currentTimeMillis() : receiveMillis;
        slot.fill(kind, body, offset, length, stamped, System.nanoTime(), listener, attachment);
        if (sourcePartition >= 0) {
            slot.source(sourcePartition, sourceOffset);
        }
        pipeline.publish(ringSequence, quiet);
        return true;
    }

    /** Now on the engine's clock, the one {@link #tryPublish} stamps (a heartbeat record's time, too). Any thread. */
    public long currentTimeMillis() {
        return clock.currentTimeMillis();
    }

    /** True once recovery finished and the stages run; false again after {@link #close()} began. */
    public boolean isReady() {
        return ready && accepting;
    }

    /** The journal stage, for tests of the wiring (its flush mark; see {@link JournalStage#flushedThroughSequence()}). */
    JournalStage journalStage() {
        return journalStage;
    }

    public EngineConfig config() {
        return config;
    }

    /** The windows, read-only: any thread reads them without making the window stage wait. */
    public WindowView windows() {
        return windows;
    }

    public EngineCounters counters() {
        return counters;
    }

    /** Live dedupe entries (a racy read, for metrics). */
    public long dedupeEntries() {
        return dedupe.size();
    }

    /** Dedupe table slots in all (fixed at start). */
    public int dedupeCapacitySlots() {
        return dedupe.capacitySlots();
    }

    /** Live dedupe entries overwritten because the table was full around their slot (a racy read, for metrics). */
    public long dedupeEvictions() {
        return dedupe.evictions();
    }

    /** Bytes of the journal's files its page thread has read in ahead of the writer, since this process started. */
    public long journalPretouchedBytes() {
        return journal.pretouchedBytes();
    }

    /**
     * Bytes of the journal's files its page thread has written back and dropped from the page cache behind the
     * writer ({@code journal.drop_behind}), since this process started.
     */
    public long journalDroppedBytes() {
        return journal.droppedBehindBytes();
    }

    /** Slots claimed but not yet answered. */
    public long ringOccupancy() {
        return ring.getBufferSize() - ring.remainingCapacity();
    }

    public int ringSize() {
        return ring.getBufferSize();
    }

    /**
     * How long the oldest event still in the ring has waited for its answer, in nanoseconds (0 when the ring
     * holds none): a new event queues behind it, so the HTTP layer sheds load once this passes its bound. Any
     * thread; allocates nothing. Two volatile reads (the respond stage's sequence and the slot's publication
     * flag, which orders the read of the slot's receive time after its fill); a racy but never stale-lap value.
     */
    public long oldestWaitNanos(final long nowNanos) {
        final long oldest = ring.getMinimumGatingSequence() + 1;
        if (!ring.isAvailable(oldest)) {
            return 0; // nothing published past the respond stage (or its slot is still being filled)
        }
        return Math.max(0, nowNanos - ring.get(oldest).receiveNanos);
    }

    /** Largest body {@link #tryPublish} should be given (the HTTP layer answers 413 above it). */
    public int maxBodyBytes() {
        return config.maxBodyBytes();
    }

    /**
     * Stops taking events, lets every published one finish (journaled, counted, answered), then closes
     * the journal. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        accepting = false;
        ready = false;
        if (heartbeat != null) {
            LockSupport.unpark(heartbeat);
            try {
                heartbeat.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pipeline.drainAndStop(30_000);
            // the window thread is gone: make its last latencies visible to readers
            windows.handOver();
            windows.publishHistograms();
            // everything journaled has been applied, so the state covers the journal up to its last entry
            checkpoints.writeAtStop(Math.max(coveredIndex, journal.lastEventsIndex()), sequenceBase + ring.getCursor() + 1);
        }
        checkpoints.close();
        journal.close();
        LOG.info("engine closed; last sequence {}", windows.lastSequence());
    }
}
