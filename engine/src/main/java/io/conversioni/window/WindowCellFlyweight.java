package io.conversioni.window;

import static io.conversioni.window.WindowCellDescriptor.DENOMINATOR_COUNT_OFFSET;
import static io.conversioni.window.WindowCellDescriptor.DUPLICATE_COUNT_OFFSET;
import static io.conversioni.window.WindowCellDescriptor.LATE_COUNT_OFFSET;
import static io.conversioni.window.WindowCellDescriptor.NUMERATOR_COUNT_OFFSET;
import static io.conversioni.window.WindowCellDescriptor.REJECTED_COUNT_OFFSET;
import static io.conversioni.window.WindowCellDescriptor.UNIQUE_COUNT_OFFSET;
import static io.conversioni.window.WindowCellDescriptor.VALUE_SUM_CENTS_OFFSET;

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

    /** Conversion rate of this cell, NaN when its denominator is zero. */
    public double conversionRate() {
        return WindowMetrics.conversionRate(numeratorCount(), denominatorCount());
    }

    /** Average valore of unique events in cents, rounded half up; {@link WindowMetrics#NONE} when empty. */
    public long averageValueCents() {
        return WindowMetrics.averageValueCents(valueSumCents(), uniqueCount());
    }

    void applyEvent(
        final boolean duplicate, final boolean late, final int stato, final long valoreCents,
        final boolean numerator, final boolean denominator) {
        final UnsafeBuffer b = buffer;
        final int o = offset;
        if (duplicate) {
            increment(b, o + DUPLICATE_COUNT_OFFSET);
        } else {
            increment(b, o + UNIQUE_COUNT_OFFSET);
            b.putLong(o + VALUE_SUM_CENTS_OFFSET, b.getLong(o + VALUE_SUM_CENTS_OFFSET) + valoreCents);
            increment(b, o + WindowCellDescriptor.statoCountOffset(stato));
            if (numerator) {
                increment(b, o + NUMERATOR_COUNT_OFFSET);
            }
            if (denominator) {
                increment(b, o + DENOMINATOR_COUNT_OFFSET);
            }
        }
        if (late) {
            increment(b, o + LATE_COUNT_OFFSET);
        }
    }

    void applyRejected() {
        increment(buffer, offset + REJECTED_COUNT_OFFSET);
    }

    private static void increment(final UnsafeBuffer b, final int index) {
        b.putLong(index, b.getLong(index) + 1);
    }
}
