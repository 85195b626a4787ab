package io.conversioni.pipeline;

import io.conversioni.event.ConversionEvent;
import io.conversioni.schema.Violations;

/**
 * Read-only view of one processed event, handed to an {@link OutcomeListener}. Valid only during the
 * listener call: the ring slot behind it is reused afterwards.
 */
public interface EventView {
    /** Engine sequence of the event (unique, increasing; the journal's order). */
    long sequence();

    /** Receive time stamped at publish (epoch millis UTC); every time decision uses it. */
    long receiveMillis();

    /** One of the {@link Outcome} codes. */
    int outcome();

    /** For {@link Outcome#DUPLICATE}: the sequence of the event this one duplicates. */
    long duplicateOfSequence();

    /** For {@link Outcome#DUPLICATE}: when that event was received (epoch millis). */
    long duplicateOfReceiveMillis();

    /** Start of the window the event was counted in (epoch millis), or -1. */
    long windowStartMillis();

    /**
     * The Kafka partition of the record this event was fed from ({@link Engine#tryPublishRecord}), or -1 for an
     * event published by this node itself ({@link Engine#tryPublish}).
     */
    default int sourcePartition() {
        return -1;
    }

    /** The offset of that record in its partition; meaningful only when {@link #sourcePartition()} is 0 or more. */
    default long sourceOffset() {
        return -1L;
    }

    /**
     * True for a record published with {@link Engine#REPLAYED} as its attachment: one that another owner already
     * decided and whose effects outside the engine (verdict, notifications) already happened.
     */
    default boolean replayed() {
        return false;
    }

    /** True when the event landed in a window that had already closed (a new revision of it). */
    boolean late();

    /**
     * False when the journal wrote the event but could not flush it to disk (SYNC durability): it is
     * counted, yet must be answered 503 so that the sender retries (the retry is a duplicate).
     */
    boolean durable();

    /** The violations of a rejected event (empty otherwise). */
    Violations violations();

    /** The decoded fields (meaningful when the body was valid). */
    ConversionEvent event();

    /** The body bytes as received: {@code body()[bodyOffset(), bodyOffset() + bodyLength())}. */
    byte[] body();

    /** Where the body starts in {@link #body()}. */
    int bodyOffset();

    int bodyLength();
}
