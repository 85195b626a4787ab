package io.conversioni.pipeline;

import com.dslplatform.json.DslJson;
import com.dslplatform.json.JsonWriter;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import io.conversioni.journal.JournalStatus;
import io.conversioni.journal.SingleWriterJournal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 2: journals every slot before anything is counted or answered: valid bodies to the events
 * queue, invalid ones with their violations to quarantine, heartbeats as ticks; an event fed from a Kafka
 * record with that record's partition and offset (the owner's resume point). With SYNC durability
 * the flush is once per batch (group commit), before any slot of the batch moves on. A failed append
 * marks the slot {@link Outcome#JOURNAL_FAILED} (neither counted nor acknowledged); a failed flush
 * leaves the slots counted (they are in the journal) but marks them not durable, so the caller answers
 * 503 and the sender's retry is caught as a duplicate. Logged once per failure streak. Owns the journal
 * writer (single writer). Allocates nothing per event.
 */
final class JournalStage implements EventHandler<EventSlot> {
    private static final Logger LOG = LoggerFactory.getLogger(JournalStage.class);

    private final SingleWriterJournal journal;
    private final EngineCounters counters;
    private final JsonWriter violationsJson = new DslJson<>().newWriter(4096);
    private boolean failing;
    private RingBuffer<EventSlot> ring;
    private long batchStart = -1;
    /**
     * Engine sequence of the last slot whose batch's flush succeeded (-1: none yet). Written by this stage
     * before its Disruptor sequence moves past the batch, so a later stage (or this thread, with one stage
     * thread) that sees a slot sees at least the flush of that slot's batch. For tests of the wiring.
     */
    private long flushedThroughSequence = -1;

    JournalStage(final SingleWriterJournal journal, final EngineCounters counters) {
        this.journal = journal;
        this.counters = counters;
        // with SYNC, one flush per batch: the later stages see a batch only after onEvent returned for all of it
        journal.groupCommit(true);
    }

    /** The ring this stage runs on, to mark a batch whose flush failed. */
    void attach(final RingBuffer<EventSlot> ring) {
        this.ring = ring;
    }

    @Override
    public void onEvent(final EventSlot slot, final long ringSequence, final boolean endOfBatch) {
        if (batchStart < 0) {
            batchStart = ringSequence;
            journal.beginBatch(); // the roll clock, read once for the batch
        }
        append(slot);
        if (endOfBatch) {
            final JournalStatus synced = journal.syncPending();
            if (!synced.isOk()) {
                // written but perhaps not on disk: counted as journaled (a replay will see them), answered 503
                for (long s = batchStart; s <= ringSequence; s++) {
                    ring.get(s).notDurable = true;
                }
                LOG.error("journal flush failed for engine sequences up to {}: {}", slot.sequence, journal.lastError());
            } else {
                flushedThroughSequence = slot.sequence;
            }
            batchStart = -1;
        }
    }

    /** See {@link #flushedThroughSequence}: read it from a later stage's thread, or this one. */
    long flushedThroughSequence() {
        return flushedThroughSequence;
    }

    private void append(final EventSlot slot) {
        if (slot.kind == EventSlot.KIND_CANCELLED) {
            return;
        }
        if (slot.kind == EventSlot.KIND_SNAPSHOT) {
            slot.journalIndex = journal.lastEventsIndex(); // every slot before this one is journaled
            return;
        }
        if (slot.kind == EventSlot.KIND_TICK) {
            return;
        }
        final JournalStatus status;
        if (slot.kind == EventSlot.KIND_HEARTBEAT) {
            status = journal.appendHeartbeat(slot.sequence, slot.receiveMillis, slot.receiveNanos,
                slot.sourcePartition, slot.sourceOffset);
        } else if (slot.valid) {
            status = journal.appendEvent(slot.sequence, slot.receiveMillis, slot.receiveNanos, 0,
                slot.sourcePartition, slot.sourceOffset, slot.body, slot.bodyOffset, slot.bodyLength);
        } else {
            violationsJson.reset();
            slot.violations.writeJson(violationsJson);
            status = journal.appendQuarantine(slot.sequence, slot.receiveMillis, slot.receiveNanos,
                Outcome.REJECTED, slot.sourcePartition, slot.sourceOffset, slot.body, slot.bodyOffset, slot.bodyLength,
                violationsJson.getByteBuffer(), 0, violationsJson.size());
        }
        if (status.isOk() || status == JournalStatus.SYNC_FAILED) {
            slot.notDurable = status == JournalStatus.SYNC_FAILED;
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
