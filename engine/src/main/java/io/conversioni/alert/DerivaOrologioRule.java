package io.conversioni.alert;

import io.conversioni.pipeline.Outcome;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import java.util.List;

/**
 * {@code deriva_orologio}: the p99 of receive time − event time per canale, over tumbling windows of
 * receive time, above {@code threshold} (the article's 10 ms between servers) once {@code min_events}
 * arrived. What is measured includes the transit time from the CRM's clock to ours (network, retries,
 * queues), not the clock offset alone. Events dated ahead count as 0. Fires as soon as the running
 * window crosses; resolves when a whole window ends below. Counts accepted and duplicate events only.
 * Rules thread only; allocates nothing per event (preallocated histograms).
 */
final class DerivaOrologioRule implements StreamRule {
    private static final long MAX_SKEW_MILLIS = 86_400_000L;

    private final AlertBook book;
    private final long thresholdMillis;
    private final long minEvents;
    private final long windowMillis;
    private final long holdDownMillis;
    private final String[] keys;
    private final String[] canali;
    private final Histogram[] current;
    private final long[] windowStart;
    /**
     * Per canale, values recorded in the current window whose histogram bucket lies above the threshold. While
     * it is 0 the p99 cannot be above the threshold (a percentile is always the top of a recorded value's
     * bucket), so the percentile walk over the histogram, the costliest step per event, is skipped.
     */
    private final long[] aboveThreshold;
    /**
     * Per canale: an event of the current window already found its p99 above the threshold and made sure the
     * alert is open (which cancels a pending resolve). Until the window rolls nothing else can resolve it,
     * so later events of the window skip the percentile walk: under a lasting skew it ran on every event.
     */
    private final boolean[] heldInWindow;

    /** True on the elected cluster node: only {@link #decided} calls from the cluster count, not this engine's. */
    private final boolean fromCluster;

    DerivaOrologioRule(final AlertBook book, final AlertConfig c, final List<String> canali) {
        this(book, c, canali, false);
    }

    DerivaOrologioRule(final AlertBook book, final AlertConfig c, final List<String> canali, final boolean fromCluster) {
        this.fromCluster = fromCluster;
        this.book = book;
        this.thresholdMillis = c.derivaThresholdMillis;
        this.minEvents = c.derivaMinEvents;
        this.windowMillis = c.derivaWindowMillis;
        this.holdDownMillis = c.derivaResolveAfterMillis;
        this.canali = canali.toArray(new String[0]);
        this.keys = new String[canali.size()];
        this.current = new Histogram[canali.size()];
        this.windowStart = new long[canali.size()];
        this.aboveThreshold = new long[canali.size()];
        this.heldInWindow = new boolean[canali.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "canale=" + canali.get(i);
            current[i] = new Histogram(MAX_SKEW_MILLIS, 2);
            windowStart[i] = Long.MIN_VALUE;
        }
    }

    @Override
    public String name() {
        return AlertConfig.DERIVA_OROLOGIO;
    }

    @Override
    public void onEvent(final FeedRecord e, final long now) {
        if (!fromCluster) {
            decided(e, now);
        }
    }

    /** A decided event: this engine's, or (on the elected cluster node) any owner's. */
    void decided(final FeedRecord e, final long now) {
        if ((e.outcome != Outcome.ACCEPTED && e.outcome != Outcome.DUPLICATE) || e.canale < 0 || e.canale >= keys.length
            || e.eventMillis == Long.MIN_VALUE) {
            return;
        }
        final int c = e.canale;
        roll(c, now);
        final long skew = Math.min(MAX_SKEW_MILLIS, Math.max(0, e.receiveMillis - e.eventMillis));
        current[c].recordValue(skew);
        if (current[c].highestEquivalentValue(skew) > thresholdMillis) {
            aboveThreshold[c]++;
        }
        if (heldInWindow[c] || !p99CanExceedThreshold(c)) {
            return;
        }
        final long p99 = p99(current[c]);
        if (p99 > thresholdMillis) {
            heldInWindow[c] = true;
            if (!book.stillHolds(AlertConfig.DERIVA_OROLOGIO, keys[c])) {
                book.holds(AlertConfig.DERIVA_OROLOGIO, keys[c], now, "p99 of receive minus event time for canale "
                    + canali[c] + " is " + p99 + " ms over " + current[c].getTotalCount()
                    + " events (threshold " + thresholdMillis + " ms; includes transit time)", p99, thresholdMillis);
            }
        }
    }

    /**
     * Whether the window's p99 can lie above the threshold, without the walk: only when at least
     * {@code min_events} arrived and more than about 1 % of them sit in buckets above it. The margin makes the
     * test safe for any rounding of the percentile's rank: with {@code 100 × (above + 1) ≤ total}, at least
     * {@code 0.99 × total + 1} values lie at or below the threshold, more than the rank of the 99th percentile.
     */
    private boolean p99CanExceedThreshold(final int c) {
        final long total = current[c].getTotalCount();
        return total >= minEvents && aboveThreshold[c] > 0 && 100 * (aboveThreshold[c] + 1) > total;
    }

    private static long p99(final Histogram h) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99.0);
    }

    /** A window of this canale ended: judge it whole, then start the next. */
    private void roll(final int c, final long now) {
        final long start = Math.floorDiv(now, windowMillis) * windowMillis;
        if (windowStart[c] == start) {
            return;
        }
        if (windowStart[c] != Long.MIN_VALUE) {
            final Histogram h = current[c];
            if (!p99CanExceedThreshold(c) || p99(h) <= thresholdMillis) {
                book.lapses(AlertConfig.DERIVA_OROLOGIO, keys[c], now, holdDownMillis);
            }
            h.reset();
            aboveThreshold[c] = 0;
            heldInWindow[c] = false;
        }
        windowStart[c] = start;
    }

    @Override
    public void onTime(final long now) {
        for (int c = 0; c < keys.length; c++) {
            roll(c, now);
            if (windowStart[c] != Long.MIN_VALUE && current[c].getTotalCount() == 0) {
                book.lapses(AlertConfig.DERIVA_OROLOGIO, keys[c], now, holdDownMillis); // hold-down runs on
            }
        }
    }

    /** Window length, threshold and canali, then per canale its window, counters and the histogram's recorded values. */
    @Override
    public void writeState(final DataOutputStream out) throws IOException {
        out.writeLong(windowMillis);
        out.writeLong(thresholdMillis);
        RuleStateFile.writeCanali(out, canali);
        for (int c = 0; c < keys.length; c++) {
            out.writeLong(windowStart[c]);
            out.writeLong(aboveThreshold[c]);
            out.writeBoolean(heldInWindow[c]);
            int distinct = 0;
            for (HistogramIterationValue ignored : current[c].recordedValues()) {
                distinct++;
            }
            out.writeInt(distinct);
            for (HistogramIterationValue v : current[c].recordedValues()) {
                out.writeLong(v.getValueIteratedTo());
                out.writeLong(v.getCountAtValueIteratedTo());
            }
        }
    }

    @Override
    public void readState(final DataInputStream in) throws IOException {
        RuleStateFile.expect(in.readLong() == windowMillis, "deriva_orologio.window");
        RuleStateFile.expect(in.readLong() == thresholdMillis, "deriva_orologio.threshold");
        RuleStateFile.checkCanali(in, canali);
        for (int c = 0; c < keys.length; c++) {
            windowStart[c] = in.readLong();
            aboveThreshold[c] = in.readLong();
            heldInWindow[c] = in.readBoolean();
            final int distinct = in.readInt();
            for (int i = 0; i < distinct; i++) {
                final long value = in.readLong();
                final long count = in.readLong();
                RuleStateFile.expect(value >= 0 && value <= MAX_SKEW_MILLIS && count > 0, "the histogram's range");
                current[c].recordValueWithCount(value, count);
            }
        }
    }
}
