package io.conversioni.bench.peers;

import io.conversioni.dedupe.SingleWriterDedupeTable;
import io.conversioni.pipeline.EventDecision;
import io.conversioni.pipeline.Outcome;
import io.conversioni.window.SingleWriterWindowStore;

import java.util.List;

/**
 * The engine's dedupe + window decision ({@link EventDecision}, the very code the engine's window stage calls)
 * over a {@link QueueSlot}, with the peer's own tallies. Heartbeats and the engine's counters are left out (the
 * benchmark has neither). Owned by the peer's window thread; allocates nothing per event.
 */
final class QueueDedupeWindowDecision {
    private final SingleWriterWindowStore windows;
    private final EventDecision decision;
    long accepted;
    long duplicates;
    long refused;

    QueueDedupeWindowDecision(final SingleWriterDedupeTable dedupe, final SingleWriterWindowStore windows,
                              final List<String> keyFields) {
        this.windows = windows;
        this.decision = new EventDecision(dedupe, windows, keyFields);
    }

    void apply(final QueueSlot slot) {
        if (slot.outcome == Outcome.JOURNAL_FAILED) {
            return;
        }
        if (!slot.valid) {
            windows.onRejected(slot.receiveMillis);
            slot.outcome = Outcome.REJECTED;
            refused++;
            return;
        }
        slot.outcome = decision.decide(slot.event, slot.sequence, slot.receiveMillis, slot.body, 0, slot.bodyLength);
        switch (slot.outcome) {
            case Outcome.ACCEPTED:
                accepted++;
                break;
            case Outcome.DUPLICATE:
                duplicates++;
                slot.duplicateOfSequence = decision.duplicateOfSequence();
                break;
            default:
                refused++;
                return;
        }
        slot.windowStartMillis = decision.windowStartMillis();
        slot.late = decision.late();
    }
}
