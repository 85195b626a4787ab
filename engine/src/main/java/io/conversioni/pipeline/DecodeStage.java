package io.conversioni.pipeline;

import com.lmax.disruptor.EventHandler;
import io.conversioni.event.EventDecoder;

/**
 * Stage 1: decodes and validates each event body in its slot. Runs on its own thread, owns its
 * {@link EventDecoder}; writes the slot's event, violations and {@code valid}. Allocates nothing per
 * event.
 */
final class DecodeStage implements EventHandler<EventSlot> {
    private final EventDecoder decoder;

    DecodeStage(final EventDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    public void onEvent(final EventSlot slot, final long ringSequence, final boolean endOfBatch) {
        if (slot.kind != EventSlot.KIND_EVENT) {
            return;
        }
        slot.valid = decoder.decode(slot.body, slot.bodyOffset, slot.bodyLength, slot.event, slot.violations);
    }
}
