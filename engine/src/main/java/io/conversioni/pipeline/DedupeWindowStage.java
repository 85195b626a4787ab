package io.conversioni.pipeline;

import com.lmax.disruptor.EventHandler;
import io.conversioni.dedupe.SingleWriterDedupeTable;
import io.conversioni.event.ConversionEvent;
import io.conversioni.window.SingleWriterWindowStore;
import io.conversioni.window.WindowResult;

/**
 * Stage 3: decides each journaled event's fate ({@link EventDecision}: time first, then dedupe, then the
 * window) and counts it. Heartbeats advance the watermark. Owns the dedupe table, the window store and the
 * counters (single writer); uses only journaled times, so a replay reaches the same state. Records each live
 * event's insight latency (receive to window updated) with one clock read per Disruptor batch. Allocates
 * nothing per event.
 */
final class DedupeWindowStage implements EventHandler<EventSlot> {
    private final SingleWriterWindowStore windows;
    private final EngineCounters counters;
    private final EventDecision decision;
    private final SingleWriterResumePoints resumePoints = new SingleWriterResumePoints();
    private final boolean recordLatency;
    /** At most this many events wait for their insight latency's clock read (a long Disruptor batch is cut there). */
    static final int LATENCY_RUN = 256;
    /** Receive times of the events applied in this batch whose latency is not recorded yet; window thread only. */
    private final long[] pendingReceiveNanos = new long[LATENCY_RUN];
    private int pendingLatencies;
    private SnapshotSink snapshotSink;
    private EventTap tap;
    private long tapFailures;

    /** Receives snapshot requests on the window thread, the only thread that may read the stores then. */
    interface SnapshotSink {
        void capture(long coveredIndex, long nextSequence);
    }

    void snapshotSink(final SnapshotSink sink) {
        this.snapshotSink = sink;
    }

    /** The Kafka records the state includes, per partition; owned by whichever thread runs {@link #apply}. */
    SingleWriterResumePoints resumePoints() {
        return resumePoints;
    }

    /** Set before the stage thread starts (the thread start publishes it). */
    void tap(final EventTap tap) {
        this.tap = tap;
    }

    DedupeWindowStage(final SingleWriterDedupeTable dedupe, final SingleWriterWindowStore windows,
                      final EngineCounters counters, final java.util.List<String> keyFields, final boolean recordLatency) {
        this.windows = windows;
        this.counters = counters;
        this.decision = new EventDecision(dedupe, windows, keyFields);
        this.recordLatency = recordLatency;
    }

    @Override
    public void onEvent(final EventSlot slot, final long ringSequence, final boolean endOfBatch) {
        apply(slot);
        if (recordLatency && slot.kind == EventSlot.KIND_EVENT && slot.outcome != Outcome.JOURNAL_FAILED) {
            pendingReceiveNanos[pendingLatencies++] = slot.receiveNanos;
            if (pendingLatencies == pendingReceiveNanos.length) {
                recordLatencies();
            }
        }
        if (endOfBatch && pendingLatencies > 0) {
            recordLatencies();
        }
        if (tap != null && slot.outcome != Outcome.JOURNAL_FAILED) {
            tap(slot);
        }
    }

    /**
     * Records the insight latency of the events applied since the last call against one clock read, taken after
     * the last of them was applied: each latency is at least the event's own (never under-stated), at most the rest of
     * its batch (or of {@link #LATENCY_RUN} events) more, for one {@code System.nanoTime()} a batch instead of one an event.
     * Events published as one run (an HTTP batch's) share their receive time, so each stretch of equal receive times
     * is one histogram update. Call with at least one pending.
     */
    private void recordLatencies() {
        final long now = System.nanoTime();
        long receiveNanos = pendingReceiveNanos[0];
        int events = 1;
        for (int i = 1; i < pendingLatencies; i++) {
            if (pendingReceiveNanos[i] == receiveNanos) {
                events++;
            } else {
                windows.recordInsightLatencyNanos(now - receiveNanos, events);
                receiveNanos = pendingReceiveNanos[i];
                events = 1;
            }
        }
        windows.recordInsightLatencyNanos(now - receiveNanos, events);
        pendingLatencies = 0;
    }

    /** Live events only (replay calls {@link #apply} directly); a failing tap must not cost the answer. */
    private void tap(final EventSlot slot) {
        try {
            if (slot.kind == EventSlot.KIND_EVENT) {
                tap.onEvent(slot);
            } else if (slot.kind == EventSlot.KIND_HEARTBEAT) {
                tap.onHeartbeat(slot.receiveMillis);
            }
        } catch (RuntimeException e) {
            if (tapFailures++ == 0) {
                org.slf4j.LoggerFactory.getLogger(DedupeWindowStage.class).error("event tap failed (logged once)", e);
            }
        }
    }

    /** The decision itself, shared by the live pipeline and replay. */
    void apply(final EventSlot slot) {
        if (slot.kind == EventSlot.KIND_CANCELLED) {
            return;
        }
        if (slot.kind == EventSlot.KIND_TICK) {
            windows.publishHistograms();
            return;
        }
        if (slot.kind == EventSlot.KIND_SNAPSHOT) {
            if (snapshotSink != null) { // journalIndex -1: nothing journaled yet, the sink says so
                snapshotSink.capture(slot.journalIndex, slot.sequence + 1);
            }
            return;
        }
        if (slot.outcome == Outcome.JOURNAL_FAILED) {
            return; // not journaled, so not counted (the sender is told to retry) and not replayed
        }
        if (slot.sourcePartition >= 0) {
            resumePoints.onRecord(slot.sourcePartition, slot.sourceOffset);
        }
        if (slot.kind == EventSlot.KIND_HEARTBEAT) {
            windows.onHeartbeat(slot.receiveMillis);
            counters.heartbeat();
            return;
        }
        counters.bodyBytes(slot.bodyLength);
        if (!slot.valid) {
            // live, a rejection counts at its receive time; a what-if replay books an event the journal counted in
            // a window, and the new schema rejects, in that same window, so its diff shows one window change
            final long counted = slot.countedEventTimeMillis;
            windows.onRejected(counted != EventSlot.NO_TIME
                && windows.timeCheck(slot.receiveMillis, counted) == WindowResult.ACCEPTED ? counted : slot.receiveMillis);
            slot.outcome = Outcome.REJECTED;
            counters.outcome(Outcome.REJECTED);
            counters.rejectedCode(slot.violations.size() > 0 ? slot.violations.codice(0) : "other");
            return;
        }
        final ConversionEvent e = slot.event;
        slot.outcome = decision.decide(e, slot.sequence, slot.receiveMillis, slot.body, slot.bodyOffset, slot.bodyLength);
        if (slot.outcome == Outcome.ACCEPTED || slot.outcome == Outcome.DUPLICATE) {
            slot.windowStartMillis = decision.windowStartMillis();
            slot.late = decision.late();
            if (slot.late) {
                counters.late();
            }
            if (slot.outcome == Outcome.DUPLICATE) {
                slot.duplicateOfSequence = decision.duplicateOfSequence();
                slot.duplicateOfReceiveMillis = decision.duplicateOfReceiveMillis();
            } else {
                counters.accepted(e.eventoOrdinal(), e.canaleOrdinal(), e.valoreCents());
            }
        }
        counters.outcome(slot.outcome);
    }
}
