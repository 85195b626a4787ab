package io.conversioni.cluster;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The order in which an owner feeds the records of its partitions into its one ring: each partition in offset
 * order, and across partitions the record received first ({@link ClusterHeaders#receiveMillis}) first; on a tie the
 * lower partition. The engine keeps one watermark for all the partitions it owns, so the order across partitions
 * decides whether an event finds its window still open: a live owner sees records about in receive order, and a
 * node reading hours of the topic back (a replacement, a restart after a long stop) sees them in that order too,
 * instead of Kafka's fetch order (which may hand over a partition's whole backlog, heartbeats that close windows
 * included, before another's).
 *
 * <p>A record may go only while no partition that still has records to fetch before its end offset taken at start
 * has an empty queue (the caller says which, {@link Waiting}): a record it has yet to fetch could be older.
 *
 * <p>Threading: the owner's consumer thread only. Allocation: a queue node per record (Kafka allocates the record
 * itself); the queues grow to what the consumer fetched and the caller pauses a partition whose queue is long.
 */
final class ReceiveTimeMerge {
    /** Which partitions (by index in {@code owns} order) have records left to fetch that must be waited for. */
    @FunctionalInterface
    interface Waiting {
        boolean mustWaitFor(int index);
    }

    private final List<ArrayDeque<ConsumerRecord<byte[], byte[]>>> queues;
    /** The receive time of each queue's head; meaningless for an empty queue. */
    private final long[] headMillis;
    /** Owned partition number to its index; -1 for a partition not owned. */
    private final int[] indexOfPartition;

    ReceiveTimeMerge(final int[] ownedPartitions) {
        int max = -1;
        for (int p : ownedPartitions) {
            max = Math.max(max, p);
        }
        indexOfPartition = new int[max + 1];
        java.util.Arrays.fill(indexOfPartition, -1);
        queues = new ArrayList<>(ownedPartitions.length);
        for (int i = 0; i < ownedPartitions.length; i++) {
            indexOfPartition[ownedPartitions[i]] = i;
            queues.add(new ArrayDeque<>());
        }
        headMillis = new long[ownedPartitions.length];
    }

    /** The index (in {@code owns} order) of owned partition {@code partition}. */
    int indexOf(final int partition) {
        return indexOfPartition[partition];
    }

    /** Queues a fetched record of an owned partition behind the ones of its partition fetched before it. */
    void add(final ConsumerRecord<byte[], byte[]> record) {
        final int i = indexOfPartition[record.partition()];
        final ArrayDeque<ConsumerRecord<byte[], byte[]>> q = queues.get(i);
        if (q.isEmpty()) {
            headMillis[i] = ClusterHeaders.receiveMillis(record);
        }
        q.addLast(record);
    }

    /** Records queued for the partition at {@code index}. */
    int queued(final int index) {
        return queues.get(index).size();
    }

    /** The head of the partition at {@code index}, or null. */
    ConsumerRecord<byte[], byte[]> head(final int index) {
        return queues.get(index).peekFirst();
    }

    /**
     * Takes the record to feed next, or null when none may go yet: every queue is empty, or a partition {@code
     * waiting} names has an empty one.
     */
    ConsumerRecord<byte[], byte[]> next(final Waiting waiting) {
        int best = -1;
        for (int i = 0; i < headMillis.length; i++) {
            if (queues.get(i).isEmpty()) {
                if (waiting.mustWaitFor(i)) {
                    return null;
                }
            } else if (best < 0 || headMillis[i] < headMillis[best]) {
                best = i;
            }
        }
        if (best < 0) {
            return null;
        }
        final ArrayDeque<ConsumerRecord<byte[], byte[]>> q = queues.get(best);
        final ConsumerRecord<byte[], byte[]> record = q.pollFirst();
        if (!q.isEmpty()) {
            headMillis[best] = ClusterHeaders.receiveMillis(q.peekFirst());
        }
        return record;
    }
}
