package io.conversioni.cluster;

import io.conversioni.journal.JournalResumePoints;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where an owner starts reading each of its partitions, and when it has caught up. A partition the journal holds a
 * record of resumes after it; one it holds nothing of (a replacement node) is rebuilt: read from the first record
 * at or after a time ({@code offsetsForTimes}; the end when every record is older), and its records below the end
 * offset taken at start get no verdict. The end offsets taken at start are also what "caught up" means: every
 * record below them fed in ({@link #allFedIn}).
 *
 * <p>Threading: the owner's consumer thread only (it calls the consumer). Allocation: at {@link #seek}; none after.
 */
final class StartPositions implements ReceiveTimeMerge.Waiting {
    private final Consumer<byte[], byte[]> consumer;
    private final List<TopicPartition> assignment;
    private final long[] endAtStart;
    /** Records below this offset get no verdict (a rebuilt partition's end at start); -1 for a resumed partition. */
    private final long[] noVerdictBelow;
    private final long[] from;
    /** Whether the consumer's position has reached the end at start (it then never waits for the partition). */
    private final boolean[] fetchedToEnd;

    private StartPositions(final Consumer<byte[], byte[]> consumer, final List<TopicPartition> assignment) {
        this.consumer = consumer;
        this.assignment = assignment;
        this.endAtStart = new long[assignment.size()];
        this.noVerdictBelow = new long[assignment.size()];
        this.from = new long[assignment.size()];
        this.fetchedToEnd = new boolean[assignment.size()];
    }

    /**
     * Takes the end offsets of the assigned partitions, then seeks each to its resume point ({@code resumeOffsets},
     * in assignment order) or, where that is {@link JournalResumePoints#NONE}, to the first record at or after
     * {@code rebuildSinceMillis}. Blocking calls, bounded by the consumer's {@code default.api.timeout.ms}.
     */
    static StartPositions seek(final Consumer<byte[], byte[]> consumer, final List<TopicPartition> assignment,
                               final long[] resumeOffsets, final long rebuildSinceMillis) {
        final StartPositions p = new StartPositions(consumer, assignment);
        final Map<TopicPartition, Long> ends = consumer.endOffsets(assignment);
        final Map<TopicPartition, Long> rebuildFrom = new HashMap<>();
        for (int i = 0; i < assignment.size(); i++) {
            p.endAtStart[i] = ends.get(assignment.get(i));
            if (resumeOffsets[i] == JournalResumePoints.NONE) {
                rebuildFrom.put(assignment.get(i), rebuildSinceMillis);
            }
        }
        final Map<TopicPartition, OffsetAndTimestamp> found = rebuildFrom.isEmpty() ? Map.of()
            : consumer.offsetsForTimes(rebuildFrom);
        for (int i = 0; i < assignment.size(); i++) {
            if (resumeOffsets[i] == JournalResumePoints.NONE) {
                final OffsetAndTimestamp at = found.get(assignment.get(i));
                p.from[i] = at == null ? p.endAtStart[i] : at.offset();
                p.noVerdictBelow[i] = p.endAtStart[i];
            } else {
                p.from[i] = resumeOffsets[i];
                p.noVerdictBelow[i] = -1L;
            }
            consumer.seek(assignment.get(i), p.from[i]);
        }
        return p;
    }

    /** Whether the partition at {@code i}, its queue empty, may still hold a record to fetch below its end at start. */
    @Override
    public boolean mustWaitFor(final int i) {
        if (fetchedToEnd[i]) {
            return false;
        }
        if (consumer.position(assignment.get(i)) >= endAtStart[i]) {
            fetchedToEnd[i] = true;
            return false;
        }
        return true;
    }

    /** Whether the record at {@code offset} of the partition at {@code i} is answered (not one a rebuild reads). */
    boolean wantsVerdict(final int i, final long offset) {
        return offset >= noVerdictBelow[i];
    }

    /**
     * Whether every record below the ends at start was fed in: all fetched, and none of them still queued in
     * {@code merge} or waiting for the ring ({@code current}, of the partition at {@code currentIndex}).
     */
    boolean allFedIn(final ReceiveTimeMerge merge, final ConsumerRecord<byte[], byte[]> current, final int currentIndex) {
        for (int i = 0; i < endAtStart.length; i++) {
            if (mustWaitFor(i)) {
                return false;
            }
            final ConsumerRecord<byte[], byte[]> head = merge.head(i);
            if (head != null && head.offset() < endAtStart[i]) {
                return false;
            }
        }
        return current == null || current.offset() >= endAtStart[currentIndex];
    }

    /** For the start's log line: where each partition is read from, and its end at start. */
    @Override
    public String toString() {
        return "reading from offsets " + Arrays.toString(from) + ", caught up at the end offsets " + Arrays.toString(endAtStart);
    }
}
