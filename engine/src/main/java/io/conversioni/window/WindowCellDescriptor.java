package io.conversioni.window;

/**
 * Layout of one window cell: the counters of one group member (the window total, one evento, one canale
 * or one campagna) inside one window. Cells follow their window's header (see {@link WindowRingDescriptor}).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  unique count (accepted, not duplicate)        |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  duplicate count                              |  8
 *  +---------------------------------------------------------------+
 *  |                  rejected count (total cell only)             | 16
 *  +---------------------------------------------------------------+
 *  |                  late count (applied after the window closed) | 24
 *  +---------------------------------------------------------------+
 *  |                  valore sum in cents (unique events)          | 32
 *  +---------------------------------------------------------------+
 *  |                  numerator count (unique, evento in numerator)| 40
 *  +---------------------------------------------------------------+
 *  |                  denominator count                            | 48
 *  +---------------------------------------------------------------+
 *  |                  stato count [0] ... [statoCount - 1]         | 56
 *  |                  (8 bytes each, unique events)                |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Commit rule: every field is a plain little-endian long written only by the window thread, and only
 * between the odd and even stores of the owning window's version (the sequence lock in the window header);
 * a reader trusts a copy only if it read the same even version before and after.
 */
final class WindowCellDescriptor {
    public static final int UNIQUE_COUNT_OFFSET = 0;
    public static final int DUPLICATE_COUNT_OFFSET = 8;
    public static final int REJECTED_COUNT_OFFSET = 16;
    public static final int LATE_COUNT_OFFSET = 24;
    public static final int VALUE_SUM_CENTS_OFFSET = 32;
    public static final int NUMERATOR_COUNT_OFFSET = 40;
    public static final int DENOMINATOR_COUNT_OFFSET = 48;
    public static final int STATO_COUNTS_OFFSET = 56;
    /** Number of long fields before the stato counts. */
    public static final int FIXED_FIELD_COUNT = 7;

    private WindowCellDescriptor() {
    }

    public static int cellLengthBytes(final int statoCount) {
        return STATO_COUNTS_OFFSET + statoCount * Long.BYTES;
    }

    public static int statoCountOffset(final int stato) {
        return STATO_COUNTS_OFFSET + stato * Long.BYTES;
    }
}
