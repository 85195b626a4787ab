package io.conversioni.pipeline;

import io.conversioni.journal.JournalResumePoints;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * Per Kafka partition, the offset after the newest record the state includes (cluster mode: records fed in by
 * {@link Engine#tryPublishRecord} and {@link Engine#tryPublishHeartbeatRecord}), kept with the state and saved in
 * each snapshot, so that a partition whose last journal entry lies in a cycle retention deleted still has its
 * resume point ({@link Engine#resumeOffsets} takes the larger of this and the journal's).
 *
 * <p>Threading: {@link #onRecord} and {@link #writeState} on the thread that owns the state: the window thread
 * while the stages run, the starting thread during recovery, the closing thread after they stopped;
 * {@link #readState} and {@link #toArray} on the starting thread before the stages run. Allocation: none per record; the array grows (doubling) only when a higher partition number first appears.
 * A single node never has a record, writes nothing of this, and its snapshots keep their first layout.
 */
final class SingleWriterResumePoints {
    /** Index = partition; {@link JournalResumePoints#NONE} for a partition never seen. */
    private long[] next = new long[0];
    private int partitions;

    /** The record at {@code offset} of {@code partition} is now in the state. */
    void onRecord(final int partition, final long offset) {
        if (partition >= next.length) {
            final int old = next.length;
            next = Arrays.copyOf(next, Math.max(partition + 1, old * 2));
            Arrays.fill(next, old, next.length, JournalResumePoints.NONE);
        }
        if (next[partition] == JournalResumePoints.NONE) {
            partitions++;
        }
        next[partition] = Math.max(next[partition], offset + 1);
    }

    /** Whether any record was seen: a single node's state has none, and its snapshot layout stays version 1. */
    boolean isEmpty() {
        return partitions == 0;
    }

    /** Count, then (partition int32, next offset int64) per partition seen, ascending. */
    void writeState(final DataOutputStream out) throws IOException {
        out.writeInt(partitions);
        for (int p = 0; p < next.length; p++) {
            if (next[p] != JournalResumePoints.NONE) {
                out.writeInt(p);
                out.writeLong(next[p]);
            }
        }
    }

    /** Replaces the state with what {@link #writeState} wrote. */
    void readState(final DataInputStream in) throws IOException {
        final int count = in.readInt();
        if (count < 0 || count > 1 << 20) {
            throw new IOException("resume points: " + count + " partitions");
        }
        next = new long[0];
        partitions = 0;
        for (int i = 0; i < count; i++) {
            final int partition = in.readInt();
            final long offset = in.readLong();
            if (partition < 0 || partition >= 1 << 20 || offset <= 0) {
                throw new IOException("resume point " + partition + "@" + offset);
            }
            onRecord(partition, offset - 1);
        }
    }

    /** A copy: index = partition, the offset after its newest record in the state or NONE. */
    long[] toArray() {
        return next.clone();
    }

    /** For each of {@code asked}, the offset after the newest record of it in the state, or NONE. */
    long[] copy(final int[] asked) {
        final long[] out = new long[asked.length];
        for (int i = 0; i < asked.length; i++) {
            out[i] = asked[i] >= 0 && asked[i] < next.length ? next[asked[i]] : JournalResumePoints.NONE;
        }
        return out;
    }
}
