package io.conversioni.pipeline;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All four stages on one thread ({@code pipeline.stage_threads: 1}, and the inline drain of {@code 0}), in the
 * data-flow order: decode → journal → window → respond. The slots of a Disruptor batch go through the stages a
 * chunk at a time (at most {@value #CHUNK} slots, and never past the batch's end): every slot of the chunk is
 * decoded, then every one journaled, then counted, then answered. Each stage's code, branch history and tables
 * stay warm over the chunk instead of being pushed out by the three others at every event, and the chunk's slots
 * are in the cache when the next stage reads them (docs/performance.md, "Stage by stage over a chunk"). The
 * order of the slots within each stage, and so every decision, is the ring's order, as before; an answer waits
 * for at most the rest of its chunk.
 *
 * <p>With ASYNC durability a chunk is counted and answered as soon as it is journaled. With SYNC the journal
 * forces its appends to disk once per batch, at the batch's end (group commit), and nothing may be counted or
 * answered before that flush: so the window and respond steps of a batch run after it, over the batch's slots
 * read back from the ring. The slots of a chunk or of a held batch are still claimed then: the ring reuses a
 * slot only once this handler's sequence has passed it, which the Disruptor (and the inline drain's poller)
 * advances after the whole batch.
 *
 * <p>A stage that throws is a bug: it is logged and the slot goes on to the next stage, as it does
 * between threads, so every slot is still answered and a held batch is never left behind. Runs on the
 * one stage thread; owns nothing beyond what its stages own. Allocates nothing per event.
 */
final class SingleThreadStages implements EventHandler<EventSlot> {
    /** Slots per pass of each stage: the chunk's slots and the stages' code stay in the core's caches. */
    static final int CHUNK = 64;
    private static final Logger LOG = LoggerFactory.getLogger(SingleThreadStages.class);

    // the stages' own (final) classes, not the interface: once the passes are inlined, each stage's call is a
    // direct one the compiler can inline, rather than one call site that sees four receivers
    private final DecodeStage decode;
    private final JournalStage journal;
    private final DedupeWindowStage window;
    private final RespondStage respond;
    private final boolean holdUntilFlush;
    private RingBuffer<EventSlot> ring;
    /** First ring sequence of the chunk not yet run through the stages (-1: none). */
    private long chunkFrom = -1;
    /** SYNC: first ring sequence of the batch journaled and held until its flush (-1: none held). */
    private long heldFrom = -1;

    SingleThreadStages(final DecodeStage decode, final JournalStage journal, final DedupeWindowStage window,
                       final RespondStage respond, final boolean syncDurability) {
        this.decode = decode;
        this.journal = journal;
        this.window = window;
        this.respond = respond;
        this.holdUntilFlush = syncDurability;
    }

    /** The ring this handler runs on, to read a chunk's and a held batch's slots back. */
    void attach(final RingBuffer<EventSlot> ring) {
        this.ring = ring;
    }

    @Override
    public void onEvent(final EventSlot slot, final long ringSequence, final boolean endOfBatch) {
        if (chunkFrom < 0) {
            chunkFrom = ringSequence;
        }
        if (!endOfBatch && ringSequence - chunkFrom + 1 < CHUNK) {
            return;
        }
        final long from = chunkFrom;
        chunkFrom = -1;
        pass(decode, from, ringSequence, endOfBatch);
        pass(journal, from, ringSequence, endOfBatch); // at endOfBatch, SYNC: the batch's fdatasync
        if (!holdUntilFlush) {
            pass(window, from, ringSequence, endOfBatch);
            pass(respond, from, ringSequence, endOfBatch);
            return;
        }
        if (heldFrom < 0) {
            heldFrom = from;
        }
        if (endOfBatch) {
            // the journal has flushed everything up to ringSequence: count and answer the held batch
            pass(window, heldFrom, ringSequence, true);
            pass(respond, heldFrom, ringSequence, true);
            heldFrom = -1;
        }
    }

    /** One stage over ring sequences {@code from..to}; the last one is the batch's end when {@code endOfBatch}. */
    private void pass(final EventHandler<EventSlot> stage, final long from, final long to, final boolean endOfBatch) {
        for (long s = from; s <= to; s++) {
            run(stage, ring.get(s), s, endOfBatch && s == to);
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
