package io.conversioni.window;

import org.agrona.BitUtil;

/**
 * Layout of the whole window ring in one buffer: a store header, then {@code windowCount} windows of
 * {@link #windowStrideBytes} each. Window {@code i} (window start = {@code i * lengthMs}) lives in ring slot
 * {@code floorMod(i, windowCount)}.
 *
 * <pre>
 *  Store header (128 bytes, fields written with release stores, read with acquire loads):
 *  +---------------------------------------------------------------+
 *  |  watermark millis                                             |   0
 *  |  max event time millis                                        |   8
 *  |  head window index (newest window in the ring)                |  16
 *  |  too-late count (beyond the horizon)                          |  24
 *  |  future count (dated beyond the future tolerance)             |  32
 *  |  rejected count outside the horizon                           |  40
 *  |  last applied sequence                                        |  48
 *  |  heartbeat count                                              |  56
 *  |  padding to 128 (keeps the hot window off this line)          |  64
 *  +---------------------------------------------------------------+
 *
 *  Window (stride rounded up to 64 bytes):
 *  +---------------------------------------------------------------+
 *  |  version: sequence lock, odd while the writer changes it      |   0
 *  |  window index ({@link #NO_WINDOW} while the slot is unused)   |   8
 *  |  revision: changes applied after the window closed           |  16
 *  |  closed: 1 once the watermark passed the window's end         |  24
 *  |  campaign cells used: highest campaign id touched + 1         |  32
 *  |  reserved                                                     |  40..63
 *  +---------------------------------------------------------------+
 *  |  cell: window total                                           |  64
 *  |  cells: evento [0 .. eventoCount)                             |
 *  |  cells: canale [0 .. canaleCount)                             |
 *  |  cells: campagna [0 .. campaignCapacity)                      |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Commit rule: the window thread stores an odd version (then a release fence) before it touches any
 * other byte of the window, and the next even version with a release store after; readers load the version
 * with acquire, copy, fence, and load it again.
 */
final class WindowRingDescriptor {
    public static final long NO_WINDOW = Long.MIN_VALUE;

    public static final int WATERMARK_MILLIS_OFFSET = 0;
    public static final int MAX_EVENT_TIME_MILLIS_OFFSET = 8;
    public static final int HEAD_WINDOW_INDEX_OFFSET = 16;
    public static final int TOO_LATE_COUNT_OFFSET = 24;
    public static final int FUTURE_COUNT_OFFSET = 32;
    public static final int REJECTED_OUTSIDE_HORIZON_COUNT_OFFSET = 40;
    public static final int LAST_SEQUENCE_OFFSET = 48;
    public static final int HEARTBEAT_COUNT_OFFSET = 56;
    public static final int STORE_HEADER_LENGTH = 128;

    public static final int VERSION_OFFSET = 0;
    public static final int WINDOW_INDEX_OFFSET = 8;
    public static final int REVISION_OFFSET = 16;
    public static final int CLOSED_OFFSET = 24;
    public static final int CAMPAIGN_CELLS_USED_OFFSET = 32;
    public static final int WINDOW_HEADER_LENGTH = 64;

    private WindowRingDescriptor() {
    }

    /** Cells per window before the campaign cells: the total, the evento and the canale cells. */
    public static int fixedCellCount(final WindowConfig config) {
        return 1 + config.eventoCount() + config.canaleCount();
    }

    public static long windowStrideBytes(final WindowConfig config) {
        final long cells = (long) fixedCellCount(config) + config.campaignCapacity();
        final long raw = WINDOW_HEADER_LENGTH + cells * WindowCellDescriptor.cellLengthBytes(config.statoCount());
        return (raw + BitUtil.CACHE_LINE_LENGTH - 1) & ~(long) (BitUtil.CACHE_LINE_LENGTH - 1);
    }

    public static long ringLengthBytes(final WindowConfig config) {
        return windowStrideBytes(config) * config.windowCount();
    }

    public static int totalCellOffset() {
        return WINDOW_HEADER_LENGTH;
    }

    public static int eventoCellOffset(final int cellLength, final int evento) {
        return WINDOW_HEADER_LENGTH + (1 + evento) * cellLength;
    }

    public static int canaleCellOffset(final int cellLength, final int eventoCount, final int canale) {
        return WINDOW_HEADER_LENGTH + (1 + eventoCount + canale) * cellLength;
    }

    public static int campagnaCellOffset(final int cellLength, final int fixedCells, final int campagnaId) {
        return WINDOW_HEADER_LENGTH + (fixedCells + campagnaId) * cellLength;
    }
}
