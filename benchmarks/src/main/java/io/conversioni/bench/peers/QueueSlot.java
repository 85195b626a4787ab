package io.conversioni.bench.peers;

import io.conversioni.event.ConversionEvent;
import io.conversioni.schema.Violations;

/**
 * The per-event holder of {@link BlockingQueuePipelineBenchmark}: the queue-based twin of the engine's
 * ring slot. Preallocated in a pool and recycled by the respond stage, so the peer allocates no holder per
 * event. Each field has one writing stage (noted beside it); the next stage reads it after taking the slot
 * from an {@link java.util.concurrent.ArrayBlockingQueue}, whose lock orders the writes. Allocates only
 * when a body is larger than any before it.
 */
final class QueueSlot {
    // publisher
    long sequence;
    long receiveMillis;
    long receiveNanos;
    byte[] body = new byte[1024];
    int bodyLength;

    // decode stage
    final ConversionEvent event = new ConversionEvent();
    final Violations violations = new Violations();
    boolean valid;

    // journal stage (JOURNAL_FAILED), then dedupe/window stage (the rest)
    int outcome;
    long duplicateOfSequence = -1;
    long windowStartMillis = -1;
    boolean late;

    /** Publisher: copies the body in and resets what the stages write. */
    void fill(final byte[] src, final int length, final long sequence, final long receiveMillis,
              final long receiveNanos) {
        if (body.length < length) {
            body = new byte[Math.max(length, body.length * 2)];
        }
        System.arraycopy(src, 0, body, 0, length);
        this.bodyLength = length;
        this.sequence = sequence;
        this.receiveMillis = receiveMillis;
        this.receiveNanos = receiveNanos;
        this.valid = false;
        this.outcome = 0;
        this.duplicateOfSequence = -1;
        this.windowStartMillis = -1;
        this.late = false;
    }
}
