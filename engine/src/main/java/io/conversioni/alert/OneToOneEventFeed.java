package io.conversioni.alert;

import io.conversioni.event.ConversionEvent;
import io.conversioni.pipeline.EngineCounters;
import io.conversioni.pipeline.EventTap;
import io.conversioni.pipeline.EventView;
import io.conversioni.pipeline.Outcome;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

import static io.conversioni.alert.FeedRecordDescriptor.*;

/**
 * The engine's decided stream handed from the window thread (the single producer, through
 * {@link EventTap}) to the alert rules' thread (the single consumer), over an Agrona
 * {@link OneToOneRingBuffer} of fixed capacity, off-heap. The producer never blocks and allocates
 * nothing: it claims space, writes the fields of {@link FeedRecordDescriptor} and commits; when the ring
 * is full the record is dropped and counted ({@link #dropped()}), so a slow rule costs alert accuracy,
 * never ingest latency. The consumer decodes into one reused {@link FeedRecord}.
 */
public final class OneToOneEventFeed implements EventTap {
    private final OneToOneRingBuffer ring;
    private final AtomicBuffer buffer;
    private final AtomicLong dropped = new AtomicLong();
    private final FeedRecord record = new FeedRecord();
    private final Handler handler = new Handler();

    /** @param capacityBytes ring capacity, a power of two (each event takes 88 bytes with its header) */
    public OneToOneEventFeed(final int capacityBytes) {
        if (Integer.bitCount(capacityBytes) != 1 || capacityBytes < 1024) {
            throw new IllegalArgumentException("feed capacity must be a power of two of at least 1024 bytes, was "
                + capacityBytes);
        }
        this.ring = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacityBytes + RingBufferDescriptor.TRAILER_LENGTH)));
        this.buffer = ring.buffer();
    }

    @Override
    public void onEvent(final EventView event) {
        final int at = ring.tryClaim(event.replayed() ? MSG_REPLAYED_EVENT : MSG_EVENT, EVENT_LENGTH);
        if (at < 0) {
            dropped.lazySet(dropped.get() + 1); // single writer: the window thread
            return;
        }
        final int outcome = event.outcome();
        final ConversionEvent e = event.event();
        final boolean decoded = outcome != Outcome.REJECTED;
        buffer.putInt(at + OUTCOME_OFFSET, outcome);
        buffer.putInt(at + CANALE_OFFSET, decoded ? e.canaleOrdinal() : -1);
        buffer.putLong(at + RECEIVE_MILLIS_OFFSET, event.receiveMillis());
        buffer.putLong(at + EVENT_MILLIS_OFFSET, decoded ? e.timestampMillis() : ConversionEvent.MISSING);
        buffer.putInt(at + REJECTION_CODE_OFFSET, outcome == Outcome.REJECTED && event.violations().size() > 0
            ? EngineCounters.rejectionCodeIndex(event.violations().codice(0)) : -1);
        final int idLength = decoded && e.has(ConversionEvent.ID_CLIENTE)
            ? Math.min(MAX_ID_BYTES, e.length(ConversionEvent.ID_CLIENTE)) : 0;
        buffer.putInt(at + ID_LENGTH_OFFSET, idLength);
        if (idLength > 0) {
            buffer.putBytes(at + ID_BYTES_OFFSET, e.bytes(ConversionEvent.ID_CLIENTE),
                e.offset(ConversionEvent.ID_CLIENTE), idLength);
        }
        ring.commit(at); // release: the fields above are visible before the record is
    }

    @Override
    public void onHeartbeat(final long receiveMillis) {
        final int at = ring.tryClaim(MSG_HEARTBEAT, HEARTBEAT_LENGTH);
        if (at < 0) {
            dropped.lazySet(dropped.get() + 1);
            return;
        }
        buffer.putLong(at, receiveMillis);
        ring.commit(at);
    }

    /** Records the producer could not place because the ring was full. Any thread. */
    public long dropped() {
        return dropped.get();
    }

    /** Consumer: the callbacks {@link #poll} makes. */
    interface Consumer {
        void onEvent(FeedRecord record);

        void onHeartbeat(long receiveMillis);
    }

    /** Consumer thread only: hands at most {@code limit} records to {@code consumer}; returns how many. */
    int poll(final Consumer consumer, final int limit) {
        handler.consumer = consumer;
        return ring.read(handler, limit);
    }

    private final class Handler implements MessageHandler {
        Consumer consumer;

        @Override
        public void onMessage(final int type, final MutableDirectBuffer b, final int at, final int length) {
            if (type == MSG_HEARTBEAT) {
                consumer.onHeartbeat(b.getLong(at));
                return;
            }
            final FeedRecord r = record;
            r.replayed = type == MSG_REPLAYED_EVENT;
            r.outcome = b.getInt(at + OUTCOME_OFFSET);
            r.canale = b.getInt(at + CANALE_OFFSET);
            r.receiveMillis = b.getLong(at + RECEIVE_MILLIS_OFFSET);
            r.eventMillis = b.getLong(at + EVENT_MILLIS_OFFSET);
            r.rejectionCode = b.getInt(at + REJECTION_CODE_OFFSET);
            r.idLength = b.getInt(at + ID_LENGTH_OFFSET);
            b.getBytes(at + ID_BYTES_OFFSET, r.id, 0, r.idLength);
            consumer.onEvent(r);
        }
    }
}
