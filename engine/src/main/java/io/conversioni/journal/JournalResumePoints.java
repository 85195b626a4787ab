package io.conversioni.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.wire.DocumentContext;

import java.util.Arrays;

/**
 * Where an owner resumes each Kafka partition after a start: the offset after the newest entry of the events
 * queue fed from that partition (a version 2 entry, {@link JournalEntryDescriptor}). Kafka's committed offsets
 * are never the resume point: the journal is written before any verdict, so what it holds is exactly what was
 * decided.
 *
 * <p>Reads the events queue backward from its end, headers only, and stops as soon as every asked partition
 * was found, so a start costs a few entries while all partitions are busy; a partition never journaled makes
 * it read the whole retained queue. Only the entries still on disk count: a partition whose last record is in a
 * cycle retention deleted is reported as never journaled.
 *
 * <p>Call on one thread, before the first record is published (an owner's start); a live writer may append
 * heartbeats of its own timer meanwhile (they carry no partition; heartbeat records of a partition do, and come
 * through the owner's consumer, which is not reading yet). Allocates per call, not per entry.
 */
public final class JournalResumePoints {
    /** {@link #scan}'s answer for a partition with no entry in the journal (an owner rebuilds it from the topic). */
    public static final long NONE = -1L;

    private JournalResumePoints() {
    }

    /**
     * For each of {@code partitions}, the offset after the newest journaled record of that partition, or
     * {@link #NONE}; in the order asked.
     *
     * @throws IllegalStateException when there is no events queue, or an entry is malformed (as replay would)
     */
    public static long[] scan(final JournalConfig config, final int[] partitions) {
        final long[] next = new long[partitions.length];
        Arrays.fill(next, NONE);
        int missing = partitions.length;
        if (missing == 0) {
            return next;
        }
        final JournalEntryFlyweight entry = new JournalEntryFlyweight();
        try (JournalReader reader = JournalReader.openEvents(config)) {
            final ExcerptTailer tailer = reader.backwardFromEnd();
            while (missing > 0) {
                try (DocumentContext document = tailer.readingDocument()) {
                    if (!document.isPresent()) {
                        break;
                    }
                    final Bytes<?> bytes = document.wire().bytes();
                    entry.wrap(bytes, bytes.readPosition(), bytes.readRemaining());
                    if (!entry.isWellFormed()) {
                        throw new IllegalStateException("malformed journal entry at index 0x"
                            + Long.toHexString(document.index()) + " while looking for the resume points");
                    }
                    final int partition = entry.sourcePartition();
                    if (partition < 0) {
                        continue;
                    }
                    for (int i = 0; i < partitions.length; i++) {
                        if (partitions[i] == partition && next[i] == NONE) {
                            next[i] = entry.sourceOffset() + 1;
                            missing--;
                        }
                    }
                }
            }
        }
        return next;
    }
}
