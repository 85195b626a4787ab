package io.conversioni.journal;

import net.openhft.chronicle.core.time.TimeProvider;

/**
 * The clock Chronicle rolls the journal's cycles by. Chronicle asks it once per append (the appender's
 * {@code writingDocument} looks up the current cycle); once the writer calls {@link #latch()} at the start of each of
 * its batches, it answers the time read there instead, so that a batch of appends costs one clock read. A
 * writer that never latches reads the underlying clock at every append.
 *
 * <p>Why a roll at most one batch late is safe: the cycle an entry lands in is only the file that holds it. Every
 * decision uses the receive time journaled in the entry, replay reads the entries in index order across files,
 * and an entry that lands in the older cycle keeps its place in that order. Retention counts cycles by this
 * clock too ({@link SingleWriterJournal#deleteExpiredCycles}): a latched time is never ahead of the real one, so it
 * keeps a file longer, never shorter, and the heartbeats (a batch each) keep it at most one heartbeat old while
 * no events arrive.
 *
 * <p>Threading: {@link #latch()} on the journal's writer thread; the reads from any thread (retention runs on
 * another): a volatile read of the latched time. Allocates nothing.
 */
final class PerBatchRollClock implements TimeProvider {
    private final TimeProvider clock;
    /** Set once by the first {@link #latch()}: from then on the latched time is the answer. */
    private volatile boolean latching;
    private volatile long latchedMillis;

    PerBatchRollClock(final TimeProvider clock) {
        this.clock = clock;
    }

    /** Writer thread, at the start of a batch: reads the underlying clock for the batch's appends. */
    void latch() {
        latchedMillis = clock.currentTimeMillis(); // volatile store: a retention thread's read sees this batch's time
        if (!latching) {
            latching = true;
        }
    }

    @Override
    public long currentTimeMillis() {
        return latching ? latchedMillis : clock.currentTimeMillis();
    }

    @Override
    public long currentTimeMicros() {
        return latching ? latchedMillis * 1_000L : clock.currentTimeMicros();
    }

    @Override
    public long currentTimeNanos() {
        return latching ? latchedMillis * 1_000_000L : clock.currentTimeNanos();
    }
}
