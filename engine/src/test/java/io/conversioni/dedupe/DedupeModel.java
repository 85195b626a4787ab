package io.conversioni.dedupe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The straightforward oracle for {@link SingleWriterDedupeTable}: boxed keys in a {@link HashMap}, every
 * accepted event kept, no capacity, no probing. Test code; one thread.
 */
final class DedupeModel {
    record Key(long keyHi, long keyLo) {
    }

    record Accepted(long eventTimeMillis, long contentHash, long sequence, long receiveMillis) {
    }

    private final DedupeMode mode;
    private final long windowMillis;
    private final long ttlMillis;
    private final Map<Key, List<Accepted>> acceptedByKey = new HashMap<>();
    private long maxEventTimeMillis = Long.MIN_VALUE;
    private Accepted first;

    DedupeModel(final DedupeConfig config) {
        this.mode = config.mode();
        this.windowMillis = config.windowMillis();
        this.ttlMillis = config.ttlMillis();
    }

    /** @return the accepted event this one duplicates, or null (then it is accepted). */
    Accepted check(
        final long keyHi,
        final long keyLo,
        final long eventTimeMillis,
        final long contentHash,
        final long sequence,
        final long receiveMillis) {
        maxEventTimeMillis = Math.max(maxEventTimeMillis, eventTimeMillis);
        final List<Accepted> accepted = acceptedByKey.computeIfAbsent(new Key(keyHi, keyLo), k -> new ArrayList<>());
        first = null;
        for (final Accepted candidate : accepted) {
            if (candidate.eventTimeMillis() >= maxEventTimeMillis - ttlMillis &&
                duplicates(candidate, eventTimeMillis, contentHash) && better(candidate, eventTimeMillis)) {
                first = candidate;
            }
        }
        if (first == null) {
            accepted.add(new Accepted(eventTimeMillis, contentHash, sequence, receiveMillis));
        }
        return first;
    }

    private boolean duplicates(final Accepted candidate, final long eventTimeMillis, final long contentHash) {
        switch (mode) {
            case BUCKET:
                return bucket(candidate.eventTimeMillis()) == bucket(eventTimeMillis);
            case PROXIMITY:
                return Math.abs(candidate.eventTimeMillis() - eventTimeMillis) <= windowMillis;
            default:
                return candidate.eventTimeMillis() == eventTimeMillis && candidate.contentHash() == contentHash;
        }
    }

    /** PROXIMITY may match several: same bucket first, then the nearest in time, then the earliest. */
    private boolean better(final Accepted candidate, final long eventTimeMillis) {
        if (first == null) {
            return true;
        }
        final boolean candidateSameBucket = bucket(candidate.eventTimeMillis()) == bucket(eventTimeMillis);
        final boolean firstSameBucket = bucket(first.eventTimeMillis()) == bucket(eventTimeMillis);
        if (candidateSameBucket != firstSameBucket) {
            return candidateSameBucket;
        }
        final long candidateDistance = Math.abs(candidate.eventTimeMillis() - eventTimeMillis);
        final long firstDistance = Math.abs(first.eventTimeMillis() - eventTimeMillis);
        if (candidateDistance != firstDistance) {
            return candidateDistance < firstDistance;
        }
        return candidate.eventTimeMillis() < first.eventTimeMillis();
    }

    private long bucket(final long eventTimeMillis) {
        return Math.floorDiv(eventTimeMillis, windowMillis);
    }
}
