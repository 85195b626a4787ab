package io.conversioni.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads one journal queue (events or quarantine) in append order, from the start or from an index, into
 * a reusable {@link JournalRecord}. Opens the queue read-only, so it may run beside a live writer, in this
 * process or another, and sees each entry once it is committed.
 *
 * <p>Threading: one reader thread. Allocation: none per entry after warm-up (the record's arrays grow to
 * the longest entry); opening and moving to a new cycle file allocate. Close it to release the mapped
 * files.
 */
public final class JournalReader implements AutoCloseable {
    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private final JournalEntryFlyweight entry = new JournalEntryFlyweight();
    private ExcerptTailer backward;

    private JournalReader(final SingleChronicleQueue queue) {
        this.queue = queue;
        this.tailer = queue.createTailer();
        this.tailer.singleThreadedCheckReset(); // the thread that reads first owns it, not the opener
    }

    /**
     * The events queue of the journal {@code config} describes: the one a replay rebuilds state from.
     *
     * @throws IllegalStateException when there is no queue there yet
     */
    public static JournalReader openEvents(final JournalConfig config) {
        return open(config.eventsDirectory(), config.rollCycle(), SystemTimeProvider.INSTANCE);
    }

    /**
     * The quarantine queue of the journal {@code config} describes: invalid bodies with their violations.
     *
     * @throws IllegalStateException when there is no queue there yet
     */
    public static JournalReader openQuarantine(final JournalConfig config) {
        return open(config.quarantineDirectory(), config.rollCycle(), SystemTimeProvider.INSTANCE);
    }

    /**
     * Opens the queue in {@code queueDirectory} read-only. Should the files say another roll cycle than
     * {@code rollCycle}, Chronicle warns and follows the files. The roll clock only decides which cycle is
     * current (tests move it).
     */
    static JournalReader open(final Path queueDirectory, final JournalRollCycle rollCycle,
                              final TimeProvider rollClock) {
        if (!Files.isDirectory(queueDirectory)) {
            throw new IllegalStateException("no journal queue in '" + queueDirectory
                + "': check " + JournalConfig.KEY_DIRECTORY + ", or start the engine once to create it");
        }
        final SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(queueDirectory)
            .readOnly(true)
            .rollCycle(rollCycle.chronicle())
            .timeProvider(rollClock)
            .build();
        try {
            return new JournalReader(queue);
        } catch (final RuntimeException e) {
            queue.close();
            throw e;
        }
    }

    /**
     * Reads the next committed entry into {@code into}.
     *
     * @return false when there is none yet (a live writer may add more: call again later)
     * @throws IllegalStateException when the entry is not a well-formed journal entry (the reader has moved
     *                               past it); replay must stop there
     */
    public boolean next(final JournalRecord into) {
        try (DocumentContext document = tailer.readingDocument()) {
            if (!document.isPresent()) {
                return false;
            }
            final Bytes<?> bytes = document.wire().bytes();
            entry.wrap(bytes, bytes.readPosition(), bytes.readRemaining());
            if (!entry.isWellFormed()) {
                throw new IllegalStateException("malformed journal entry at index 0x"
                    + Long.toHexString(document.index()) + " of " + queue.file() + " (" + bytes.readRemaining()
                    + " bytes): replay stops here");
            }
            into.readFrom(document.index(), entry);
            return true;
        }
    }

    /** Moves so that {@link #next} reads the entry at {@code index}; false (and no move) when there is none. */
    public boolean moveToIndex(final long index) {
        return tailer.moveToIndex(index);
    }

    /**
     * A second tailer on this reader's queue that reads from the last entry toward the first; closed with this
     * reader. For {@link JournalResumePoints}, which reads headers only.
     */
    ExcerptTailer backwardFromEnd() {
        backward = queue.createTailer().direction(TailerDirection.BACKWARD).toEnd();
        backward.singleThreadedCheckReset();
        return backward;
    }

    /** Moves so that {@link #next} reads the first entry still on disk. */
    public void toStart() {
        tailer.toStart();
    }

    /** Index of the first entry still on disk, or {@link Long#MAX_VALUE} when the queue is empty. */
    public long firstIndex() {
        return queue.firstIndex();
    }

    /** Index of the last committed entry, or -1 when the queue is empty. */
    public long lastIndex() {
        return queue.lastIndex();
    }

    @Override
    public void close() {
        tailer.singleThreadedCheckReset();
        try {
            if (backward != null) {
                backward.singleThreadedCheckReset();
                backward.close();
            }
            tailer.close();
        } finally {
            queue.close();
        }
    }
}
