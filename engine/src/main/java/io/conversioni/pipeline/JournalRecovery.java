package io.conversioni.pipeline;

import io.conversioni.config.EngineConfig;
import io.conversioni.event.ConversionEvent;
import io.conversioni.event.EventDecoder;
import io.conversioni.journal.JournalConfig;
import io.conversioni.journal.JournalReader;
import io.conversioni.journal.JournalRecord;
import io.conversioni.journal.JournalRecordKind;
import io.conversioni.schema.Violations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the window store, the dedupe table and the counters by feeding every journaled record, in
 * order, through the same decision code the live pipeline runs ({@link DedupeWindowStage#apply}). Only
 * journaled times are used, so the result equals the state the live engine had. Runs on the starting
 * thread before the stages start; allocates per run, not per record.
 */
final class JournalRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(JournalRecovery.class);

    private final JournalConfig journalConfig;
    private final DedupeWindowStage stage;
    private final EventDecoder decoder;
    /** What-if replays: the live schema, to find the event time of an event only the new schema rejects. */
    private final EventDecoder recordedDecoder;
    private final ConversionEvent recordedEvent = new ConversionEvent();
    private final Violations recordedViolations = new Violations();
    /** False: the journal's verdict (valid or quarantined) stands; true: every body is judged again by the decoder. */
    private final boolean revalidate;
    /** Sees every replayed event with the outcome the decision code gave it (offline replays); may be null. */
    private final OutcomeListener listener;

    /** What a replay did. */
    record Result(long records, long events, long nextSequence, long lastIndex) {
    }

    JournalRecovery(final EngineConfig config, final JournalConfig journalConfig, final DedupeWindowStage stage) {
        this(config, journalConfig, stage, config.schema(), false, null);
    }

    /** With {@code revalidate}, quarantined bodies are judged again by {@code schema} too (what-if replays). */
    JournalRecovery(final EngineConfig config, final JournalConfig journalConfig, final DedupeWindowStage stage,
                    final io.conversioni.event.EventSchema schema, final boolean revalidate,
                    final OutcomeListener listener) {
        this.journalConfig = journalConfig;
        this.listener = listener;
        this.stage = stage;
        this.decoder = schema.newDecoder(config.maxDepth());
        this.revalidate = revalidate;
        this.recordedDecoder = revalidate ? config.schema().newDecoder(config.maxDepth()) : null;
    }

    Result replay() {
        return replay(-1);
    }

    /** True when the journal still holds the entry at {@code index} (a snapshot's covered index). */
    boolean holds(final long index) {
        try (JournalReader reader = JournalReader.openEvents(journalConfig)) {
            return reader.moveToIndex(index);
        }
    }

    /** Replays the records after {@code afterIndex} (a snapshot's covered index), or all when it is -1. */
    Result replay(final long afterIndex) {
        final EventSlot slot = new EventSlot(1024);
        final JournalRecord record = new JournalRecord();
        final JournalRecord quarantined = new JournalRecord();
        long records = 0;
        long events = 0;
        long nextSequence = 0;
        long schemaDisagreements = 0;
        long lastIndex = afterIndex;
        try (JournalReader reader = JournalReader.openEvents(journalConfig);
             JournalReader quarantine = JournalReader.openQuarantine(journalConfig)) {
            if (afterIndex >= 0 && !(reader.moveToIndex(afterIndex) && reader.next(record))) {
                throw new IllegalStateException("journal entry " + afterIndex + " vanished while starting");
            }
            while (reader.next(record)) {
                lastIndex = record.index();
                records++;
                nextSequence = Math.max(nextSequence, record.sequence() + 1);
                final JournalRecordKind kind = record.kind();
                if (kind == JournalRecordKind.HEARTBEAT) {
                    slot.fill(EventSlot.KIND_HEARTBEAT, record.body(), 0, 0, record.receiveMillis(), 0, null, null);
                } else if (kind == JournalRecordKind.EVENT) {
                    events++;
                    slot.fill(EventSlot.KIND_EVENT, record.body(), 0, record.bodyLength(), record.receiveMillis(), 0,
                        null, null);
                    slot.valid = decoder.decode(slot.body, slot.bodyOffset, slot.bodyLength, slot.event, slot.violations);
                    if (!slot.valid && revalidate) {
                        if (recordedDecoder.decode(slot.body, slot.bodyOffset, slot.bodyLength, recordedEvent, recordedViolations)) {
                            slot.countedEventTimeMillis = recordedEvent.timestampMillis();
                        }
                    } else if (!slot.valid) {
                        schemaDisagreements++;
                    }
                } else {
                    events++;
                    // the marker holds no body: the quarantine queue has it, with the violations found live
                    final boolean found = quarantine.moveToIndex(record.quarantineIndex()) && quarantine.next(quarantined);
                    slot.fill(EventSlot.KIND_EVENT, quarantined.body(), 0, found ? quarantined.bodyLength() : 0,
                        record.receiveMillis(), 0, null, null);
                    final boolean validNow = decoder.decode(slot.body, slot.bodyOffset, slot.bodyLength, slot.event, slot.violations);
                    slot.valid = revalidate && found && validNow;
                }
                slot.sequence = record.sequence();
                slot.source(record.sourcePartition(), record.sourceOffset());
                stage.apply(slot);
                if (listener != null && slot.kind == EventSlot.KIND_EVENT) {
                    listener.onOutcome(slot, null);
                }
            }
        }
        if (schemaDisagreements > 0) {
            LOG.warn("{} journaled events that were valid when received fail today's schema; they were counted as "
                + "rejected (use 'conversioni replay --schema' to see the effect of a schema change)", schemaDisagreements);
        }
        return new Result(records, events, nextSequence, lastIndex);
    }
}
