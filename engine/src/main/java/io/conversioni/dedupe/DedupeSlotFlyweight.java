package io.conversioni.dedupe;

import static io.conversioni.dedupe.DedupeSlotDescriptor.BUCKET_OFFSET;
import static io.conversioni.dedupe.DedupeSlotDescriptor.CONTENT_HASH_OFFSET;
import static io.conversioni.dedupe.DedupeSlotDescriptor.EVENT_TIME_MILLIS_OFFSET;
import static io.conversioni.dedupe.DedupeSlotDescriptor.FIRST_RECEIVE_MILLIS_OFFSET;
import static io.conversioni.dedupe.DedupeSlotDescriptor.FIRST_SEQUENCE_OFFSET;
import static io.conversioni.dedupe.DedupeSlotDescriptor.KEY_HI_OFFSET;
import static io.conversioni.dedupe.DedupeSlotDescriptor.KEY_LO_OFFSET;
import static io.conversioni.dedupe.DedupeSlotDescriptor.HOME_OFFSET;
import static io.conversioni.dedupe.DedupeSlotDescriptor.STATE_EMPTY;
import static io.conversioni.dedupe.DedupeSlotDescriptor.STATE_OFFSET;
import static io.conversioni.dedupe.DedupeSlotDescriptor.STATE_USED;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads and writes one {@link DedupeSlotDescriptor} slot in place; {@link #wrap(UnsafeBuffer, int)}
 * moves it to another slot.
 *
 * <p>Threading: used by the table's owner thread only (plain loads and stores). Allocation: none;
 * one instance per table, re-wrapped for every probe step.
 */
final class DedupeSlotFlyweight {
    private UnsafeBuffer buffer;
    private int offset;

    /**
     * @param buffer the table's buffer.
     * @param offset byte offset of a slot ({@link DedupeSlotDescriptor#slotOffset(int)}).
     * @return this.
     */
    public DedupeSlotFlyweight wrap(final UnsafeBuffer buffer, final int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int offset() {
        return offset;
    }

    public boolean isEmpty() {
        return buffer.getInt(offset + STATE_OFFSET) == STATE_EMPTY;
    }

    /** @return whether this slot holds exactly this identity (the caller checks it is used). */
    public boolean matches(final long keyHi, final long keyLo, final long bucket, final long contentHash) {
        buffer.boundsCheck(offset, DedupeSlotDescriptor.SLOT_LENGTH);
        return matchesAt(buffer.byteArray(), buffer.addressOffset() + offset, keyHi, keyLo, bucket, contentHash);
    }

    /**
     * {@link #matches} on the slot at {@code address} of {@code base} (null: direct memory), without a bounds check:
     * for the table's probe loop, whose offsets are masked slot offsets and so inside the slot array.
     */
    static boolean matchesAt(final Object base, final long address, final long keyHi, final long keyLo,
                             final long bucket, final long contentHash) {
        return UnsafeApi.getLong(base, address + KEY_LO_OFFSET) == keyLo
            && UnsafeApi.getLong(base, address + KEY_HI_OFFSET) == keyHi
            && UnsafeApi.getLong(base, address + BUCKET_OFFSET) == bucket
            && UnsafeApi.getLong(base, address + CONTENT_HASH_OFFSET) == contentHash;
    }

    public long keyHi() {
        return buffer.getLong(offset + KEY_HI_OFFSET);
    }

    public long keyLo() {
        return buffer.getLong(offset + KEY_LO_OFFSET);
    }

    public long bucket() {
        return buffer.getLong(offset + BUCKET_OFFSET);
    }

    public long contentHash() {
        return buffer.getLong(offset + CONTENT_HASH_OFFSET);
    }

    public long eventTimeMillis() {
        return buffer.getLong(offset + EVENT_TIME_MILLIS_OFFSET);
    }

    public long firstSequence() {
        return buffer.getLong(offset + FIRST_SEQUENCE_OFFSET);
    }

    public long firstReceiveMillis() {
        return buffer.getLong(offset + FIRST_RECEIVE_MILLIS_OFFSET);
    }

    /** @return the slot index this entry's identity hashes to. */
    public int home() {
        return buffer.getInt(offset + HOME_OFFSET);
    }

    /** Sets the home index (when a snapshot written before it was stored is read back). */
    public void home(final int home) {
        buffer.putInt(offset + HOME_OFFSET, home);
    }

    /**
     * Writes a whole entry, the state word last (the descriptor's commit rule). Overwriting a used slot
     * in place keeps it used throughout, so probe chains through it stay intact.
     */
    public void putEntry(
        final long keyHi,
        final long keyLo,
        final long bucket,
        final long contentHash,
        final long eventTimeMillis,
        final long firstSequence,
        final long firstReceiveMillis,
        final int home) {
        buffer.boundsCheck(offset, DedupeSlotDescriptor.SLOT_LENGTH);
        putEntryAt(buffer.byteArray(), buffer.addressOffset() + offset, keyHi, keyLo, bucket, contentHash,
            eventTimeMillis, firstSequence, firstReceiveMillis, home);
    }

    /**
     * {@link #putEntry} on the slot at {@code address} of {@code base} (null: direct memory), without a bounds
     * check: for the table's insert, whose offset is a masked slot offset and so inside the slot array (ten bounds
     * checks there checked nothing). The one definition of the entry's layout and write order.
     */
    static void putEntryAt(final Object base, final long address, final long keyHi, final long keyLo,
                           final long bucket, final long contentHash, final long eventTimeMillis,
                           final long firstSequence, final long firstReceiveMillis, final int home) {
        UnsafeApi.putLong(base, address + KEY_HI_OFFSET, keyHi);
        UnsafeApi.putLong(base, address + KEY_LO_OFFSET, keyLo);
        UnsafeApi.putLong(base, address + BUCKET_OFFSET, bucket);
        UnsafeApi.putLong(base, address + CONTENT_HASH_OFFSET, contentHash);
        UnsafeApi.putLong(base, address + EVENT_TIME_MILLIS_OFFSET, eventTimeMillis);
        UnsafeApi.putLong(base, address + FIRST_SEQUENCE_OFFSET, firstSequence);
        UnsafeApi.putLong(base, address + FIRST_RECEIVE_MILLIS_OFFSET, firstReceiveMillis);
        UnsafeApi.putInt(base, address + HOME_OFFSET, home);
        // Plain store, last in program order: only the owner thread reads slots (see the descriptor).
        UnsafeApi.putInt(base, address + STATE_OFFSET, STATE_USED);
    }
}
