package io.conversioni.window;

import static io.conversioni.window.WindowRingDescriptor.CAMPAIGN_CELLS_USED_OFFSET;
import static io.conversioni.window.WindowRingDescriptor.CLOSED_OFFSET;
import static io.conversioni.window.WindowRingDescriptor.NO_WINDOW;
import static io.conversioni.window.WindowRingDescriptor.REVISION_OFFSET;
import static io.conversioni.window.WindowRingDescriptor.STORE_HEADER_LENGTH;
import static io.conversioni.window.WindowRingDescriptor.VERSION_OFFSET;
import static io.conversioni.window.WindowRingDescriptor.WINDOW_HEADER_LENGTH;
import static io.conversioni.window.WindowRingDescriptor.WINDOW_INDEX_OFFSET;

import java.lang.invoke.VarHandle;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The off-heap buffer laid out by {@link WindowRingDescriptor} and its sequence lock: the window thread's
 * write bracket ({@link #beginWriteStoreStore} / {@link #endWriteRelease}) and the readers' validated copy
 * ({@link #copyWindowAcquire}).
 *
 * <p>Threading: write methods from the window thread only; {@link #copyWindowAcquire} and the header loads
 * from any thread. Allocation: the buffer, once, at construction (off-heap, cache-line aligned); nothing after.
 * Growth: never. Recycle: a slot is reset in place when the ring's head moves past it.
 */
final class WindowRing {
    private static final int MAX_SPINS_BEFORE_YIELD = 64;

    final UnsafeBuffer buffer;
    final int windowCount;
    final int strideBytes;
    final int cellLengthBytes;
    final int fixedCells;
    final int campaignCapacity;
    final int eventoCount;

    WindowRing(final WindowConfig config) {
        windowCount = config.windowCount();
        strideBytes = (int) WindowRingDescriptor.windowStrideBytes(config);
        cellLengthBytes = WindowCellDescriptor.cellLengthBytes(config.statoCount());
        fixedCells = WindowRingDescriptor.fixedCellCount(config);
        campaignCapacity = config.campaignCapacity();
        eventoCount = config.eventoCount();
        final int capacity = STORE_HEADER_LENGTH + strideBytes * windowCount;
        buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity, BitUtil.CACHE_LINE_LENGTH));
        for (int slot = 0; slot < windowCount; slot++) {
            buffer.putLong(slotOffset(slot) + WINDOW_INDEX_OFFSET, NO_WINDOW);
        }
        buffer.putLong(WindowRingDescriptor.WATERMARK_MILLIS_OFFSET, Long.MIN_VALUE);
        buffer.putLong(WindowRingDescriptor.MAX_EVENT_TIME_MILLIS_OFFSET, Long.MIN_VALUE);
        buffer.putLong(WindowRingDescriptor.HEAD_WINDOW_INDEX_OFFSET, NO_WINDOW);
        buffer.putLong(WindowRingDescriptor.LAST_SEQUENCE_OFFSET, -1L);
        // Release: a reader thread that acquires any header field sees the initialised ring.
        VarHandle.releaseFence();
    }

    int slotOffset(final int slot) {
        return STORE_HEADER_LENGTH + slot * strideBytes;
    }

    int windowOffset(final long windowIndex) {
        return slotOffset((int) Math.floorMod(windowIndex, (long) windowCount));
    }

    int copyLengthBytes(final int campaignCellsUsed) {
        return WINDOW_HEADER_LENGTH + (fixedCells + campaignCellsUsed) * cellLengthBytes;
    }

    /** Window thread: makes the version odd; the fence keeps the odd store ahead of the data stores after it. */
    long beginWriteStoreStore(final int windowOffset) {
        final long odd = buffer.getLong(windowOffset + VERSION_OFFSET) + 1;
        buffer.putLong(windowOffset + VERSION_OFFSET, odd);
        // StoreStore: a reader that sees any data store below also sees this odd version on its re-check.
        VarHandle.storeStoreFence();
        return odd;
    }

    /** Window thread: publishes the window's new state; the release store orders every data store before it. */
    void endWriteRelease(final int windowOffset, final long oddVersion) {
        buffer.putLongRelease(windowOffset + VERSION_OFFSET, oddVersion + 1);
    }

    /** Window thread: clears a slot in place and gives it to window {@code windowIndex}. */
    void resetSlot(final long windowIndex, final boolean closed) {
        final int offset = windowOffset(windowIndex);
        final long odd = beginWriteStoreStore(offset);
        buffer.setMemory(offset + WINDOW_INDEX_OFFSET, strideBytes - WINDOW_INDEX_OFFSET, (byte) 0);
        buffer.putLong(offset + WINDOW_INDEX_OFFSET, windowIndex);
        buffer.putLong(offset + CLOSED_OFFSET, closed ? 1 : 0);
        endWriteRelease(offset, odd);
    }

    /** Window thread: marks a window closed (no revision: closing is not a change of its content). */
    void markClosed(final long windowIndex) {
        final int offset = windowOffset(windowIndex);
        if (buffer.getLong(offset + WINDOW_INDEX_OFFSET) != windowIndex
            || buffer.getLong(offset + CLOSED_OFFSET) != 0) {
            return;
        }
        final long odd = beginWriteStoreStore(offset);
        buffer.putLong(offset + CLOSED_OFFSET, 1);
        endWriteRelease(offset, odd);
    }

    /**
     * Any thread: copies the slot holding {@code windowIndex} into {@code into}, retrying until the copy
     * is consistent; false when the slot holds another window (or none), which is also a consistent answer.
     */
    boolean copyWindowAcquire(final int slotOffset, final long windowIndex, final WindowSnapshot into) {
        final UnsafeBuffer target = into.copy;
        int spins = 0;
        while (true) {
            final long before = buffer.getLongAcquire(slotOffset + VERSION_OFFSET);
            if ((before & 1) == 0) {
                final long seenIndex = buffer.getLong(slotOffset + WINDOW_INDEX_OFFSET);
                final long usedRaw = buffer.getLong(slotOffset + CAMPAIGN_CELLS_USED_OFFSET);
                final int used = (int) Math.max(0, Math.min(usedRaw, campaignCapacity));
                if (seenIndex == windowIndex || windowIndex == NO_WINDOW) {
                    buffer.getBytes(slotOffset, target, 0, copyLengthBytes(used));
                }
                // Acquire: every load of the copy above completes before the version is loaded again.
                VarHandle.acquireFence();
                final long after = buffer.getLong(slotOffset + VERSION_OFFSET);
                if (before == after) {
                    if (seenIndex == NO_WINDOW || (windowIndex != NO_WINDOW && seenIndex != windowIndex)) {
                        return false;
                    }
                    into.commit(seenIndex, target.getLong(REVISION_OFFSET), target.getLong(CLOSED_OFFSET) != 0,
                        used, before);
                    return true;
                }
            }
            if (++spins > MAX_SPINS_BEFORE_YIELD) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    long headerAcquire(final int fieldOffset) {
        return buffer.getLongAcquire(fieldOffset);
    }

    /**
     * Window thread: publishes a store header field. {@code fieldOffset} is one of the descriptor's header
     * constants, inside the buffer by construction, so the store goes without a bounds check (the window
     * update publishes two or three of these per event).
     */
    void putHeaderRelease(final int fieldOffset, final long value) {
        if (fieldOffset < 0 || fieldOffset > WindowRingDescriptor.STORE_HEADER_LENGTH - Long.BYTES) {
            throw new IllegalArgumentException("not a header field: " + fieldOffset);
        }
        UnsafeApi.putLongRelease(buffer.byteArray(), buffer.addressOffset() + fieldOffset, value);
    }
}
