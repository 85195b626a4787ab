package io.conversioni.ingress.metrics;

import io.conversioni.metrics.PrometheusTextWriter;
import org.HdrHistogram.Histogram;

import java.math.BigDecimal;

/**
 * The fixed upper bounds (in seconds) of an exported Prometheus histogram, and how to write one as cumulative
 * {@code _bucket{le="..."}} samples (the last {@code le="+Inf"}), {@code _sum} and {@code _count}, either from
 * an HdrHistogram the engine already keeps or from per-bucket counts. Fixed bounds are what lets Prometheus
 * add buckets across instances and restarts (a summary's quantiles cannot be aggregated).
 *
 * <p>Threading: immutable, any thread. Allocation: the labels at class load; writing allocates nothing.
 */
final class HistogramBuckets {
    /** Insight latency and HTTP request duration: 10 µs to 10 s in 1-2.5-5 steps. */
    static final HistogramBuckets LATENCY_SECONDS = new HistogramBuckets(0.00001, 0.000025, 0.00005, 0.0001, 0.00025,
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);
    /** Clock skew (receive time minus event time, kept in whole ms): 1 ms to 1 h. */
    static final HistogramBuckets SKEW_SECONDS = new HistogramBuckets(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
        0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600);

    private static final String INF = "+Inf";

    private final double[] boundsSeconds;
    private final long[] boundsNanos;
    private final String[] labels;

    private HistogramBuckets(final double... boundsSeconds) {
        this.boundsSeconds = boundsSeconds.clone();
        this.boundsNanos = new long[boundsSeconds.length];
        this.labels = new String[boundsSeconds.length];
        for (int i = 0; i < boundsSeconds.length; i++) {
            if (i > 0 && boundsSeconds[i] <= boundsSeconds[i - 1]) {
                throw new IllegalArgumentException("bucket bounds must increase: " + boundsSeconds[i]);
            }
            boundsNanos[i] = Math.round(boundsSeconds[i] * 1e9);
            labels[i] = BigDecimal.valueOf(boundsSeconds[i]).stripTrailingZeros().toPlainString();
        }
    }

    /** Finite bounds; the +Inf bucket comes after them. */
    int size() {
        return boundsSeconds.length;
    }

    /** The {@code le} label of finite bound {@code i}, e.g. {@code 0.00025}. */
    String label(final int i) {
        return labels[i];
    }

    /** The index of the first bucket whose bound is at least {@code nanos}; {@link #size()} for +Inf. */
    int indexOfNanos(final long nanos) {
        int i = 0;
        while (i < boundsNanos.length && nanos > boundsNanos[i]) {
            i++;
        }
        return i;
    }

    /**
     * Writes a histogram from an HdrHistogram copy whose values are in {@code unitsPerSecond}. A bucket counts
     * the values the HdrHistogram holds at or below its bound, to the HdrHistogram's precision (a value within
     * its significant digits of a bound may fall on either side). _sum is rebuilt from the mean.
     *
     * @param labelName null for a histogram without labels besides {@code le}
     */
    void writeFrom(final PrometheusTextWriter w, final String name, final String labelName, final String labelValue,
                   final Histogram h, final double unitsPerSecond) {
        final long count = h.getTotalCount();
        final long max = count == 0 ? 0 : h.getMaxValue();
        for (int i = 0; i < boundsSeconds.length; i++) {
            final long boundUnits = Math.round(boundsSeconds[i] * unitsPerSecond);
            final long cumulative = count == 0 ? 0 : boundUnits >= max ? count : h.getCountBetweenValues(0, boundUnits);
            bucket(w, name, labelName, labelValue, labels[i]).value(cumulative);
        }
        bucket(w, name, labelName, labelValue, INF).value(count);
        sumAndCount(w, name, labelName, labelValue, count == 0 ? 0.0 : h.getMean() * count / unitsPerSecond, count);
    }

    /**
     * Writes a histogram from per-bucket (not cumulative) counts, {@code counts[size()]} being the +Inf one;
     * _count is their total, so it always equals the +Inf bucket.
     */
    void writeFrom(final PrometheusTextWriter w, final String name, final String[] labelNames, final String[] labelValues,
                   final long[] counts, final double sumSeconds) {
        long cumulative = 0;
        for (int i = 0; i <= boundsSeconds.length; i++) {
            cumulative += counts[i];
            w.sample(name, "_bucket");
            labels(w, labelNames, labelValues);
            w.label("le", i < boundsSeconds.length ? labels[i] : INF).value(cumulative);
        }
        w.sample(name, "_sum");
        labels(w, labelNames, labelValues);
        w.value(sumSeconds);
        w.sample(name, "_count");
        labels(w, labelNames, labelValues);
        w.value(cumulative);
    }

    private static PrometheusTextWriter bucket(final PrometheusTextWriter w, final String name, final String labelName,
                                               final String labelValue, final String le) {
        w.sample(name, "_bucket");
        if (labelName != null) {
            w.label(labelName, labelValue);
        }
        return w.label("le", le);
    }

    private static void sumAndCount(final PrometheusTextWriter w, final String name, final String labelName,
                                    final String labelValue, final double sum, final long count) {
        w.sample(name, "_sum");
        if (labelName != null) {
            w.label(labelName, labelValue);
        }
        w.value(sum);
        w.sample(name, "_count");
        if (labelName != null) {
            w.label(labelName, labelValue);
        }
        w.value(count);
    }

    private static void labels(final PrometheusTextWriter w, final String[] names, final String[] values) {
        for (int i = 0; i < names.length; i++) {
            w.label(names[i], values[i]);
        }
    }
}
