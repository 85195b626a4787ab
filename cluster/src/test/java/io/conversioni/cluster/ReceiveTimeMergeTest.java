package io.conversioni.cluster;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link ReceiveTimeMerge}: records leave by receive time across partitions ({@code ricevuto}, else the record
 * timestamp; a tie to the lower partition in {@code owns} order), each partition in offset order, and none while a
 * partition that must be waited for has nothing queued.
 */
class ReceiveTimeMergeTest {
    private static ConsumerRecord<byte[], byte[]> record(final int partition, final long offset, final long ricevuto,
                                                         final boolean inHeader) {
        final RecordHeaders headers = new RecordHeaders();
        if (inHeader) {
            headers.add(ClusterHeaders.RICEVUTO, ClusterHeaders.millis(ricevuto));
        }
        return new ConsumerRecord<>("eventi", partition, offset, inHeader ? 0L : ricevuto, TimestampType.CREATE_TIME,
            0, 0, null, null, headers, Optional.empty());
    }

    private static String name(final ConsumerRecord<byte[], byte[]> r) {
        return r == null ? null : r.partition() + "@" + r.offset();
    }

    @Test
    void shouldTakeTheRecordReceivedFirstAcrossPartitionsAndKeepEachPartitionsOffsetOrder() {
        final ReceiveTimeMerge merge = new ReceiveTimeMerge(new int[] {4, 1});
        merge.add(record(4, 10, 300, true));
        merge.add(record(4, 11, 100, true)); // older, but behind offset 10 of its partition
        merge.add(record(1, 7, 200, false)); // no header: its timestamp
        merge.add(record(1, 8, 300, true));
        final List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r = merge.next(i -> false); r != null; r = merge.next(i -> false)) {
            out.add(name(r));
        }
        // 1@7 (200) first; then 4@10 and 1@8 tie at 300: partition 4 is first in owns order; then 4@11
        assertEquals(List.of("1@7", "4@10", "4@11", "1@8"), out);
    }

    @Test
    void shouldWaitWhileAPartitionThatMustBeWaitedForHasNothingQueued() {
        final ReceiveTimeMerge merge = new ReceiveTimeMerge(new int[] {0, 1});
        merge.add(record(0, 0, 500, true));
        assertNull(merge.next(i -> i == 1), "partition 1 may still hold an older record");
        assertEquals("0@0", name(merge.next(i -> false)), "once it may not, partition 0 goes");
        merge.add(record(1, 3, 100, true));
        assertEquals("1@3", name(merge.next(i -> i == 1)), "a partition with records queued is never waited for");
        assertNull(merge.next(i -> false));
    }

    @Test
    void shouldMergeRandomPartitionsIntoOneReceiveTimeOrder() {
        final SplittableRandom random = new SplittableRandom(23);
        final ReceiveTimeMerge merge = new ReceiveTimeMerge(new int[] {0, 1, 2});
        final long[] time = new long[3];
        for (int n = 0; n < 3_000; n++) {
            final int p = random.nextInt(3);
            time[p] += random.nextInt(50); // increasing within a partition, as a live partition mostly is
            merge.add(record(p, n, time[p], true));
        }
        long last = Long.MIN_VALUE;
        int count = 0;
        for (ConsumerRecord<byte[], byte[]> r = merge.next(i -> false); r != null; r = merge.next(i -> false)) {
            final long t = ClusterHeaders.receiveMillis(r);
            assertEquals(true, t >= last, "out of receive order at " + name(r));
            last = t;
            count++;
        }
        assertEquals(3_000, count);
    }
}
