package io.conversioni.window;

import static io.conversioni.window.WindowCellDescriptor.DENOMINATOR_COUNT_OFFSET;
import static io.conversioni.window.WindowCellDescriptor.DUPLICATE_COUNT_OFFSET;
import static io.conversioni.window.WindowCellDescriptor.LATE_COUNT_OFFSET;
import static io.conversioni.window.WindowCellDescriptor.NUMERATOR_COUNT_OFFSET;
import static io.conversioni.window.WindowCellDescriptor.REJECTED_COUNT_OFFSET;
import static io.conversioni.window.WindowCellDescriptor.UNIQUE_COUNT_OFFSET;
import static io.conversioni.window.WindowCellDescriptor.VALUE_SUM_CENTS_OFFSET;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A view of one cell laid out by {@link WindowCellDescriptor}, re-pointed with {@link #wrap}.
 *
 * <p>Threading: one instance per thread. The store's writer view mutates the live ring (window thread only,
 * inside the window's sequence lock); a reader's view (from {@link WindowSnapshot}) reads its private copy.
 * Allocation: none. Recycle: a view returned by a snapshot accessor is re-wrapped by the next accessor call.
 */
public final class WindowCellFlyweight {
    private final int statoCount;
    private UnsafeBuffer buffer;
    private int offset;

    public WindowCellFlyweight(final int statoCount) {
        this.statoCount = statoCount;
    }

    public WindowCellFlyweight wrap(final UnsafeBuffer buffer, final int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int statoCount() { return statoCount; }
    public long uniqueCount() { return buffer.getLong(offset + UNIQUE_COUNT_OFFSET); }
    public long duplicateCount() { return buffer.getLong(offset + DUPLICATE_COUNT_OFFSET); }
    public long rejectedCount() { return buffer.getLong(offset + REJECTED_COUNT_OFFSET); }
    public long lateCount() { return buffer.getLong(offset + LATE_COUNT_OFFSET); }
    public long valueSumCents() { return buffer.getLong(offset + VALUE_SUM_CENTS_OFFSET); }
    public long numeratorCount() { return buffer.getLong(offset + NUMERATOR_COUNT_OFFSET); }
    public long denominatorCount() { return buffer.getLong(offset + DENOMINATOR_COUNT_OFFSET); }

    public long statoCount(final int stato) {
        return buffer.getLong(offset + WindowCellDescriptor.statoCountOffset(stato));
    }

    /** Long fields in a cell: the seven fixed counters, then one per stato (the layout of {@link WindowCellDescriptor}). */
    public int fieldCount() {
        return WindowCellDescriptor.FIXED_FIELD_COUNT + statoCount;
    }

    /** Field {@code i} in layout order (unique, duplicate, rejected, late, valore cents, numerator, denominator, stati). */
    public long field(final int i) {
        return buffer.getLong(offset + fieldOffset(i));
    }

    /**
     * Adds {@code delta} to field {@code i}: for a detached snapshot's cells (the cluster's merged windows), never on a
     * store's live ring, whose cells only its window thread changes.
     */
    public void addField(final int i, final long delta) {
        final int at = offset + fieldOffset(i);
        buffer.putLong(at, buffer.getLong(at) + delta);
    }

    private int fieldOffset(final int i) {
        if (i < 0 || i >= fieldCount()) {
            throw new IndexOutOfBoundsException("cell field " + i + " of " + fieldCount());
        }
        return i * Long.BYTES;
    }

    /** Conversion rate of this cell, NaN when its denominator is zero. */
    public double conversionRate() {
        return WindowMetrics.conversionRate(numeratorCount(), denominatorCount());
    }

    /** Average valore of unique events in cents, rounded half up; {@link WindowMetrics#NONE} when empty. */
    public long averageValueCents() {
        return WindowMetrics.averageValueCents(valueSumCents(), uniqueCount());
    }

    /**
     * One event added to the cell at address {@code a} of {@code array} (null: direct memory): every increment is
     * 0 or 1 (the value 0 or the event's cents), chosen by the caller once for all the cells the event lands in,
     * so that no branch depends on the data. The caller has checked that the whole cell lies inside the buffer (the
     * window store checks a whole window at once); plain adds, no check per store.
     */
    static void addEventAt(
        final byte[] array, final long a, final long unique, final long duplicate, final long late,
        final long valueCents, final long numerator, final long denominator, final int statoOffset) {
        add(array, a + UNIQUE_COUNT_OFFSET, unique);
        add(array, a + DUPLICATE_COUNT_OFFSET, duplicate);
        add(array, a + LATE_COUNT_OFFSET, late);
        add(array, a + VALUE_SUM_CENTS_OFFSET, valueCents);
        add(array, a + NUMERATOR_COUNT_OFFSET, numerator);
        add(array, a + DENOMINATOR_COUNT_OFFSET, denominator);
        add(array, a + statoOffset, unique);
    }

    /** {@code delta} added to the long at {@code address} of {@code array} (null: direct memory), already bounds-checked. */
    private static void add(final byte[] array, final long address, final long delta) {
        UnsafeApi.putLong(array, address, UnsafeApi.getLong(array, address) + delta);
    }

    void applyRejected() {
        increment(buffer, offset + REJECTED_COUNT_OFFSET);
    }

    private static void increment(final UnsafeBuffer b, final int index) {
        b.putLong(index, b.getLong(index) + 1);
    }

}
