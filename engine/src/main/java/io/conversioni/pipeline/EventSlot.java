package io.conversioni.pipeline;

import io.conversioni.event.ConversionEvent;
import io.conversioni.schema.Violations;

/**
 * One preallocated ring entry: the body bytes copied in at publish, what each stage decided, and where
 * the outcome goes. Each field has one writing stage (noted beside it); later stages read it after the
 * Disruptor's sequence barrier, which orders the writes. Allocates only when a body is larger than any
 * before it (bounded by the configured maximum body size).
 */
final class EventSlot implements EventView {
    static final int KIND_EVENT = 0;
    static final int KIND_HEARTBEAT = 1;
    /** Not journaled: asks the window stage to capture its state for a snapshot at this point of the stream. */
    static final int KIND_SNAPSHOT = 2;
    /**
     * A publish that claimed its slot after {@link Engine#close()} began: it carries nothing, no stage acts on it
     * and nobody waits for its outcome (the publisher was told no). Published only so that the ring moves on.
     */
    static final int KIND_CANCELLED = 3;
    /**
     * Not journaled, and moves no watermark: the window stage only publishes its histograms. The engine's timer
     * sends it instead of a heartbeat when heartbeats come from the Kafka topic ({@link Engine#heartbeatsFromRecords}).
     */
    static final int KIND_TICK = 4;
    static final int NO_SOURCE_PARTITION = io.conversioni.journal.JournalEntryDescriptor.NO_SOURCE_PARTITION;
    static final long NO_SOURCE_OFFSET = io.conversioni.journal.JournalEntryDescriptor.NO_SOURCE_OFFSET;

    // publisher
    int kind;
    long sequence;
    long receiveMillis;
    long receiveNanos;
    /**
     * The body is {@code body[bodyOffset, bodyOffset + bodyLength)}. Ring slots start as slices of a few arrays
     * shared by the whole ring, back to back ({@link EnginePipeline}), so the stages that read a body keep one array
     * reference from event to event and store none (each reference store into a long-lived object pays G1's
     * card-mark fence); a body larger than its slice moves the slot to an array of its own, for good.
     */
    byte[] body;
    int bodyOffset;
    private int bodyCapacity;
    int bodyLength;
    OutcomeListener listener;
    /** The Kafka record this event was fed from (an owner in cluster mode), or -1 and -1: see {@link #source}. */
    int sourcePartition = NO_SOURCE_PARTITION;
    long sourceOffset = NO_SOURCE_OFFSET;
    /**
     * The caller's attachment (an HTTP exchange) is kept in one array shared by every slot of the ring, at this
     * slot's index, not in a field of the slot. Each reference store into an old object dirties its card, and a
     * young collection scans every dirty card: the ring's slots lie about 2 KB apart in the old generation (each
     * with its body, event and violations), so a field here left one dirty card per slot, all 16384 of them
     * within a few seconds of traffic. The array packs them into about 128.
     */
    private final Object[] attachments;
    private final int attachmentIndex;

    // decode stage; with one stage thread, slots SingleThreadStages.CHUNK apart share their holders (EnginePipeline)
    final ConversionEvent event;
    final Violations violations;
    boolean valid;
    /** {@link #countedEventTimeMillis} when a rejection counts at its receive time, as it does live. */
    static final long NO_TIME = Long.MIN_VALUE;
    /**
     * What-if replays only: the event time of an event the journal counted valid that the new schema rejects,
     * so its rejection is booked in the window it was counted in; {@link #NO_TIME} otherwise (receive time).
     */
    long countedEventTimeMillis = NO_TIME;

    // journal stage (JOURNAL_FAILED, notDurable), then dedupe/window stage (the rest)
    int outcome;
    boolean notDurable;
    /** For a snapshot slot: the last events-queue index journaled before it. */
    long journalIndex = -1;
    long duplicateOfSequence = -1;
    long duplicateOfReceiveMillis = -1;
    long windowStartMillis = -1;
    boolean late;

    /** A slot of its own (replay, tests): its attachment in a table of one, its body in an array of its own. */
    EventSlot(final int initialBodyCapacity) {
        this(new byte[initialBodyCapacity], 0, initialBodyCapacity, new Object[1], 0, new ConversionEvent(),
            new Violations());
    }

    /**
     * Ring slot {@code index}: its body in {@code bodies[bodyOffset, bodyOffset + bodyCapacity)} until one is larger,
     * its attachment at {@code attachments[index]}, decoded into {@code event} and {@code violations}, which slots
     * that are never in the stages at the same time may share.
     */
    EventSlot(final byte[] bodies, final int bodyOffset, final int bodyCapacity, final Object[] attachments,
              final int index, final ConversionEvent event, final Violations violations) {
        this.body = bodies;
        this.bodyOffset = bodyOffset;
        this.bodyCapacity = bodyCapacity;
        this.attachments = attachments;
        this.attachmentIndex = index;
        this.event = event;
        this.violations = violations;
    }

    /** This slot's position in its attachment table (its ring index). */
    int attachmentIndex() {
        return attachmentIndex;
    }

    @Override
    public boolean replayed() {
        return attachments[attachmentIndex] == Engine.REPLAYED;
    }

    /** What the publisher attached (null after {@link #release()}). */
    Object attachment() {
        return attachments[attachmentIndex];
    }

    /** Publisher: copies the body in, growing the slot's buffer only when needed. */
    void fill(final int kind, final byte[] src, final int offset, final int length, final long receiveMillis,
              final long receiveNanos, final OutcomeListener listener, final Object attachment) {
        if (bodyCapacity < length) {
            body = new byte[Math.max(length, bodyCapacity * 2)];
            bodyOffset = 0;
            bodyCapacity = body.length;
        }
        if (length > 0) {
            System.arraycopy(src, offset, body, bodyOffset, length);
        }
        this.kind = kind;
        this.bodyLength = length;
        this.receiveMillis = receiveMillis;
        this.receiveNanos = receiveNanos;
        if (this.listener != listener) {
            this.listener = listener; // one shared listener per caller: store (and pay G1's card mark) on change only
        }
        attachments[attachmentIndex] = attachment;
        this.sourcePartition = NO_SOURCE_PARTITION;
        this.valid = false;
        this.countedEventTimeMillis = NO_TIME;
        this.outcome = 0;
        this.notDurable = false;
        this.duplicateOfSequence = -1;
        this.duplicateOfReceiveMillis = -1;
        this.windowStartMillis = -1;
        this.late = false;
    }

    /** Publisher, after {@link #fill}: the event was fed from the Kafka record at {@code offset} of {@code partition}. */
    void source(final int partition, final long offset) {
        this.sourcePartition = partition;
        this.sourceOffset = offset;
    }

    /**
     * Respond stage: drops the attachment so the slot does not keep a finished request alive. The listener
     * stays until the next {@link #fill} overwrites it: callers pass one long-lived listener, and storing it
     * again for every event would pay G1's card-mark fence each time.
     */
    void release() {
        attachments[attachmentIndex] = null;
    }

    @Override
    public long sequence() {
        return sequence;
    }

    @Override
    public long receiveMillis() {
        return receiveMillis;
    }

    @Override
    public int outcome() {
        return outcome;
    }

    @Override
    public long duplicateOfSequence() {
        return duplicateOfSequence;
    }

    @Override
    public long duplicateOfReceiveMillis() {
        return duplicateOfReceiveMillis;
    }

    @Override
    public long windowStartMillis() {
        return windowStartMillis;
    }

    @Override
    public int sourcePartition() {
        return sourcePartition;
    }

    @Override
    public long sourceOffset() {
        return sourceOffset;
    }

    @Override
    public boolean late() {
        return late;
    }

    @Override
    public Violations violations() {
        return violations;
    }

    @Override
    public boolean durable() {
        return !notDurable;
    }

    @Override
    public ConversionEvent event() {
        return event;
    }

    @Override
    public byte[] body() {
        return body;
    }

    @Override
    public int bodyOffset() {
        return bodyOffset;
    }

    @Override
    public int bodyLength() {
        return bodyLength;
    }
}
