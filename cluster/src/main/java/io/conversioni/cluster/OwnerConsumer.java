package io.conversioni.cluster;

import io.conversioni.config.ConfigReader;
import io.conversioni.journal.JournalResumePoints;
import io.conversioni.pipeline.Engine;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The owner's side of the data path: feeds the records of the partitions this node owns ({@code cluster.owns}
 * of {@code cluster.topic}) into the engine, in offset order per partition, like any other publisher, and has
 * each answered back to its receiving node ({@link VerdictSender}).
 *
 * <ul>
 *   <li>Start: each owned partition is read from the offset after the newest record of it in the journal
 *   ({@link Engine#resumeOffsets}). Kafka's committed offsets are never read: after a {@code kill -9}, what the
 *   journal holds was decided, what it does not is read again. A partition the journal holds nothing of (a
 *   replacement node, an empty data folder) is rebuilt: read from the first record at or after now minus
 *   ({@code windows.horizon} + the dedupe TTL) ({@code offsetsForTimes}), and its records below the end offset
 *   taken at start get no verdict (their senders had one, or timed out and their retry is a duplicate); see
 *   {@link StartPositions}. {@link #isCaughtUp()} once every owned partition's records below that end offset
 *   were journaled and decided.
 *   <li>Order: per partition by offset; across partitions by receive time ({@link ReceiveTimeMerge}), so a
 *   rebuild feeds the engine's one watermark as the live owner did.
 *   <li>Heartbeats: an owned partition that got no record for {@code pipeline.heartbeat} (once caught up) gets a
 *   heartbeat record from this owner ({@link HeartbeatRecords}: null key and value, header {@code tipo: battito},
 *   {@code ricevuto} = now on the engine's clock); read back like any record, it moves the engine's watermark
 *   ({@link Engine#tryPublishHeartbeatRecord}) and is journaled with its partition and offset. The engine should
 *   take its heartbeats from these only ({@link Engine#heartbeatsFromRecords}), so that a node rebuilding from the
 *   topic closes the same windows.
 *   <li>Back-pressure: when the ring is full the partitions are paused and the same record is offered again
 *   until the engine takes it; nothing is dropped, skipped or reordered within a partition. A partition with
 *   {@value #MAX_QUEUED} records queued (waiting for another's older ones) is paused too.
 *   <li>Offsets are committed (asynchronously, about once a second, group {@code conversioni-<node>}) after the
 *   records were answered, for {@code kafka-consumer-groups} lag only.
 *   <li>{@link #stop()}: stops reading, waits until every record fed in was answered, commits, closes.
 *   {@link #halt()}: stops at once as a crash would (no wait, no commit); tests use it.
 * </ul>
 *
 * <p>Threading: one thread of its own ({@code conversioni-owner-<node>}) owns the consumer; {@link #start} and
 * {@link #stop} from any one controlling thread, {@link #stop} before the engine is closed (its records are then
 * answered). Allocation: Kafka's per record, plus a merge queue node and one small return address per record
 * that has one; the map of each commit; a heartbeat record and its headers.
 */
public final class OwnerConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OwnerConsumer.class);
    private static final Duration POLL = Duration.ofMillis(100);
    /** While the ring is full: how long a poll of the paused partitions waits before the record is offered again. */
    private static final Duration FULL_RING_POLL = Duration.ofMillis(1);
    private static final long COMMIT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** The body of a record with a null value: decided like any body (rejected as empty), never skipped. */
    private static final byte[] NO_BODY = new byte[0];
    /** Records queued for one partition (waiting for older ones of another) at which it is fetched no more. */
    static final int MAX_QUEUED = 4096;

    private final ClusterSettings settings;
    private final Engine engine;
    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> verdicts;
    private final VerdictSender sender;
    private final int[] owned;
    private final List<TopicPartition> assignment = new ArrayList<>();
    private final long[] resumeOffsets;
    private final long[] committed;
    private final Thread thread;
    private final ReceiveTimeMerge merge;
    private final long heartbeatNanos;
    private final HeartbeatRecords heartbeats;
    private volatile boolean running = true;
    private volatile boolean halted;
    private volatile long published;
    private volatile long fullRingPauses;
    private volatile Throwable failure;
    /** {@link #published} when the records below the end offsets taken at start were all fed in; -1 before. */
    private volatile long caughtUpAtPublished = -1;
    // Poll thread only, indexed in owns order:
    /** Where each partition was read from, and its end at start; set first thing on the poll thread. */
    private StartPositions positions;
    private final boolean[] partitionPaused;
    /** When a record of the partition was last fetched or a heartbeat last sent to it. */
    private final long[] lastActivityNanos;
    private boolean ringFull;
    private long nextCommitNanos;
    /** Poll thread: the record the engine has not taken yet (ring full), taken from {@link #merge}. */
    private ConsumerRecord<byte[], byte[]> current;
    /** Where {@link #current}'s verdict goes (null: nowhere); made once however often the record is offered. */
    /** The return address of {@link #current}, null without one, {@link Engine#REPLAYED} for a rebuilt record. */
    private Object currentAddress;

    private OwnerConsumer(final ClusterSettings settings, final Engine engine, final Producer<byte[], byte[]> verdicts,
                          final int replyPartitions) {
        this.settings = settings;
        this.engine = engine;
        this.verdicts = verdicts;
        this.owned = settings.ownedPartitions();
        this.sender = new VerdictSender(verdicts, settings.replyTopic(), replyPartitions, owned);
        for (int p : owned) {
            assignment.add(new TopicPartition(settings.topic(), p));
        }
        this.committed = new long[owned.length];
        java.util.Arrays.fill(committed, -1L);
        this.merge = new ReceiveTimeMerge(owned);
        this.partitionPaused = new boolean[owned.length];
        this.lastActivityNanos = new long[owned.length];
        this.heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(engine.config().heartbeatMillis());
        this.heartbeats = new HeartbeatRecords(verdicts, settings.topic(), engine);
        awaitNoRecordInFlight();
        this.resumeOffsets = engine.resumeOffsets(owned);
        this.consumer = new KafkaConsumer<>(ClusterClients.ownerConsumer(settings));
        this.thread = new Thread(this::run, "conversioni-owner-" + settings.node());
        this.thread.setDaemon(true);
    }

    /**
     * Starts feeding the owned partitions into {@code engine}, which must be started (its recovery done). Waits
     * for the reply topic's metadata first, within {@code cluster.broker_timeout}.
     *
     * @throws ClusterException {@code kafka_unreachable} when the broker gives no metadata in time
     */
    public static OwnerConsumer start(final ClusterSettings settings, final Engine engine)
        throws ClusterException, InterruptedException {
        final Producer<byte[], byte[]> verdicts = new KafkaProducer<>(ClusterClients.verdictsProducer(settings));
        final OwnerConsumer owner;
        try {
            final int replyPartitions = ClusterClients.awaitMetadata(verdicts, settings.replyTopic(), settings);
            if (settings.ownedPartitions().length > 0) {
                ClusterClients.awaitMetadata(verdicts, settings.topic(), settings); // heartbeats go there, never waiting
                if (!engine.takesHeartbeatsFromRecords()) {
                    LOG.warn("the engine stamps heartbeats from its own clock (Engine.heartbeatsFromRecords was not "
                        + "chosen): a node rebuilding {} from the topic will not see them", settings.topic());
                }
            }
            owner = new OwnerConsumer(settings, engine, verdicts, replyPartitions);
        } catch (ClusterException | InterruptedException | RuntimeException e) {
            verdicts.close(Duration.ZERO);
            throw e;
        }
        owner.thread.start();
        return owner;
    }

    /**
     * A consumer halted on this engine may have left records in the ring: they are journaled before it is empty,
     * so the resume points are read only once it has been empty (nothing else publishes records meanwhile).
     */
    private void awaitNoRecordInFlight() {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.brokerTimeoutMs());
        while (engine.ringOccupancy() > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(WAIT_NANOS);
        }
        if (engine.ringOccupancy() > 0) {
            LOG.warn("the ring was never empty within {} (cluster.broker_timeout): a record still in it from an earlier "
                + "consumer would be read again and answered as a duplicate", ConfigReader.formatMillis(settings.brokerTimeoutMs()));
        }
    }

    private void run() {
        try {
            if (assignment.isEmpty()) {
                caughtUpAtPublished = 0;
                LOG.info("node {} owns no partition of {}: no record is read here", settings.node(), settings.topic());
                return;
            }
            consumer.assign(assignment);
            seekAtStart();
            final ReceiveTimeMerge.Waiting waiting = positions;
            final Duration poll = Duration.ofNanos(Math.min(POLL.toNanos(), heartbeatNanos));
            nextCommitNanos = System.nanoTime() + COMMIT_INTERVAL_NANOS;
            java.util.Arrays.fill(lastActivityNanos, System.nanoTime());
            while (running) {
                final boolean full = !feed(waiting);
                if (full && !ringFull) {
                    fullRingPauses++; // only this thread writes it
                }
                ringFull = full;
                updatePauses();
                final long polledAt = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(full ? FULL_RING_POLL : poll)) {
                    merge.add(record);
                    lastActivityNanos[merge.indexOf(record.partition())] = polledAt;
                }
                if (caughtUpAtPublished < 0) {
                    checkCaughtUp();
                } else {
                    maybeHeartbeat();
                }
                maybeCommit(false);
            }
        } catch (WakeupException | InterruptException stopping) {
            if (running) {
                failure = stopping;
                LOG.error("the owner's consumer was interrupted while running", stopping);
            }
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("the owner's consumer of {} stopped: {}; partitions {} are not read until the node restarts",
                settings.topic(), e.toString(), settings.ownsAsWritten(), e);
        } finally {
            finish();
        }
    }

    /** Poll thread, first: seeks each partition to where it is resumed or rebuilt from ({@link StartPositions}). */
    private void seekAtStart() {
        final long since = Math.max(0L, engine.currentTimeMillis() - ClusterTopics.minEventsRetentionMs(engine.config()));
        positions = StartPositions.seek(consumer, assignment, resumeOffsets, since);
        LOG.info("owner of {} partitions {}: {} (from the journal's resume points {}; -1: rebuilt since {})",
            settings.topic(), settings.ownsAsWritten(), positions, java.util.Arrays.toString(resumeOffsets),
            java.time.Instant.ofEpochMilli(since));
    }

    /** Feeds the queued records in merge order; false when the engine did not take {@link #current} (ring full). */
    private boolean feed(final ReceiveTimeMerge.Waiting waiting) {
        while (true) {
            if (current == null) {
                current = merge.next(waiting);
                if (current == null) {
                    return true;
                }
                currentAddress = positions.wantsVerdict(merge.indexOf(current.partition()), current.offset())
                    ? returnAddress(current) : Engine.REPLAYED;
            }
            if (!publish(current, currentAddress)) {
                return false;
            }
            current = null;
            currentAddress = null;
        }
    }

    /** Poll thread: pauses every partition while the ring is full, and one whose queue is long; resumes the rest. */
    private void updatePauses() {
        for (int i = 0; i < owned.length; i++) {
            final boolean pause = ringFull || merge.queued(i) >= MAX_QUEUED;
            if (pause != partitionPaused[i]) {
                if (pause) {
                    consumer.pause(List.of(assignment.get(i)));
                } else {
                    consumer.resume(List.of(assignment.get(i)));
                }
                partitionPaused[i] = pause;
            }
        }
    }

    /** Poll thread, until it is so: whether every record below the end offsets taken at start was fed in. */
    private void checkCaughtUp() {
        if (!positions.allFedIn(merge, current, current == null ? -1 : merge.indexOf(current.partition()))) {
            return;
        }
        caughtUpAtPublished = published;
        LOG.info("owner of {} partitions {}: every record below the end offsets taken at start fed in ({} records)",
            settings.topic(), settings.ownsAsWritten(), published);
    }

    /** Poll thread, once caught up: a heartbeat record to each owned partition quiet for {@code pipeline.heartbeat}. */
    private void maybeHeartbeat() {
        final long now = System.nanoTime();
        for (int i = 0; i < owned.length; i++) {
            if (merge.queued(i) > 0) {
                lastActivityNanos[i] = now; // records wait for the ring: the partition is not quiet
            } else if (now - lastActivityNanos[i] >= heartbeatNanos) {
                lastActivityNanos[i] = now;
                heartbeats.send(owned[i]);
            }
        }
    }

    private static VerdictSender.ReturnAddress returnAddress(final ConsumerRecord<byte[], byte[]> record) {
        final byte[] node = ClusterHeaders.value(record, ClusterHeaders.NODO);
        final byte[] correlation = ClusterHeaders.value(record, ClusterHeaders.CORRELAZIONE);
        return node == null || correlation == null ? null : new VerdictSender.ReturnAddress(node, correlation);
    }

    private boolean publish(final ConsumerRecord<byte[], byte[]> record, final Object to) {
        final long receiveMillis = Math.max(0L, ClusterHeaders.receiveMillis(record));
        final boolean taken;
        if (ClusterHeaders.isHeartbeat(record)) {
            taken = engine.tryPublishHeartbeatRecord(receiveMillis, record.partition(), record.offset(), sender, null);
        } else {
            final byte[] body = record.value() == null ? NO_BODY : record.value();
            taken = engine.tryPublishRecord(body, 0, body.length, receiveMillis, record.partition(), record.offset(),
                sender, to);
        }
        if (taken) {
            published++; // only this thread writes it
        }
        return taken;
    }

    /** Poll thread: commits the answered offsets that moved, for monitoring; synchronously at a clean stop. */
    private void maybeCommit(final boolean finalCommit) {
        if (!finalCommit && System.nanoTime() - nextCommitNanos < 0) {
            return;
        }
        nextCommitNanos = System.nanoTime() + COMMIT_INTERVAL_NANOS;
        Map<TopicPartition, OffsetAndMetadata> offsets = null;
        for (int i = 0; i < owned.length; i++) {
            final long answered = sender.answeredOffset(i);
            if (answered > committed[i]) {
                if (offsets == null) {
                    offsets = new HashMap<>();
                }
                offsets.put(assignment.get(i), new OffsetAndMetadata(answered + 1));
                committed[i] = answered;
            }
        }
        if (offsets == null) {
            return;
        }
        if (finalCommit) {
            consumer.commitSync(offsets, Duration.ofMillis(settings.brokerTimeoutMs()));
        } else {
            consumer.commitAsync(offsets, (done, e) -> {
                if (e != null) {
                    LOG.debug("offsets not committed (monitoring only): {}", e.toString());
                }
            });
        }
    }

    /** Poll thread, last: at a clean stop waits for the answers and commits; closes the consumer either way. */
    private void finish() {
        try {
            if (!halted && failure == null) {
                final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.verdictTimeoutMs());
                while (sender.answeredCount() < published && System.nanoTime() - deadline < 0) {
                    LockSupport.parkNanos(WAIT_NANOS);
                }
                try {
                    maybeCommit(true);
                } catch (RuntimeException e) {
                    LOG.warn("offsets not committed at stop (monitoring only): {}", e.toString());
                }
            }
        } finally {
            consumer.close(CloseOptions.timeout(halted ? Duration.ZERO : Duration.ofMillis(settings.brokerTimeoutMs())));
        }
    }

    /**
     * Stops reading, lets every record already fed in be answered (within {@code cluster.verdict_timeout}),
     * commits the offsets, and closes the consumer and the verdicts producer. Idempotent.
     */
    public void stop() {
        shutDown(false);
    }

    /** Stops as a crash would: no wait for answers, no commit, clients closed at once. For tests of recovery. */
    public void halt() {
        shutDown(true);
    }

    private void shutDown(final boolean abruptly) {
        if (!running) {
            return;
        }
        halted = abruptly;
        running = false;
        if (thread.isAlive()) {
            consumer.wakeup(); // thread-safe; a poll in progress returns at once
        }
        try {
            thread.join(TimeUnit.MILLISECONDS.toMillis(settings.verdictTimeoutMs() + 2 * settings.brokerTimeoutMs()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        verdicts.close(abruptly ? Duration.ZERO : Duration.ofMillis(settings.brokerTimeoutMs()));
        LOG.info("owner of {} partitions {} {}: {} records fed in, {} answered, {} verdicts sent, {} failed",
            settings.topic(), settings.ownsAsWritten(), abruptly ? "halted" : "stopped", published,
            sender.answeredCount(), sender.verdictsSent(), sender.verdictsFailed());
    }

    @Override
    public void close() {
        stop();
    }

    /** Where each owned partition was resumed ({@link JournalResumePoints#NONE}: its beginning), in {@code owns} order. */
    public long[] resumeOffsets() {
        return resumeOffsets.clone();
    }

    /**
     * Whether every record of the owned partitions below their end offsets taken at start was journaled and decided
     * (a rebuilt partition's included): the node's state is then the one its partitions' records give, and it may
     * be reported ready. False while rebuilding, after the consumer failed, and once stopped. Any thread.
     */
    public boolean isCaughtUp() {
        final long target = caughtUpAtPublished;
        return target >= 0 && running && failure == null && sender.answeredCount() >= target;
    }

    /** Heartbeat records the broker acknowledged so far. Any thread. */
    public long heartbeatsSent() {
        return heartbeats.sent();
    }

    /** Heartbeat records that could not be sent so far. Any thread. */
    public long heartbeatsFailed() {
        return heartbeats.failed();
    }

    /** Records fed into the engine so far, heartbeat records included. Any thread. */
    public long published() {
        return published;
    }

    /** Times the ring was full and the partitions were paused. Any thread. */
    public long fullRingPauses() {
        return fullRingPauses;
    }

    /** Records the engine answered so far (journaled and decided). Any thread. */
    public long answered() {
        return sender.answeredCount();
    }

    /** Verdicts the broker acknowledged so far. Any thread. */
    public long verdictsSent() {
        return sender.verdictsSent();
    }

    /** Verdicts that could not be sent so far. Any thread. */
    public long verdictsFailed() {
        return sender.verdictsFailed();
    }

    /**
     * Records behind the end of each owned partition, in {@code owns} order (-1 while unknown: nothing fetched yet,
     * or the consumer closed), from the consumer's own {@code records-lag} metric, so that no other thread touches
     * the consumer's state. For monitoring; any thread; allocates the array and Kafka's metric map view.
     */
    public long[] lag() {
        final long[] lag = new long[owned.length];
        java.util.Arrays.fill(lag, -1L);
        try {
            for (org.apache.kafka.common.Metric m : consumer.metrics().values()) {
                final org.apache.kafka.common.MetricName name = m.metricName();
                if (!"records-lag".equals(name.name()) || !"consumer-fetch-manager-metrics".equals(name.group())
                    || !settings.topic().equals(name.tags().get("topic")) || name.tags().get("partition") == null) {
                    continue;
                }
                final int partition = Integer.parseInt(name.tags().get("partition"));
                final Object value = m.metricValue();
                for (int i = 0; i < owned.length; i++) {
                    if (owned[i] == partition && value instanceof Number && !Double.isNaN(((Number) value).doubleValue())) {
                        lag[i] = Math.max(0L, ((Number) value).longValue());
                    }
                }
            }
        } catch (RuntimeException closing) {
            // the consumer is closing: lag unknown
        }
        return lag;
    }

    /** The partitions this node owns, in {@code owns} order (as {@link #lag()} and {@link #resumeOffsets()}). */
    public int[] ownedPartitions() {
        return owned.clone();
    }

    /** Why the consumer thread stopped on its own, or null. Any thread. */
    public Throwable failure() {
        return failure;
    }

    /** For log lines. */
    @Override
    public String toString() {
        return "OwnerConsumer{" + settings.node() + " owns " + settings.ownsAsWritten() + " of " + settings.topic()
            + ", verdict timeout " + ConfigReader.formatMillis(settings.verdictTimeoutMs()) + '}';
    }
}
