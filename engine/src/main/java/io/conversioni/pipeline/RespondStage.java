package io.conversioni.pipeline;

import com.lmax.disruptor.EventHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last stage: hands each event's outcome to the listener given at publish, after the journal and the
 * windows have it. A listener that throws is logged and does not stop the pipeline. Allocates nothing.
 */
final class RespondStage implements EventHandler<EventSlot> {
    private static final Logger LOG = LoggerFactory.getLogger(RespondStage.class);

    @Override
    public void onEvent(final EventSlot slot, final long ringSequence, final boolean endOfBatch) {
        final OutcomeListener listener = slot.listener;
        if (listener != null) {
            try {
                listener.onOutcome(slot, slot.attachment());
            } catch (RuntimeException e) {
                LOG.error("outcome listener failed for sequence {}", slot.sequence, e);
            }
        }
        slot.release();
    }
}
