package io.conversioni.dedupe;

import io.conversioni.os.HugePages;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What a probe step reads, 16 bytes per slot in a direct array of its own beside the 64-byte slots: the
 * slot's event time, a 32-bit fingerprint of its identity (0: the slot is empty) and its home index. A
 * probe walks this array (four slots per cache line) and reads a 64-byte slot only when the fingerprint
 * matches; a miss in a full table, which visits {@code maxProbe} slots, touches a quarter of the lines it
 * would touch in the slots themselves. Derived data: the table writes it beside every slot write and
 * rebuilds it from the slots after loading a snapshot; snapshots never hold it.
 *
 * <pre>
 *   0: event time millis (64)   8: fingerprint (32), never 0 when used   12: home (32)
 * </pre>
 *
 * <p>Every index passed in is already masked to {@code [0, capacity)}, so the accessors read and write
 * the memory directly, without Agrona's bounds checks (the constructor sizes the array for exactly that
 * range). Single writer: the table's owner thread.
 */
final class DedupeProbeIndex {
    static final int ENTRY_LENGTH = 16;
    private static final int ENTRY_SHIFT = 4;
    private static final int FINGERPRINT_OFFSET = 8;
    private static final int HOME_OFFSET = 12;

    private final UnsafeBuffer buffer;
    private final long address;

    DedupeProbeIndex(final int capacitySlots) {
        buffer = new UnsafeBuffer(HugePages.allocateDirect(capacitySlots * ENTRY_LENGTH));
        address = buffer.addressOffset();
        clear();
    }

    long address() {
        return address;
    }

    /** The fingerprint of an identity: high bits of its (key hash + bucket), so independent of its home; never 0. */
    static int fingerprint(final long keyHash, final long bucket) {
        return (int)(((keyHash + bucket) * 0x9E3779B97F4A7C15L) >>> 32) | 1;
    }

    boolean isEmpty(final int index) {
        return fingerprint(index) == 0;
    }

    int fingerprint(final int index) {
        return UnsafeApi.getInt(null, address + ((long)index << ENTRY_SHIFT) + FINGERPRINT_OFFSET);
    }

    long eventTimeMillis(final int index) {
        return UnsafeApi.getLong(null, address + ((long)index << ENTRY_SHIFT));
    }

    int home(final int index) {
        return UnsafeApi.getInt(null, address + ((long)index << ENTRY_SHIFT) + HOME_OFFSET);
    }

    void put(final int index, final long eventTimeMillis, final int fingerprint, final int home) {
        final long entry = address + ((long)index << ENTRY_SHIFT);
        UnsafeApi.putLong(null, entry, eventTimeMillis);
        UnsafeApi.putInt(null, entry + FINGERPRINT_OFFSET, fingerprint);
        UnsafeApi.putInt(null, entry + HOME_OFFSET, home);
    }

    /** Backward shift: the entry of {@code from} moves to {@code to}. */
    void move(final int from, final int to) {
        final long source = address + ((long)from << ENTRY_SHIFT);
        final long target = address + ((long)to << ENTRY_SHIFT);
        UnsafeApi.putLong(null, target, UnsafeApi.getLong(null, source));
        UnsafeApi.putLong(null, target + FINGERPRINT_OFFSET, UnsafeApi.getLong(null, source + FINGERPRINT_OFFSET));
    }

    void remove(final int index) {
        final long entry = address + ((long)index << ENTRY_SHIFT);
        UnsafeApi.putLong(null, entry, 0L);
        UnsafeApi.putLong(null, entry + FINGERPRINT_OFFSET, 0L);
    }

    void clear() {
        buffer.setMemory(0, buffer.capacity(), (byte)0);
    }
}
