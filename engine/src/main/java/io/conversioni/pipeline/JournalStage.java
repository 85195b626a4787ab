package io.conversioni.pipeline;

import com.dslplatform.json.DslJson;
import com.dslplatform.json.JsonWriter;
import com.lmax.disruptor.EventHandler;
import io.conversioni.journal.JournalStatus;
import io.conversioni.journal.SingleWriterJournal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 2: journals every slot before anything is counted or answered: valid bodies to the events
 * queue, invalid ones with their violations to quarantine, heartbeats as ticks. A failed append marks
 * the slot {@link Outcome#JOURNAL_FAILED} (the event is then neither counted nor acknowledged) and is
 * logged once per failure streak. Owns the journal writer (single writer). Allocates nothing per event.
 */
final class JournalStage implements EventHandler<EventSlot> {
    private static final Logger LOG = LoggerFactory.getLogger(JournalStage.class);

    private final SingleWriterJournal journal;
    private final EngineCounters counters;
    private final JsonWriter violationsJson = new DslJson<>().newWriter(4096);
    private boolean failing;

    JournalStage(final SingleWriterJournal journal, final EngineCounters counters) {
        this.journal = journal;
        this.counters = counters;
    }

    @Override
    public void onEvent(final EventSlot slot, final long ringSequence, final boolean endOfBatch) {
        final JournalStatus status;
        if (slot.kind == EventSlot.KIND_HEARTBEAT) {
            status = journal.appendHeartbeat(slot.sequence, slot.receiveMillis, slot.receiveNanos);
        } else if (slot.valid) {
            status = journal.appendEvent(slot.sequence, slot.receiveMillis, slot.receiveNanos, 0,
                slot.body, 0, slot.bodyLength);
        } else {
            violationsJson.reset();
            slot.violations.writeJson(violationsJson);
            status = journal.appendQuarantine(slot.sequence, slot.receiveMillis, slot.receiveNanos,
                Outcome.REJECTED, slot.body, 0, slot.bodyLength, violationsJson.getByteBuffer(), 0,
                violationsJson.size());
        }
        if (status.isOk()) {
            if (failing) {
                failing = false;
                LOG.info("journal appends succeed again from sequence {}", slot.sequence);
            }
            return;
        }
        // a heartbeat that is not journaled must not move the live watermark either, or replay would differ
        slot.outcome = Outcome.JOURNAL_FAILED;
        if (slot.kind == EventSlot.KIND_EVENT) {
            counters.outcome(Outcome.JOURNAL_FAILED);
        }
        if (!failing) {
            failing = true;
            LOG.error("journal append failed ({}) at sequence {}: {}; events are refused until it recovers",
                status, slot.sequence, journal.lastError());
        }
    }
}
