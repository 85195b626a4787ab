package io.conversioni.bench.peers;

import io.conversioni.dedupe.DedupeMode;
import io.conversioni.dedupe.SingleWriterDedupeTable;
import io.conversioni.event.ConversionEvent;
import io.conversioni.json.JsonCursor;
import io.conversioni.pipeline.Outcome;
import io.conversioni.window.CampaignDictionary;
import io.conversioni.window.SingleWriterWindowStore;
import io.conversioni.window.WindowResult;

import java.util.List;

/**
 * The engine's dedupe + window decision (a copy of the package-private {@code DedupeWindowStage.apply} and
 * {@code DedupeKeys}, which the peer cannot reach; keep them in step), over a {@link QueueSlot}: time check
 * first, then the dedupe table, then the window store. Heartbeats and the engine's counters are left out
 * (the benchmark has neither). Owned by the peer's window thread; allocates nothing per event.
 */
final class QueueDedupeWindowDecision {
    private static final long SEED_HI = 0x243F6A8885A308D3L;
    private static final long SEED_LO = 0x13198A2E03707344L;

    private final SingleWriterDedupeTable dedupe;
    private final SingleWriterWindowStore windows;
    private final int[] keySlots;
    private final boolean exact;
    long accepted;
    long duplicates;
    long refused;

    QueueDedupeWindowDecision(final SingleWriterDedupeTable dedupe, final SingleWriterWindowStore windows,
                              final List<String> keyFields) {
        this.dedupe = dedupe;
        this.windows = windows;
        this.exact = dedupe.config().mode() == DedupeMode.EXACT;
        this.keySlots = new int[keyFields.size()];
        for (int i = 0; i < keySlots.length; i++) {
            keySlots[i] = slotOf(keyFields.get(i));
        }
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
        final ConversionEvent e = slot.event;
        final long eventTime = e.timestampMillis();
        boolean duplicate = false;
        if (windows.timeCheck(slot.receiveMillis, eventTime) == WindowResult.ACCEPTED) {
            long hi = SEED_HI;
            long lo = SEED_LO;
            for (int field : keySlots) {
                final byte[] b = e.bytes(field);
                final int off = e.offset(field);
                final int len = e.length(field);
                hi = JsonCursor.hash(b, off, len, hi);
                lo = JsonCursor.hash(b, off, len, lo ^ 0x9E3779B97F4A7C15L);
            }
            final long contentHash = exact ? JsonCursor.hash(slot.body, 0, slot.bodyLength) : 0;
            duplicate = dedupe.isDuplicate(hi, lo, eventTime, contentHash, slot.sequence, slot.receiveMillis);
            if (duplicate) {
                slot.duplicateOfSequence = dedupe.firstSequence();
            }
        }
        final int campagna = e.has(ConversionEvent.CAMPAGNA)
            ? windows.campaigns().idOf(e.bytes(ConversionEvent.CAMPAGNA), e.offset(ConversionEvent.CAMPAGNA),
                e.length(ConversionEvent.CAMPAGNA), e.hash(ConversionEvent.CAMPAGNA))
            : CampaignDictionary.NONE_ID;
        final int result = windows.onEvent(slot.sequence, slot.receiveMillis, eventTime, e.eventoOrdinal(),
            e.canaleOrdinal(), e.statoOrdinal(), campagna, e.valoreCents(), duplicate);
        if (result == WindowResult.FUTURE || result == WindowResult.TOO_LATE) {
            slot.outcome = result == WindowResult.FUTURE ? Outcome.FUTURE : Outcome.TOO_LATE;
            refused++;
            return;
        }
        slot.outcome = duplicate ? Outcome.DUPLICATE : Outcome.ACCEPTED;
        slot.windowStartMillis = windows.windowStartMillis(eventTime);
        slot.late = result == WindowResult.ACCEPTED_LATE_REVISION;
        if (duplicate) {
            duplicates++;
        } else {
            accepted++;
        }
    }

    private static int slotOf(final String field) {
        switch (field) {
            case "id_cliente": return ConversionEvent.ID_CLIENTE;
            case "evento": return ConversionEvent.EVENTO;
            case "canale": return ConversionEvent.CANALE;
            case "stato": return ConversionEvent.STATO;
            case "campagna": return ConversionEvent.CAMPAGNA;
            case "dispositivo": return ConversionEvent.DISPOSITIVO;
            case "localita": return ConversionEvent.LOCALITA;
            default: throw new IllegalArgumentException("not a dedupe key field: " + field);
        }
    }
}
