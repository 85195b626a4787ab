package io.conversioni.pipeline;

import io.conversioni.dedupe.DedupeMode;
import io.conversioni.dedupe.SingleWriterDedupeTable;
import io.conversioni.event.ConversionEvent;
import io.conversioni.json.JsonCursor;
import io.conversioni.window.CampaignDictionary;
import io.conversioni.window.SingleWriterWindowStore;
import io.conversioni.window.WindowResult;

import java.util.List;

/**
 * The fate of one valid, journaled event: time first (an event dated too far in the future or older than the
 * horizon is refused and never occupies a dedupe slot), then the dedupe table, then the window store. The one
 * definition of that decision, used by the window stage (live and in a replay) and by the benchmark peer that
 * runs the engine's stages over other queues, so the two cannot drift apart.
 *
 * <p>Threading: owned by the one thread that writes the dedupe table and the window store; the accessors give
 * the details of the last {@link #decide} call. Allocates nothing per event.
 */
public final class EventDecision {
    private final SingleWriterDedupeTable dedupe;
    private final SingleWriterWindowStore windows;
    private final DedupeKeys keys;
    private final boolean exact;
    private long duplicateOfSequence;
    private long duplicateOfReceiveMillis;
    private long windowStartMillis;
    private boolean late;

    /** @param keyFields the dedupe key's fields ({@code dedupe.key} in the configuration) */
    public EventDecision(final SingleWriterDedupeTable dedupe, final SingleWriterWindowStore windows,
                         final List<String> keyFields) {
        this.dedupe = dedupe;
        this.windows = windows;
        this.keys = new DedupeKeys(keyFields);
        this.exact = dedupe.config().mode() == DedupeMode.EXACT;
    }

    /**
     * Decides a valid event received at {@code receiveMillis} with engine sequence {@code sequence} ({@code body}
     * from {@code bodyOffset} is its JSON, hashed whole by the {@code exact} dedupe mode) and applies it to the stores.
     *
     * @return {@link Outcome#ACCEPTED}, {@link Outcome#DUPLICATE}, {@link Outcome#FUTURE} or {@link Outcome#TOO_LATE}
     */
    public int decide(final ConversionEvent e, final long sequence, final long receiveMillis, final byte[] body,
                      final int bodyOffset, final int bodyLength) {
        final long eventTime = e.timestampMillis();
        boolean duplicate = false;
        if (windows.timeCheck(receiveMillis, eventTime) == WindowResult.ACCEPTED) {
            keys.compute(e);
            final long contentHash = exact ? JsonCursor.hash(body, bodyOffset, bodyLength) : 0;
            duplicate = dedupe.isDuplicate(keys.hi(), keys.lo(), eventTime, contentHash, sequence, receiveMillis);
            if (duplicate) {
                duplicateOfSequence = dedupe.firstSequence();
                duplicateOfReceiveMillis = dedupe.firstReceiveMillis();
            }
        }
        final int campagna = e.has(ConversionEvent.CAMPAGNA)
            ? windows.campaigns().idOf(e.bytes(ConversionEvent.CAMPAGNA), e.offset(ConversionEvent.CAMPAGNA),
                e.length(ConversionEvent.CAMPAGNA), e.hash(ConversionEvent.CAMPAGNA))
            : CampaignDictionary.NONE_ID;
        final int result = windows.onEvent(sequence, receiveMillis, eventTime, e.eventoOrdinal(), e.canaleOrdinal(),
            e.statoOrdinal(), campagna, e.valoreCents(), duplicate);
        switch (result) {
            case WindowResult.FUTURE:
                return Outcome.FUTURE;
            case WindowResult.TOO_LATE:
                return Outcome.TOO_LATE;
            default:
                windowStartMillis = windows.windowStartMillis(eventTime);
                late = result == WindowResult.ACCEPTED_LATE_REVISION;
                return duplicate ? Outcome.DUPLICATE : Outcome.ACCEPTED;
        }
    }

    /** After a {@link Outcome#DUPLICATE}: the engine sequence of the event it repeats. */
    public long duplicateOfSequence() {
        return duplicateOfSequence;
    }

    /** After a {@link Outcome#DUPLICATE}: when the event it repeats was received (epoch millis). */
    public long duplicateOfReceiveMillis() {
        return duplicateOfReceiveMillis;
    }

    /** After an accepted or duplicate event: the start of its window. */
    public long windowStartMillis() {
        return windowStartMillis;
    }

    /** After an accepted or duplicate event: whether it revised a window that had already closed. */
    public boolean late() {
        return late;
    }
}
