package io.conversioni.window;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.WriterReaderPhaser;

/**
 * An HdrHistogram fed by one writer thread and read, cumulatively, by any number of reader threads.
 * The writer records into a private histogram (no atomics per value: the hot path pays a plain
 * {@code recordValue}) and folds it into the shared one in {@link #publish()}, inside a
 * {@link WriterReaderPhaser} critical section that never waits. Readers swap the shared pair under the
 * phaser's reader lock and accumulate; they may wait for one another, never the writer for them.
 *
 * <p>Threading: {@link #record} and {@link #publish} from the owning writer thread only; {@link #copyInto}
 * from any thread. Allocation: none after construction (histograms do not auto-resize; values are clamped
 * to {@code [0, highestTrackable]}). Readers see values as of the writer's last publish.
 */
final class SingleWriterHistogramPublisher {
    private final long highestTrackable;
    private final int significantDigits;
    private final Histogram pending;
    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    private volatile Histogram active;
    private Histogram inactive;
    private final Histogram cumulative;
    /**
     * Writer-private exact counts of the values below {@code direct.length}: one array increment per value
     * instead of a histogram record (index arithmetic, min, max, total), folded into {@link #pending} by
     * {@link #publish} with one {@code recordValueWithCount} per value seen. Recording a value n times or
     * once with count n leaves a histogram in the same state, so readers see exactly what they saw before.
     */
    private final long[] direct;
    private int directLow = Integer.MAX_VALUE;
    private int directHigh = -1;

    public SingleWriterHistogramPublisher(final long highestTrackable, final int significantDigits) {
        this(highestTrackable, significantDigits, 0);
    }

    /**
     * @param directValues values below this (and below {@code highestTrackable}) are counted in a plain
     *                     array until the next publish; 0 records every value straight into the histogram.
     */
    public SingleWriterHistogramPublisher(final long highestTrackable, final int significantDigits, final int directValues) {
        if (directValues < 0) {
            throw new IllegalArgumentException("directValues must be >= 0: " + directValues);
        }
        this.highestTrackable = highestTrackable;
        this.significantDigits = significantDigits;
        this.direct = new long[(int) Math.min(directValues, highestTrackable + 1)];
        this.pending = newHistogram();
        this.active = newHistogram();
        this.inactive = newHistogram();
        this.cumulative = newHistogram();
    }

    /** A histogram shaped like this one, for readers to copy into. */
    public Histogram newHistogram() {
        return new Histogram(1, highestTrackable, significantDigits);
    }

    /** Writer thread only. */
    public void record(final long value) {
        record(value, 1);
    }

    /**
     * Writer thread only: {@code value} recorded {@code count} times (readers see exactly what {@code count} calls of
     * {@link #record(long)} would have shown them), for one histogram update.
     */
    public void record(final long value, final long count) {
        final long clamped = value < 0 ? 0 : Math.min(value, highestTrackable);
        if (clamped < direct.length) {
            final int i = (int) clamped;
            direct[i] += count;
            directLow = Math.min(directLow, i);
            directHigh = Math.max(directHigh, i);
        } else {
            pending.recordValueWithCount(clamped, count);
        }
    }

    /** Writer thread: moves the direct counts into {@link #pending} and clears them. */
    private void foldDirect() {
        for (int i = directLow; i <= directHigh; i++) {
            final long count = direct[i];
            if (count != 0) {
                pending.recordValueWithCount(i, count);
                direct[i] = 0;
            }
        }
        directLow = Integer.MAX_VALUE;
        directHigh = -1;
    }

    /** Writer thread only: makes everything recorded so far visible to readers. Cost: one pass over the counts. */
    public void publish() {
        foldDirect();
        if (pending.getTotalCount() == 0) {
            return;
        }
        final long epoch = phaser.writerCriticalSectionEnter();
        try {
            active.add(pending);
        } finally {
            phaser.writerCriticalSectionExit(epoch);
        }
        pending.reset();
    }

    /** Any thread: replaces {@code into}'s content with every value published so far. */
    public void copyInto(final Histogram into) {
        phaser.readerLock();
        try {
            inactive.reset();
            final Histogram drained = active;
            active = inactive;
            inactive = drained;
            phaser.flipPhase();
            cumulative.add(inactive);
            cumulative.copyInto(into);
        } finally {
            phaser.readerUnlock();
        }
    }
}
