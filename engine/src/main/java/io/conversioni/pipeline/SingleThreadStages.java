package io.conversioni.pipeline;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All four stages on one thread ({@code pipeline.stage_threads: 1}), in the data-flow order: decode →
 * journal → window → respond. With ASYNC durability each slot goes through all four in turn. With SYNC
 * the journal forces its appends to disk once per batch, at the batch's end (group commit), and nothing
 * may be counted or answered before that flush: so the window and respond steps of a batch run after it,
 * over the batch's slots read back from the ring. They are still claimed then (the ring reuses a slot
 * only once this handler's sequence has passed it, which the Disruptor advances after the whole batch).
 *
 * <p>A stage that throws is a bug: it is logged and the slot goes on to the next stage, as it does
 * between threads, so every slot is still answered and a held batch is never left behind. Runs on the
 * one stage thread; owns nothing beyond what its stages own. Allocates nothing per event.
 */
final class SingleThreadStages implements EventHandler<EventSlot> {
    private static final Logger LOG = LoggerFactory.getLogger(SingleThreadStages.class);

    private final EventHandler<EventSlot> decode;
    private final EventHandler<EventSlot> journal;
    private final EventHandler<EventSlot> window;
    private final EventHandler<EventSlot> respond;
    private final boolean holdUntilFlush;
    private RingBuffer<EventSlot> ring;
    /** First ring sequence of the batch held until its flush (-1: none held). */
    private long heldFrom = -1;

    SingleThreadStages(final DecodeStage decode, final JournalStage journal, final DedupeWindowStage window,
                       final RespondStage respond, final boolean syncDurability) {
        this.decode = decode;
        this.journal = journal;
        this.window = window;
        this.respond = respond;
        this.holdUntilFlush = syncDurability;
    }

    /** The ring this handler runs on, to read a held batch back after its flush. */
    void attach(final RingBuffer<EventSlot> ring) {
        this.ring = ring;
    }

    @Override
    public void onEvent(final EventSlot slot, final long ringSequence, final boolean endOfBatch) {
        run(decode, slot, ringSequence, endOfBatch);
        run(journal, slot, ringSequence, endOfBatch); // at endOfBatch, SYNC: the batch's fdatasync
        if (!holdUntilFlush) {
            run(window, slot, ringSequence, endOfBatch);
            run(respond, slot, ringSequence, endOfBatch);
            return;
        }
        if (heldFrom < 0) {
            heldFrom = ringSequence;
        }
        if (endOfBatch) {
            // the journal has flushed everything up to ringSequence: count and answer the held batch
            for (long s = heldFrom; s <= ringSequence; s++) {
                final EventSlot held = ring.get(s);
                run(window, held, s, s == ringSequence);
                run(respond, held, s, s == ringSequence);
            }
            heldFrom = -1;
        }
    }

    private static void run(final EventHandler<EventSlot> stage, final EventSlot slot, final long ringSequence,
                            final boolean endOfBatch) {
        try {
            stage.onEvent(slot, ringSequence, endOfBatch);
        } catch (Exception e) {
            LOG.error("stage {} failed on engine sequence {} (ring {})", stage.getClass().getSimpleName(),
                slot.sequence, ringSequence, e);
        }
    }
}
