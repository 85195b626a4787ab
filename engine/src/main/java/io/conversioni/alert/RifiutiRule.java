package io.conversioni.alert;

import io.conversioni.pipeline.EngineCounters;
import io.conversioni.pipeline.Outcome;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * {@code rifiuti}: the share of rejected (schema-invalid) events among all decided events over a sliding
 * {@code window} exceeds {@code threshold}, once at least {@code min_events} arrived in it. Key
 * {@code totale} (rejected bodies may not name a valid canale). The window slides in ten buckets.
 * Rules thread only; allocates nothing per event.
 */
final class RifiutiRule implements StreamRule {
    static final String CHIAVE = "totale";
    private static final int BUCKETS = 10;

    private final AlertBook book;
    private final double threshold;
    private final long minEvents;
    private final long windowMillis;
    private final long bucketMillis;
    private final long holdDownMillis;
    private final long[] total = new long[BUCKETS];
    private final long[] rejected = new long[BUCKETS];
    private final long[] byCode = new long[EngineCounters.REJECTION_CODES.size()];
    private long currentBucket = Long.MIN_VALUE;

    RifiutiRule(final AlertBook book, final AlertConfig c) {
        this.book = book;
        this.threshold = c.rifiutiThreshold;
        this.minEvents = c.rifiutiMinEvents;
        this.windowMillis = c.rifiutiWindowMillis;
        this.bucketMillis = Math.max(1, windowMillis / BUCKETS);
        this.holdDownMillis = c.rifiutiResolveAfterMillis;
    }

    @Override
    public String name() {
        return AlertConfig.RIFIUTI;
    }

    private void advance(final long now) {
        final long bucket = Math.floorDiv(now, bucketMillis);
        if (currentBucket == Long.MIN_VALUE || bucket - currentBucket >= BUCKETS) {
            java.util.Arrays.fill(total, 0);
            java.util.Arrays.fill(rejected, 0);
            java.util.Arrays.fill(byCode, 0);
        } else {
            for (long b = currentBucket + 1; b <= bucket; b++) {
                total[Math.floorMod(b, BUCKETS)] = 0;
                rejected[Math.floorMod(b, BUCKETS)] = 0;
            }
        }
        currentBucket = Math.max(currentBucket, bucket);
    }

    @Override
    public void onEvent(final FeedRecord e, final long now) {
        advance(now);
        final int i = Math.floorMod(currentBucket, BUCKETS);
        total[i]++;
        if (e.outcome == Outcome.REJECTED) {
            rejected[i]++;
            if (e.rejectionCode >= 0 && e.rejectionCode < byCode.length) {
                byCode[e.rejectionCode]++;
            }
        }
        evaluate(now);
    }

    @Override
    public void onTime(final long now) {
        advance(now);
        evaluate(now);
    }

    private void evaluate(final long now) {
        long t = 0;
        long r = 0;
        for (int i = 0; i < BUCKETS; i++) {
            t += total[i];
            r += rejected[i];
        }
        final double share = t == 0 ? 0 : (double) r / t;
        if (t >= minEvents && share > threshold) {
            if (!book.stillHolds(AlertConfig.RIFIUTI, CHIAVE)) {
                book.holds(AlertConfig.RIFIUTI, CHIAVE, now, r + " of " + t + " events rejected in "
                    + windowMillis / 1000 + " s (" + Math.round(share * 1000) / 10.0 + "%), most often for "
                    + commonestCode(), share, threshold);
            }
        } else {
            book.lapses(AlertConfig.RIFIUTI, CHIAVE, now, holdDownMillis);
        }
    }

    private String commonestCode() {
        int best = byCode.length - 1;
        for (int i = 0; i < byCode.length; i++) {
            if (byCode[i] > byCode[best]) {
                best = i;
            }
        }
        return EngineCounters.REJECTION_CODES.get(best);
    }

    /** Bucket length and code count (the shape), the current bucket, then the three arrays. */
    @Override
    public void writeState(final DataOutputStream out) throws IOException {
        out.writeLong(bucketMillis);
        out.writeInt(byCode.length);
        out.writeLong(currentBucket);
        for (long[] a : new long[][] {total, rejected, byCode}) {
            for (long v : a) {
                out.writeLong(v);
            }
        }
    }

    @Override
    public void readState(final DataInputStream in) throws IOException {
        RuleStateFile.expect(in.readLong() == bucketMillis, "rifiuti.window");
        RuleStateFile.expect(in.readInt() == byCode.length, "the rejection codes");
        currentBucket = in.readLong();
        for (long[] a : new long[][] {total, rejected, byCode}) {
            for (int i = 0; i < a.length; i++) {
                a[i] = in.readLong();
            }
        }
    }
}
