package io.conversioni.journal;

import io.conversioni.SafetyChecks;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import static io.conversioni.journal.JournalEntryDescriptor.NO_QUARANTINE_INDEX;
import static io.conversioni.journal.JournalEntryDescriptor.NO_SOURCE_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.NO_SOURCE_PARTITION;

/**
 * Appends journal entries ({@link JournalEntryDescriptor}) to the events queue and the quarantine queue.
 *
 * <p>Threading: one writer thread, the first to append, owns it (asserted under {@code -ea} when
 * {@code -Dconversioni.checks=true}); open it on any thread, close it after the owner has stopped.
 * {@link #deleteExpiredCycles} may run on another thread, one call at a time. Unless
 * {@link JournalConfig#pretouchBytes()} and {@link JournalConfig#dropBehindBytes()} are both 0, a
 * {@link JournalPretoucher} thread of the journal's own reads the cycle files in ahead of the writer and releases
 * them behind it, from open to close.
 *
 * <p>Allocation: none per append after warm-up; primitives and raw bytes go straight into the mapped
 * excerpt, no Wire marshalling. Exceptions: a failure allocates its message, SYNC opens one channel per
 * new cycle file, and Chronicle allocates a little when it maps the next chunk of a cycle file (measured:
 * 7.5 KB over 600,000 appends). Growth: one file per queue per roll cycle, sparse and mapped in chunks,
 * deleted by {@link #deleteExpiredCycles}.
 *
 * <p>Failure contract: no append throws. Each returns a {@link JournalStatus}; the reason of the last
 * failure is in {@link #lastError()}. A write that fails is rolled back, so a reader never sees part of it.
 *
 * <p>Quarantine: the full record (body and violations) goes to the quarantine queue first, then a marker
 * without body goes to the events queue, naming the quarantine index. The events queue alone therefore
 * replays every decision in sequence order, rejected ones included; a quarantine record without a marker
 * (the marker's append failed) was never acknowledged and is ignored by replay.
 */
public final class SingleWriterJournal implements AutoCloseable {
    private static final byte[] NO_BYTES = new byte[0];

    private final JournalConfig config;
    /** The clock both queues roll by, read once per batch once the writer calls {@link #beginBatch()}. */
    private final PerBatchRollClock rollClock;
    private final SingleChronicleQueue eventsQueue;
    private final SingleChronicleQueue quarantineQueue;
    private final ExcerptAppender eventsAppender;
    private final ExcerptAppender quarantineAppender;
    private final CycleFileSync eventsSync;
    private final CycleFileSync quarantineSync;
    private final boolean sync;
    /** The page thread and what it follows, or nulls when it has nothing to do (pretouch and drop-behind 0). */
    private final JournalPretoucher pretoucher;
    private final JournalPretoucher.Target eventsTouch;
    private final JournalPretoucher.Target quarantineTouch;
    /** Group commit: appends leave the flush to {@link #syncPending()}, once per batch of the pipeline. */
    private boolean groupCommit;
    private boolean eventsDirty;
    private boolean quarantineDirty;

    private Thread owner;
    private volatile boolean closed;
    private String lastError = "";
    private long lastEventsIndex = -1L;
    private long lastQuarantineIndex = -1L;
    private long syncCount;

    private SingleWriterJournal(final JournalConfig config, final PerBatchRollClock rollClock,
                                final SingleChronicleQueue eventsQueue, final SingleChronicleQueue quarantineQueue) {
        this.config = config;
        this.rollClock = rollClock;
        this.eventsQueue = eventsQueue;
        this.quarantineQueue = quarantineQueue;
        this.eventsAppender = ownedByFirstUser(eventsQueue.createAppender());
        this.quarantineAppender = ownedByFirstUser(quarantineQueue.createAppender());
        this.sync = config.durability() == JournalDurability.SYNC;
        this.eventsSync = new CycleFileSync(config.eventsDirectory());
        this.quarantineSync = new CycleFileSync(config.quarantineDirectory());
        if (config.pretouchBytes() > 0 || config.dropBehindBytes() > 0) {
            this.pretoucher = new JournalPretoucher(config.pretouchBytes(), config.dropBehindBytes(),
                JournalConfig.EVENTS_QUEUE,
                JournalConfig.QUARANTINE_QUEUE);
            this.eventsTouch = pretoucher.target(0);
            this.quarantineTouch = pretoucher.target(1);
        } else {
            this.eventsTouch = null;
            this.quarantineTouch = null;
            this.pretoucher = null;
        }
    }

    /**
     * Opens (creating if needed) the journal's two queues for appending.
     *
     * @throws UncheckedIOException when the directories cannot be created; start-up fails, with the path
     */
    public static SingleWriterJournal open(final JournalConfig config) {
        return open(config, SystemTimeProvider.INSTANCE);
    }

    /** As {@link #open(JournalConfig)}, with the clock Chronicle rolls cycles by (tests and tools move it). */
    public static SingleWriterJournal open(final JournalConfig config, final TimeProvider rollClock) {
        final PerBatchRollClock perBatch = new PerBatchRollClock(rollClock);
        final SingleChronicleQueue events = openQueue(config, config.eventsDirectory(), perBatch);
        try {
            return new SingleWriterJournal(config, perBatch, events,
                openQueue(config, config.quarantineDirectory(), perBatch));
        } catch (final RuntimeException e) {
            events.close();
            throw e;
        }
    }

    private static SingleChronicleQueue openQueue(final JournalConfig config, final Path directory,
                                                  final TimeProvider rollClock) {
        return OwnerOnlyQueueFiles.build(directory,
            "journal queue (" + JournalConfig.KEY_DIRECTORY + "=" + config.directory() + ")", builder -> builder
                .rollCycle(config.rollCycle().chronicle())
                .timeProvider(rollClock)
                .syncMode(SyncMode.NONE)); // durability is ours (CycleFileSync), whatever Chronicle's default is
    }

    private static ExcerptAppender ownedByFirstUser(final ExcerptAppender appender) {
        appender.singleThreadedCheckReset(); // the pipeline thread that appends first owns it, not the opener
        return appender;
    }

    /**
     * Appends a valid event's body taken in by this node (a version 1 entry: no source record).
     *
     * @param receiveNanos {@code System.nanoTime()} at ingress, or {@link JournalEntryDescriptor#NO_RECEIVE_NANOS}
     * @param outcomeCode  the pipeline's outcome for this event (opaque to the journal)
     */
    public JournalStatus appendEvent(final long sequence, final long receiveMillis, final long receiveNanos,
                                     final int outcomeCode, final byte[] body, final int bodyOffset,
                                     final int bodyLength) {
        return appendEvent(sequence, receiveMillis, receiveNanos, outcomeCode, NO_SOURCE_PARTITION, NO_SOURCE_OFFSET,
            body, bodyOffset, bodyLength);
    }

    /**
     * Appends a valid event's body; with a {@code sourcePartition} of 0 or more, the event was fed from that
     * Kafka partition's record at {@code sourceOffset} and the entry carries both (version 2).
     */
    public JournalStatus appendEvent(final long sequence, final long receiveMillis, final long receiveNanos,
                                     final int outcomeCode, final int sourcePartition, final long sourceOffset,
                                     final byte[] body, final int bodyOffset, final int bodyLength) {
        if (SafetyChecks.ENABLED) {
            checkOwnerThread();
        }
        if (closed) {
            return closedStatus();
        }
        final long index = write(eventsAppender, eventsTouch, JournalRecordKind.EVENT, sequence, receiveMillis,
            receiveNanos, outcomeCode, NO_QUARANTINE_INDEX, sourcePartition, sourceOffset, body, bodyOffset, bodyLength,
            NO_BYTES, 0, 0);
        if (index < 0) {
            return JournalStatus.WRITE_FAILED;
        }
        lastEventsIndex = index;
        return flush(eventsSync, eventsAppender);
    }

    /**
     * Appends an invalid event taken in by this node: its body and violations (e.g. the JSON array the validator
     * writes) to the quarantine queue, then a marker to the events queue. OK only when both are written (and
     * flushed).
     */
    public JournalStatus appendQuarantine(final long sequence, final long receiveMillis, final long receiveNanos,
                                          final int outcomeCode, final byte[] body, final int bodyOffset,
                                          final int bodyLength, final byte[] violations, final int violationsOffset,
                                          final int violationsLength) {
        return appendQuarantine(sequence, receiveMillis, receiveNanos, outcomeCode, NO_SOURCE_PARTITION,
            NO_SOURCE_OFFSET, body, bodyOffset, bodyLength, violations, violationsOffset, violationsLength);
    }

    /** As above; with a {@code sourcePartition} of 0 or more both entries carry the source record (version 2). */
    public JournalStatus appendQuarantine(final long sequence, final long receiveMillis, final long receiveNanos,
                                          final int outcomeCode, final int sourcePartition, final long sourceOffset,
                                          final byte[] body, final int bodyOffset, final int bodyLength,
                                          final byte[] violations, final int violationsOffset,
                                          final int violationsLength) {
        if (SafetyChecks.ENABLED) {
            checkOwnerThread();
        }
        if (closed) {
            return closedStatus();
        }
        final long quarantineIndex = write(quarantineAppender, quarantineTouch, JournalRecordKind.QUARANTINE, sequence,
            receiveMillis, receiveNanos, outcomeCode, NO_QUARANTINE_INDEX, sourcePartition, sourceOffset, body,
            bodyOffset, bodyLength, violations, violationsOffset, violationsLength);
        if (quarantineIndex < 0) {
            return JournalStatus.WRITE_FAILED;
        }
        lastQuarantineIndex = quarantineIndex;
        final JournalStatus quarantineFlushed = flush(quarantineSync, quarantineAppender);
        if (!quarantineFlushed.isOk()) {
            return quarantineFlushed; // no marker: replay never counts an event whose body may be lost
        }
        final long index = write(eventsAppender, eventsTouch, JournalRecordKind.QUARANTINE, sequence, receiveMillis,
            receiveNanos, outcomeCode, quarantineIndex, sourcePartition, sourceOffset, NO_BYTES, 0, 0, NO_BYTES, 0, 0);
        if (index < 0) {
            return JournalStatus.WRITE_FAILED;
        }
        lastEventsIndex = index;
        return flush(eventsSync, eventsAppender);
    }

    /** Appends a tick carrying only its receive time, so that windows close at the same point on replay. */
    public JournalStatus appendHeartbeat(final long sequence, final long receiveMillis, final long receiveNanos) {
        return appendHeartbeat(sequence, receiveMillis, receiveNanos, NO_SOURCE_PARTITION, NO_SOURCE_OFFSET);
    }

    /**
     * As above; with a {@code sourcePartition} of 0 or more the tick is a heartbeat record of that Kafka partition
     * (cluster mode) and carries it (version 2), so it is a resume point like any record of the partition.
     */
    public JournalStatus appendHeartbeat(final long sequence, final long receiveMillis, final long receiveNanos,
                                         final int sourcePartition, final long sourceOffset) {
        if (SafetyChecks.ENABLED) {
            checkOwnerThread();
        }
        if (closed) {
            return closedStatus();
        }
        final long index = write(eventsAppender, eventsTouch, JournalRecordKind.HEARTBEAT, sequence, receiveMillis,
            receiveNanos, 0, NO_QUARANTINE_INDEX, sourcePartition, sourceOffset, NO_BYTES, 0, 0, NO_BYTES, 0, 0);
        if (index < 0) {
            return JournalStatus.WRITE_FAILED;
        }
        lastEventsIndex = index;
        return flush(eventsSync, eventsAppender);
    }

    /**
     * Writes one entry in a Chronicle document; on any failure the document is rolled back, so its header
     * never becomes ready and no reader sees it.
     *
     * @return the entry's index, or -1 with {@link #lastError} set
     */
    private long write(final ExcerptAppender appender, final JournalPretoucher.Target touch,
                       final JournalRecordKind kind, final long sequence,
                       final long receiveMillis, final long receiveNanos, final int outcomeCode,
                       final long quarantineIndex, final int sourcePartition, final long sourceOffset,
                       final byte[] body, final int bodyOffset, final int bodyLength,
                       final byte[] violations, final int violationsOffset, final int violationsLength) {
        final DocumentContext document;
        try {
            document = appender.writingDocument();
        } catch (final RuntimeException e) {
            return failed("cannot start a journal entry", e);
        }
        boolean written = false;
        long end = -1L;
        try {
            final Bytes<?> bytes = document.wire().bytes();
            final long start = bytes.writePosition();
            // Field order is JournalEntryDescriptor's layout, offset by offset; version 2 only with a source record.
            final boolean withSource = sourcePartition >= 0;
            bytes.writeByte(withSource ? JournalEntryDescriptor.VERSION_WITH_SOURCE : JournalEntryDescriptor.VERSION)
                .writeByte(kind.code())
                .writeShort((short) 0)
                .writeInt(outcomeCode)
                .writeLong(sequence)
                .writeLong(receiveMillis)
                .writeLong(receiveNanos)
                .writeLong(quarantineIndex)
                .writeInt(bodyLength)
                .writeInt(violationsLength);
            if (withSource) {
                bytes.writeInt(sourcePartition)
                    .writeInt(0)
                    .writeLong(sourceOffset);
            }
            if (SafetyChecks.ENABLED && bytes.writePosition() - start != (withSource
                ? JournalEntryDescriptor.SOURCE_HEADER_LENGTH : JournalEntryDescriptor.HEADER_LENGTH)) {
                throw new IllegalStateException("journal header written as " + (bytes.writePosition() - start) + " bytes");
            }
            bytes.write(body, bodyOffset, bodyLength);
            bytes.write(violations, violationsOffset, violationsLength);
            end = bytes.writePosition();
            written = true;
        } catch (final RuntimeException e) {
            document.rollbackOnClose();
            failed("cannot write the " + kind + " journal entry", e);
        } finally {
            try {
                document.close();
            } catch (final RuntimeException e) {
                written = false;
                failed("cannot commit the " + kind + " journal entry", e);
            }
        }
        if (!written) {
            return -1L;
        }
        if (touch != null) {
            touch.wrote(appender, end);
        }
        return appender.lastIndexAppended();
    }

    /**
     * Writer thread, before the first append of a batch: the roll clock is read now and holds for the batch's
     * appends (one clock read a batch instead of one an append; a roll comes at most one batch late, which
     * {@link PerBatchRollClock} says why is safe). A writer that never calls it rolls by the clock of each append.
     */
    public void beginBatch() {
        rollClock.latch();
    }

    /**
     * Writer thread: with {@code true}, SYNC appends are written but not flushed until {@link #syncPending()}
     * (one {@code fdatasync} per batch instead of per entry). Until then their answer must wait.
     */
    public void groupCommit(final boolean enabled) {
        this.groupCommit = enabled;
    }

    /**
     * Writer thread: flushes what group-committed appends left unflushed, quarantine first (so that a marker
     * never reaches the disk before its body). OK at once with ASYNC or when nothing is pending.
     */
    public JournalStatus syncPending() {
        if (!sync) {
            return JournalStatus.OK;
        }
        if (quarantineDirty) {
            quarantineDirty = false;
            final JournalStatus q = force(quarantineSync, quarantineAppender);
            if (!q.isOk()) {
                eventsDirty = false;
                return q;
            }
        }
        if (eventsDirty) {
            eventsDirty = false;
            return force(eventsSync, eventsAppender);
        }
        return JournalStatus.OK;
    }

    private JournalStatus flush(final CycleFileSync fileSync, final ExcerptAppender appender) {
        if (!sync) {
            return JournalStatus.OK;
        }
        if (groupCommit) {
            if (fileSync == eventsSync) {
                eventsDirty = true;
            } else {
                quarantineDirty = true;
            }
            return JournalStatus.OK;
        }
        return force(fileSync, appender);
    }

    private JournalStatus force(final CycleFileSync fileSync, final ExcerptAppender appender) {
        try {
            fileSync.force(appender);
            syncCount++;
            return JournalStatus.OK;
        } catch (final IOException | RuntimeException e) {
            lastError = "cannot flush the journal to disk: " + e;
            return JournalStatus.SYNC_FAILED;
        }
    }

    private long failed(final String what, final RuntimeException e) {
        lastError = what + ": " + e;
        return -1L;
    }

    private JournalStatus closedStatus() {
        lastError = "the journal is closed";
        return JournalStatus.CLOSED;
    }

    private void checkOwnerThread() {
        final Thread current = Thread.currentThread();
        if (owner == null) {
            owner = current;
        } else if (owner != current) {
            throw new IllegalStateException("journal appended from " + current + ", owner " + owner);
        }
    }

    /** Why the last append that did not return OK failed; empty when none has. Writer thread only. */
    public String lastError() {
        return lastError;
    }

    /** Index in the events queue of the last entry this writer appended, or -1. Writer thread only. */
    public long lastEventsIndex() {
        return lastEventsIndex;
    }

    /** Index in the quarantine queue of the last entry this writer appended, or -1. Writer thread only. */
    public long lastQuarantineIndex() {
        return lastQuarantineIndex;
    }

    /** Appends flushed to the device since open (each queue counted apart); 0 with ASYNC. Writer thread only. */
    public long syncCount() {
        return syncCount;
    }

    public JournalConfig config() {
        return config;
    }

    /** Bytes the page thread has brought into the page cache ahead of this writer (any thread); 0 when off. */
    public long pretouchedBytes() {
        return eventsTouch == null ? 0L : eventsTouch.touchedBytes() + quarantineTouch.touchedBytes();
    }

    /** Bytes the page thread has written back and dropped behind this writer (any thread); 0 when off. */
    public long droppedBehindBytes() {
        return eventsTouch == null ? 0L : eventsTouch.droppedBytes() + quarantineTouch.droppedBytes();
    }

    /**
     * Deletes the cycle files that both fall out of retention ({@link JournalConfig#retainCycles()}, counting
     * the current cycle by the roll clock) and lie wholly before the cycle of {@code coveredIndex}: every
     * entry at an index up to {@code coveredIndex} of the events queue is covered by a snapshot, so a
     * replay never needs it. The cycle holding {@code coveredIndex} is kept whole. Pass -1 when nothing is
     * covered: nothing is deleted. The quarantine queue keeps one cycle more than the events queue, so a
     * marker never outlives its record across a roll.
     *
     * @return the number of cycle files deleted, both queues together
     * @throws UncheckedIOException when a file cannot be deleted (those before it are gone)
     */
    public int deleteExpiredCycles(final long coveredIndex) {
        if (coveredIndex < 0 || closed) {
            return 0;
        }
        final int currentCycle = eventsQueue.cycle();
        final int retainedFrom = currentCycle - config.retainCycles() + 1;
        final int coveredFrom = config.rollCycle().chronicle().toCycle(coveredIndex);
        final int keepFrom = Math.min(Math.min(retainedFrom, coveredFrom), currentCycle);
        return CycleRetention.deleteCyclesBefore(eventsQueue, config.rollCycle(), keepFrom)
            + CycleRetention.deleteCyclesBefore(quarantineQueue, config.rollCycle(), keepFrom - 1);
    }

    /**
     * Owner thread: gives up ownership, so that the next thread to append becomes the single writer (the inline
     * wiring, whose stages run on whichever publishing thread holds the drain; the hand-over is ordered by it).
     */
    public void handOver() {
        owner = null;
        eventsAppender.singleThreadedCheckReset();
        quarantineAppender.singleThreadedCheckReset();
    }

    /** Closes both queues and the sync channels. Call after the owner thread has stopped appending. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (pretoucher != null) {
            pretoucher.close();
        }
        eventsSync.close();
        quarantineSync.close();
        eventsAppender.singleThreadedCheckReset();
        quarantineAppender.singleThreadedCheckReset();
        try {
            eventsAppender.close();
            quarantineAppender.close();
        } finally {
            try {
                eventsQueue.close();
            } finally {
                quarantineQueue.close();
            }
        }
    }

    /** The events queue, for tests that break it behind the writer's back. */
    SingleChronicleQueue eventsQueue() {
        return eventsQueue;
    }

    /** The quarantine queue, for tests that break it behind the writer's back. */
    SingleChronicleQueue quarantineQueue() {
        return quarantineQueue;
    }
}
