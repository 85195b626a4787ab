package io.conversioni.pipeline;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.conversioni.event.ConversionEvent;
import io.conversioni.schema.Violations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one place where the ring and its stages are wired, in the order of the data-flow diagram:
 *
 * <pre>
 *   publishers ──► ring ──► [decode + validate] ──► [journal] ──► [dedupe → window] ──► [respond]
 * </pre>
 *
 * {@code stageThreads} 4: one thread per stage; 2: decode + journal on one thread, window + respond on
 * another; 1: all four on one thread ({@link SingleThreadStages}); 0: no stage thread, the publishing threads
 * run {@link SingleThreadStages} in turn ({@link InlineDrain}). Whatever the count, each stage sees a
 * slot only after the previous one is done with it (Disruptor sequence barriers between threads, program
 * order within one), so every slot field has exactly one writer, and with SYNC durability nothing is
 * counted or answered before its batch's flush. Built once; not thread-safe to build.
 */
final class EnginePipeline {
    private static final Logger LOG = LoggerFactory.getLogger(EnginePipeline.class);
    private static final String[] STAGE_NAMES = {"decode", "journal", "window", "respond"};
    private static final String[] FUSED_NAMES = {"decode-journal", "window-respond"};
    private static final String[] SINGLE_NAMES = {"stages"};
    /**
     * Largest array the ring's bodies share: the default ring (16384 slots of 512 bytes, 8 MiB) takes one; a larger
     * ring several, so that no size in {@code pipeline.ring_size}'s and {@code pipeline.slot_body_size}'s ranges
     * overflows an array's length. A stage crossing from one to the next stores one new reference, every few thousand
     * events.
     */
    static final int MAX_BODY_ARRAY_BYTES = 16 * 1024 * 1024;

    private final Disruptor<EventSlot> disruptor;
    private final RingBuffer<EventSlot> ring;
    private final InlineDrain inline;
    /** The blocking strategy whose wake-ups publishers may put off, or null for the spinning strategies. */
    private final DeferrableBlockingWaitStrategy deferrable;

    EnginePipeline(final int ringSize, final int slotBodyBytes, final String waitStrategy, final int stageThreads,
                   final boolean syncDurability, final DecodeStage decode, final JournalStage journal,
                   final DedupeWindowStage window, final RespondStage respond, final Runnable handOver) {
        final String[] names = stageThreads == 1 ? SINGLE_NAMES : stageThreads == 2 ? FUSED_NAMES : STAGE_NAMES;
        final AtomicInteger stage = new AtomicInteger();
        final ThreadFactory threads = runnable -> {
            final int i = stage.getAndIncrement();
            final Thread t = new Thread(runnable, "conversioni-" + (i < names.length ? names[i] : "stage-" + i));
            t.setDaemon(true);
            return t;
        };
        final Object[] attachments = new Object[ringSize];
        final AtomicInteger slots = new AtomicInteger();
        final WaitStrategy strategy = waitStrategy(waitStrategy);
        deferrable = strategy instanceof DeferrableBlockingWaitStrategy ? (DeferrableBlockingWaitStrategy) strategy : null;
        // One thread that takes the ring a chunk at a time, and answers each chunk before it decodes the next
        // (ASYNC): slots CHUNK apart never hold a decoded event at the same time, so they share one holder, and
        // the CHUNK holders stay in the core's cache instead of one cold holder per slot (docs/performance.md,
        // "Stage by stage over a chunk"). Stage threads running apart, or a SYNC batch held until its flush,
        // keep a holder per slot.
        final boolean sharedHolders = stageThreads <= 1 && !syncDurability;
        final int holders = sharedHolders ? Math.min(ringSize, SingleThreadStages.CHUNK) : 0;
        final ConversionEvent[] events = new ConversionEvent[holders];
        final Violations[] violations = new Violations[events.length];
        for (int i = 0; i < events.length; i++) {
            events[i] = new ConversionEvent();
            violations[i] = new Violations();
        }
        // Every slot's body starts as its slice of a few large arrays, back to back in ring order: the stages read
        // consecutive bodies through the same reference and store none into their long-lived objects
        // (EventSlot#body), and the bodies lie densely, so the cache lines and pages the publisher wrote and the
        // stages read are few (docs/performance.md, "The ring's bodies packed")
        final byte[][] bodies = bodyArrays(ringSize, slotBodyBytes);
        final int slotsPerArray = slotsPerBodyArray(slotBodyBytes);
        disruptor = new Disruptor<>(() -> {
            final int index = slots.getAndIncrement();
            final byte[] array = bodies[index / slotsPerArray];
            final int offset = (index % slotsPerArray) * slotBodyBytes;
            return sharedHolders
                ? new EventSlot(array, offset, slotBodyBytes, attachments, index,
                    events[index % events.length], violations[index % events.length])
                : new EventSlot(array, offset, slotBodyBytes, attachments, index,
                    new ConversionEvent(), new Violations());
        }, ringSize, threads, ProducerType.MULTI, strategy);
        disruptor.setDefaultExceptionHandler(new LoggingExceptionHandler());
        SingleThreadStages single = null;
        if (stageThreads <= 1) {
            // one thread for 2-core machines: the same stages in the same order, no hand-off at all; with 0 no
            // stage thread either: the publishing thread that finds no drain running drains the ring itself
            single = new SingleThreadStages(decode, journal, window, respond, syncDurability);
            if (stageThreads == 1) {
                disruptor.handleEventsWith(single);
            }
        } else if (stageThreads == 2) {
            // two threads: the same stages in the same order, two per thread
            disruptor.handleEventsWith(new Fused(decode, journal)).then(new Fused(window, respond));
        } else {
            disruptor.handleEventsWith(decode).then(journal).then(window).then(respond);
        }
        ring = disruptor.getRingBuffer();
        // the ring creates its slots in index order; each slot's attachment lives at its index
        for (int i = 0; i < ringSize; i++) {
            if (ring.get(i).attachmentIndex() != i) {
                throw new IllegalStateException("ring slot " + i + " was created as slot " + ring.get(i).attachmentIndex());
            }
        }
        journal.attach(ring);
        if (single != null) {
            single.attach(ring);
        }
        inline = stageThreads == 0 ? new InlineDrain(ring, single, handOver) : null;
    }

    /** The inline wiring's drain, or null when stage threads run the stages. */
    InlineDrain inline() {
        return inline;
    }

    static WaitStrategy waitStrategy(final String name) {
        switch (name) {
            case "blocking": return new DeferrableBlockingWaitStrategy();
            case "yielding": return new YieldingWaitStrategy();
            case "busy_spin": return new BusySpinWaitStrategy();
            default: return new SleepingWaitStrategy();
        }
    }

    /** How many slots' bodies one array holds: as many as fit in {@value #MAX_BODY_ARRAY_BYTES} bytes, at least one. */
    static int slotsPerBodyArray(final int slotBodyBytes) {
        return Math.max(1, MAX_BODY_ARRAY_BYTES / slotBodyBytes);
    }

    /** The arrays the ring's {@code ringSize} slots ({@code slotBodyBytes} each) take their bodies from, in order. */
    static byte[][] bodyArrays(final int ringSize, final int slotBodyBytes) {
        final int perArray = slotsPerBodyArray(slotBodyBytes);
        final byte[][] arrays = new byte[(ringSize + perArray - 1) / perArray][];
        for (int i = 0; i < arrays.length; i++) {
            arrays[i] = new byte[Math.min(perArray, ringSize - i * perArray) * slotBodyBytes];
        }
        return arrays;
    }

    RingBuffer<EventSlot> ring() {
        return ring;
    }

    /**
     * Publishes a claimed slot. {@code quiet}: without waking a waiting stage thread (only the blocking strategy
     * wakes anyone); the caller owes a {@link #wakeStages()}. The inline wiring ignores {@code quiet}: there the
     * publisher drains the ring itself.
     */
    void publish(final long ringSequence, final boolean quiet) {
        if (quiet && defersWakes()) {
            deferrable.publishQuietly(ring, ringSequence);
        } else {
            ring.publish(ringSequence);
        }
        if (inline != null) {
            inline.afterPublish();
        }
    }

    /** {@link #publish} for the claimed slots {@code lo..hi}, all made visible at once, with one wake at most. */
    void publishRun(final long lo, final long hi, final boolean quiet) {
        if (quiet && defersWakes()) {
            deferrable.publishQuietly(ring, lo, hi);
        } else {
            ring.publish(lo, hi);
        }
        if (inline != null) {
            inline.afterPublish();
        }
    }

    /** Whether a quiet publish puts a wake-up off: the blocking strategy with stage threads. */
    boolean defersWakes() {
        return deferrable != null && inline == null;
    }

    /** Wakes the stage threads for every slot published quietly so far. Any thread; cheap when none waits. */
    void wakeStages() {
        if (deferrable != null) {
            deferrable.wake();
        }
    }

    void start() {
        disruptor.start();
    }

    /** Waits until every published slot went through all stages, then stops the stage threads. */
    boolean drainAndStop(final long timeoutMillis) {
        if (inline != null) {
            return inline.drainAll(timeoutMillis);
        }
        wakeStages(); // a publisher that published quietly may not have woken them yet
        try {
            disruptor.shutdown(timeoutMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (com.lmax.disruptor.TimeoutException e) {
            LOG.warn("the ring did not drain within {} ms; stopping anyway", timeoutMillis);
            disruptor.halt();
            return false;
        }
    }

    /** Two consecutive stages on one thread: each slot goes through the first, then the second. */
    private static final class Fused implements com.lmax.disruptor.EventHandler<EventSlot> {
        private final com.lmax.disruptor.EventHandler<EventSlot> first;
        private final com.lmax.disruptor.EventHandler<EventSlot> second;

        Fused(final com.lmax.disruptor.EventHandler<EventSlot> first, final com.lmax.disruptor.EventHandler<EventSlot> second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void onEvent(final EventSlot slot, final long sequence, final boolean endOfBatch) throws Exception {
            first.onEvent(slot, sequence, endOfBatch);
            second.onEvent(slot, sequence, endOfBatch);
        }
    }

    /** A stage that throws is a bug: log it with the slot and keep the pipeline going (the slot still gets answered). */
    private static final class LoggingExceptionHandler implements ExceptionHandler<EventSlot> {
        @Override
        public void handleEventException(final Throwable ex, final long sequence, final EventSlot slot) {
            LOG.error("stage failed on engine sequence {} (ring {})", slot == null ? -1 : slot.sequence, sequence, ex);
        }

        @Override
        public void handleOnStartException(final Throwable ex) {
            LOG.error("stage failed to start", ex);
        }

        @Override
        public void handleOnShutdownException(final Throwable ex) {
            LOG.error("stage failed to stop", ex);
        }
    }
}
