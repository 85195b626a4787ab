package io.conversioni.window;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A reader's consistent copy of one window: its interval, whether the watermark had closed it, its
 * revision, and every cell (the total, per evento, per canale, per campagna). Filled by
 * {@link SingleWriterWindowStore#readWindow} and {@link SingleWriterWindowStore#forEachWindow}.
 *
 * <p>Threading: owned by one reader thread; reuse it for every read. Allocation: its heap copy, once, at
 * {@link SingleWriterWindowStore#newSnapshot()}; reads allocate nothing. Recycle: the cell view returned by
 * {@link #total()}, {@link #evento}, {@link #canale} and {@link #campagna} is shared and re-pointed by the
 * next of those calls; the whole snapshot is overwritten by the next read. A {@link #detached} holder is filled by
 * its owner instead (the cluster's merged windows); once handed to readers it is only read.
 */
public final class WindowSnapshot {
    final UnsafeBuffer copy;
    private final WindowCellFlyweight cell;
    private final long windowLengthMs;
    private final int cellLengthBytes;
    private final int eventoCount;
    private final int canaleCount;
    private final int fixedCells;
    private final int zeroCellOffset;
    private final int campaignCapacity;
    private long windowIndex = WindowRingDescriptor.NO_WINDOW;
    private long revision;
    private boolean closed;
    private int campaignCellsUsed;
    private long version;

    WindowSnapshot(final WindowConfig config, final int strideBytes) {
        windowLengthMs = config.windowLengthMs();
        cellLengthBytes = WindowCellDescriptor.cellLengthBytes(config.statoCount());
        eventoCount = config.eventoCount();
        canaleCount = config.canaleCount();
        fixedCells = WindowRingDescriptor.fixedCellCount(config);
        zeroCellOffset = strideBytes;
        campaignCapacity = config.campaignCapacity();
        copy = new UnsafeBuffer(new byte[strideBytes + cellLengthBytes]);
        cell = new WindowCellFlyweight(config.statoCount());
    }

    /**
     * A holder shaped for a store of this configuration but filled by its caller instead of a store: the cluster's
     * merged windows build one per window from the cells other nodes publish ({@link #reset}, {@link #cellAt},
     * {@link #campagnaForUpdate}) and hand readers copies of it ({@link #copyFrom}). Allocates its copy once.
     */
    public static WindowSnapshot detached(final WindowConfig config) {
        final long stride = WindowRingDescriptor.windowStrideBytes(config);
        if (stride > Integer.MAX_VALUE - 4096) {
            throw new IllegalArgumentException("window of " + stride + " bytes");
        }
        return new WindowSnapshot(config, (int) stride);
    }

    /** Detached holders: zeroes every cell and sets the header, as a window store's slot reset would. */
    public void reset(final long windowStartMillis, final long revision, final boolean closed, final long version) {
        copy.setMemory(0, copy.capacity(), (byte) 0);
        commit(Math.floorDiv(windowStartMillis, windowLengthMs), revision, closed, 0, version);
    }

    /** Replaces the header fields, keeping the cells (a detached holder, or a copy a caller re-labels). */
    public void header(final long windowStartMillis, final long revision, final boolean closed, final long version) {
        commit(Math.floorDiv(windowStartMillis, windowLengthMs), revision, closed, campaignCellsUsed, version);
    }

    /** Copies {@code source}, a holder of the same configuration, whole: cells and header. */
    public void copyFrom(final WindowSnapshot source) {
        if (source.copy.capacity() != copy.capacity()) {
            throw new IllegalArgumentException("windows of " + source.copy.capacity() + " and " + copy.capacity()
                + " bytes: another windows configuration");
        }
        copy.putBytes(0, source.copy, 0, copy.capacity());
        commit(source.windowIndex, source.revision, source.closed, source.campaignCellsUsed, source.version);
    }

    /**
     * The cell of cell index {@code i} in the order total, evento 0.., canale 0.. (so {@code i < 1 + eventoCount +
     * canaleCount}), the order the cluster's cells codec writes them in.
     */
    public WindowCellFlyweight cellAt(final int i) {
        if (i < 0 || i >= fixedCells) {
            throw new IndexOutOfBoundsException("cell " + i + " of " + fixedCells);
        }
        return cell.wrap(copy, WindowRingDescriptor.totalCellOffset() + i * cellLengthBytes);
    }

    /** Cells before the campaign cells: the total, each evento, each canale. */
    public int fixedCellCount() { return fixedCells; }

    /** Detached holders: the cell of a campaign id for adding to, widening {@link #campaignCellsUsed()} to it. */
    public WindowCellFlyweight campagnaForUpdate(final int campagnaId) {
        if (campagnaId < 0 || campagnaId >= campaignCapacity) {
            throw new IndexOutOfBoundsException("campaign id " + campagnaId + " of " + campaignCapacity);
        }
        campaignCellsUsed = Math.max(campaignCellsUsed, campagnaId + 1);
        return cell.wrap(copy, WindowRingDescriptor.campagnaCellOffset(cellLengthBytes, fixedCells, campagnaId));
    }

    void commit(final long windowIndex, final long revision, final boolean closed, final int used, final long version) {
        this.windowIndex = windowIndex;
        this.revision = revision;
        this.closed = closed;
        this.campaignCellsUsed = used;
        this.version = version;
    }

    public long windowStartMillis() { return windowIndex * windowLengthMs; }
    public long windowEndMillis() { return (windowIndex + 1) * windowLengthMs; }
    /** True once the watermark passed the window's end (it was emitted as final, revision 0). */
    public boolean closed() { return closed; }
    /** Number of changes applied after the window closed. */
    public long revision() { return revision; }
    /** Campaign ids below this may have non-zero cells in this window. */
    public int campaignCellsUsed() { return campaignCellsUsed; }
    /** The sequence-lock version the copy was taken at: equal versions of one window mean equal content. */
    public long version() { return version; }
    public int eventoCount() { return eventoCount; }
    public int canaleCount() { return canaleCount; }

    public WindowCellFlyweight total() {
        return cell.wrap(copy, WindowRingDescriptor.totalCellOffset());
    }

    public WindowCellFlyweight evento(final int evento) {
        if (evento < 0 || evento >= eventoCount) {
            throw new IndexOutOfBoundsException("evento ordinal " + evento);
        }
        return cell.wrap(copy, WindowRingDescriptor.eventoCellOffset(cellLengthBytes, evento));
    }

    public WindowCellFlyweight canale(final int canale) {
        if (canale < 0 || canale >= canaleCount) {
            throw new IndexOutOfBoundsException("canale ordinal " + canale);
        }
        return cell.wrap(copy, WindowRingDescriptor.canaleCellOffset(cellLengthBytes, eventoCount, canale));
    }

    /** The cell of a campaign id; an all-zero cell for ids this window never touched. */
    public WindowCellFlyweight campagna(final int campagnaId) {
        if (campagnaId < 0 || campagnaId >= campaignCellsUsed) {
            return cell.wrap(copy, zeroCellOffset);
        }
        return cell.wrap(copy, WindowRingDescriptor.campagnaCellOffset(cellLengthBytes, fixedCells, campagnaId));
    }
}
