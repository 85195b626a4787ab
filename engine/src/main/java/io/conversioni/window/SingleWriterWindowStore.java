package io.conversioni.window;

import io.conversioni.SafetyChecks;
import static io.conversioni.window.WindowRingDescriptor.CAMPAIGN_CELLS_USED_OFFSET;
import static io.conversioni.window.WindowRingDescriptor.FUTURE_COUNT_OFFSET;
import static io.conversioni.window.WindowRingDescriptor.HEAD_WINDOW_INDEX_OFFSET;
import static io.conversioni.window.WindowRingDescriptor.HEARTBEAT_COUNT_OFFSET;
import static io.conversioni.window.WindowRingDescriptor.LAST_SEQUENCE_OFFSET;
import static io.conversioni.window.WindowRingDescriptor.MAX_EVENT_TIME_MILLIS_OFFSET;
import static io.conversioni.window.WindowRingDescriptor.NO_WINDOW;
import static io.conversioni.window.WindowRingDescriptor.REJECTED_OUTSIDE_HORIZON_COUNT_OFFSET;
import static io.conversioni.window.WindowRingDescriptor.REVISION_OFFSET;
import static io.conversioni.window.WindowRingDescriptor.TOO_LATE_COUNT_OFFSET;
import static io.conversioni.window.WindowRingDescriptor.VERSION_OFFSET;
import static io.conversioni.window.WindowRingDescriptor.WATERMARK_MILLIS_OFFSET;

import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

import org.HdrHistogram.Histogram;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Event-time tumbling windows over a fixed horizon, kept per evento, canale and campagna in one
 * preallocated off-heap ring (see {@link WindowRingDescriptor}), with a watermark that closes windows.
 *
 * <p>Time rule (every time is passed in; the store never reads a clock):
 * <ul>
 * <li>watermark = max(watermark, max event time - allowedLateness) after each applied event;</li>
 * <li>{@link #onHeartbeat}(R): watermark = max(watermark, R - allowedLateness - idleAllowance), so a window
 *     closes even when traffic stops, at most lateness + idleAllowance after its end (60 s by default);</li>
 * <li>a window [start, end) is closed once watermark &gt;= end; the ring holds the newest {@code horizon /
 *     length} windows up to the head = the newest window opened by an event, a rejection or the watermark;</li>
 * <li>an event dated more than futureTolerance after its receive time is {@link WindowResult#FUTURE}; one
 *     whose window is older than the ring is {@link WindowResult#TOO_LATE}; one whose window is closed is
 *     applied and bumps the window's revision ({@link WindowResult#ACCEPTED_LATE_REVISION}).</li>
 * </ul>
 *
 * <p>Threading: {@link #onEvent}, {@link #onRejected}, {@link #onHeartbeat}, {@link #recordInsightLatencyNanos},
 * {@link #publishHistograms}, {@link #campaigns()}{@code .idOf} and the state comparisons belong to one
 * window thread (asserted when {@code -Dconversioni.checks=true}); every read method may be called from any
 * thread and never makes the writer wait (per-window sequence lock, readers retry).
 * Allocation: the ring, dictionary and histograms at construction; nothing per event.
 * Growth: never; windows are recycled in place as the head advances.
 */
public final class SingleWriterWindowStore implements WindowView {
    /**
     * Skews below this many ms (a webhook's usual delay) are counted in a plain array per canale between
     * publishes: a histogram record per event was a fifth of an update (measured, WindowUpdateBenchmark).
     */
    private static final int SKEW_DIRECT_MS = 1024;

    private final WindowConfig config;
    private final WindowRing ring;
    private final UnsafeBuffer buffer;
    private final WindowCellFlyweight writerCell;
    private final CampaignDictionary campaigns;
    private final SingleWriterHistogramPublisher insightLatencyNanos;
    private final SingleWriterHistogramPublisher[] skewMsByCanale;
    private final long windowLengthMs;
    private final long allowedLatenessMs;
    private final long idleAllowanceMs;
    private final long futureToleranceMs;
    private final int windowCount;
    private final int eventoCount;
    private final int canaleCount;
    private final int statoCount;
    private final int cellLength;
    private final int strideBytes;
    private final int campaignCapacity;
    private final long numeratorMask;
    private final long denominatorMask;

    // Writer-private mirrors of the store header (published with release stores).
    private long watermarkMillis = Long.MIN_VALUE;
    private long maxEventTimeMillis = Long.MIN_VALUE;
    private long headWindowIndex = NO_WINDOW;
    private long closedThroughIndex = NO_WINDOW;
    private long tooLateCount;
    private long futureCount;
    private long rejectedOutsideHorizonCount;
    private long heartbeatCount;
    private Thread owner;
    // Writer-private: the window of the last event time, receive time and watermark, so that the
    // common case of an update divides nothing (see WindowIndexCache).
    private final WindowIndexCache eventWindows;
    private final WindowIndexCache receiveWindows;
    private final WindowIndexCache watermarkWindows;
    private long lastWindowIndex = NO_WINDOW;
    private int lastWindowOffset;

    public SingleWriterWindowStore(final WindowConfig config) {
        this.config = config;
        ring = new WindowRing(config);
        buffer = ring.buffer;
        writerCell = new WindowCellFlyweight(config.statoCount());
        campaigns = new CampaignDictionary(config.campaignCapacity());
        insightLatencyNanos = new SingleWriterHistogramPublisher(config.latencyHighestNanos(), 3);
        skewMsByCanale = new SingleWriterHistogramPublisher[config.canaleCount()];
        for (int i = 0; i < skewMsByCanale.length; i++) {
            skewMsByCanale[i] = new SingleWriterHistogramPublisher(config.skewHighestMs(), 2, SKEW_DIRECT_MS);
        }
        windowLengthMs = config.windowLengthMs();
        allowedLatenessMs = config.allowedLatenessMs();
        idleAllowanceMs = config.idleAllowanceMs();
        futureToleranceMs = config.futureToleranceMs();
        windowCount = config.windowCount();
        eventoCount = config.eventoCount();
        canaleCount = config.canaleCount();
        statoCount = config.statoCount();
        cellLength = ring.cellLengthBytes;
        strideBytes = ring.strideBytes;
        campaignCapacity = ring.campaignCapacity;
        numeratorMask = config.numeratorEventoMask();
        denominatorMask = config.denominatorEventoMask();
        eventWindows = new WindowIndexCache(windowLengthMs);
        receiveWindows = new WindowIndexCache(windowLengthMs);
        watermarkWindows = new WindowIndexCache(windowLengthMs);
    }

    public WindowConfig config() {
        return config;
    }

    /** The campaign dictionary whose ids {@link #onEvent} takes; {@code idOf} on the window thread only. */
    public CampaignDictionary campaigns() {
        return campaigns;
    }

    /**
     * Window thread: applies one decoded event. {@code campagnaId} comes from {@link #campaigns()}
     * ({@link CampaignDictionary#NONE_ID} when the event has none). Returns a {@link WindowResult} code.
     */
    public int onEvent(
        final long sequence, final long receiveMillis, final long eventTimeMillis, final int evento,
        final int canale, final int stato, final int campagnaId, final long valoreCents, final boolean duplicate) {
        if (SafetyChecks.ENABLED) {
            checkOwner();
            checkOrdinals(evento, canale, stato, campagnaId, valoreCents);
        }
        ring.putHeaderRelease(LAST_SEQUENCE_OFFSET, sequence);
        if (eventTimeMillis - receiveMillis > futureToleranceMs) { // as timeCheck, with the window index kept
            ring.putHeaderRelease(FUTURE_COUNT_OFFSET, ++futureCount);
            return WindowResult.FUTURE;
        }
        skewMsByCanale[canale].record(receiveMillis - eventTimeMillis);
        final long windowIndex = eventWindows.indexOf(eventTimeMillis);
        if (tooLate(windowIndex, receiveMillis)) {
            ring.putHeaderRelease(TOO_LATE_COUNT_OFFSET, ++tooLateCount);
            return WindowResult.TOO_LATE;
        }
        if (headWindowIndex == NO_WINDOW || windowIndex > headWindowIndex) {
            advanceHead(windowIndex);
        }
        final boolean late = windowIndex <= closedThroughIndex;
        final int offset = writerWindowOffset(windowIndex);
        final UnsafeBuffer b = buffer;
        // Bounds: one check for the whole window, and the ordinals kept inside its cells (one branch for all
        // four); then every store below is a plain one (a check per store was an eighth of an update).
        b.boundsCheck(offset, strideBytes);
        if (outsideCells(evento, canale, stato, campagnaId)) {
            throw new IllegalArgumentException("event outside the window schema: evento=" + evento + " canale="
                + canale + " stato=" + stato + " campagnaId=" + campagnaId);
        }
        final byte[] array = b.byteArray();
        final long window = b.addressOffset() + offset;
        final long odd = UnsafeApi.getLong(array, window + VERSION_OFFSET) + 1;
        UnsafeApi.putLong(array, window + VERSION_OFFSET, odd);
        VarHandle.storeStoreFence(); // as WindowRing.beginWriteStoreStore: the odd version ahead of the data
        // 0/1 increments instead of branches: duplicate, late and the evento's membership are data, and
        // mispredicted branches on them cost more than adding zero to a counter already in cache.
        final long duplicateInc = duplicate ? 1L : 0L;
        final long uniqueInc = 1L - duplicateInc;
        final long numeratorInc = (numeratorMask >>> evento & 1) & uniqueInc;
        final long denominatorInc = (denominatorMask >>> evento & 1) & uniqueInc;
        final long lateInc = late ? 1L : 0L;
        final long valueInc = valoreCents & -uniqueInc;
        final int statoOffset = WindowCellDescriptor.statoCountOffset(stato);
        WindowCellFlyweight.addEventAt(array, window + WindowRingDescriptor.totalCellOffset(),
            uniqueInc, duplicateInc, lateInc, valueInc, numeratorInc, denominatorInc, statoOffset);
        WindowCellFlyweight.addEventAt(array, window + WindowRingDescriptor.eventoCellOffset(cellLength, evento),
            uniqueInc, duplicateInc, lateInc, valueInc, numeratorInc, denominatorInc, statoOffset);
        WindowCellFlyweight.addEventAt(array,
            window + WindowRingDescriptor.canaleCellOffset(cellLength, eventoCount, canale),
            uniqueInc, duplicateInc, lateInc, valueInc, numeratorInc, denominatorInc, statoOffset);
        WindowCellFlyweight.addEventAt(array,
            window + WindowRingDescriptor.campagnaCellOffset(cellLength, ring.fixedCells, campagnaId),
            uniqueInc, duplicateInc, lateInc, valueInc, numeratorInc, denominatorInc, statoOffset);
        final long used = window + CAMPAIGN_CELLS_USED_OFFSET;
        if (UnsafeApi.getLong(array, used) <= campagnaId) {
            UnsafeApi.putLong(array, used, campagnaId + 1);
        }
        final long revision = window + REVISION_OFFSET;
        UnsafeApi.putLong(array, revision, UnsafeApi.getLong(array, revision) + lateInc);
        UnsafeApi.putLongRelease(array, window + VERSION_OFFSET, odd + 1); // as WindowRing.endWriteRelease
        if (eventTimeMillis > maxEventTimeMillis) {
            maxEventTimeMillis = eventTimeMillis;
            ring.putHeaderRelease(MAX_EVENT_TIME_MILLIS_OFFSET, eventTimeMillis);
            advanceWatermark(eventTimeMillis - allowedLatenessMs);
        }
        if (duplicate) {
            return WindowResult.DUPLICATE_COUNTED;
        }
        return late ? WindowResult.ACCEPTED_LATE_REVISION : WindowResult.ACCEPTED;
    }

    /**
     * Window thread: what {@link #onEvent} would decide from time alone, without changing anything:
     * {@link WindowResult#FUTURE}, {@link WindowResult#TOO_LATE}, or {@link WindowResult#ACCEPTED}. The
     * pipeline asks before consulting the dedupe table, so refused events never occupy a dedupe slot.
     */
    public int timeCheck(final long receiveMillis, final long eventTimeMillis) {
        if (eventTimeMillis - receiveMillis > futureToleranceMs) {
            return WindowResult.FUTURE;
        }
        return tooLate(eventWindows.indexOf(eventTimeMillis), receiveMillis) ? WindowResult.TOO_LATE : WindowResult.ACCEPTED;
    }

    /** Whether window {@code windowIndex} is older than the ring, or was older than the horizon on arrival. */
    private boolean tooLate(final long windowIndex, final long receiveMillis) {
        return headWindowIndex != NO_WINDOW && windowIndex <= headWindowIndex - windowCount
            // older than the horizon when it arrived: too late even before any newer event opened the ring
            || windowIndex <= receiveWindows.indexOf(receiveMillis) - windowCount;
    }

    /**
     * Window thread: counts an event that failed validation in the total cell of its receive time's window
     * (revision bumped if that window is closed; counted apart when that window is older than the ring).
     */
    public void onRejected(final long receiveMillis) {
        if (SafetyChecks.ENABLED) {
            checkOwner();
        }
        final long windowIndex = Math.floorDiv(receiveMillis, windowLengthMs);
        if (headWindowIndex != NO_WINDOW && windowIndex <= headWindowIndex - windowCount) {
            ring.putHeaderRelease(REJECTED_OUTSIDE_HORIZON_COUNT_OFFSET, ++rejectedOutsideHorizonCount);
            return;
        }
        if (headWindowIndex == NO_WINDOW || windowIndex > headWindowIndex) {
            advanceHead(windowIndex);
        }
        final boolean late = windowIndex <= closedThroughIndex;
        final int offset = ring.windowOffset(windowIndex);
        final long odd = ring.beginWriteStoreStore(offset);
        writerCell.wrap(buffer, WindowRingDescriptor.totalCellOffset() + offset).applyRejected();
        if (late) {
            buffer.putLong(offset + REVISION_OFFSET, buffer.getLong(offset + REVISION_OFFSET) + 1);
        }
        ring.endWriteRelease(offset, odd);
    }

    /**
     * Window thread: time passes without events. Raises the watermark to
     * {@code receiveMillis - allowedLateness - idleAllowance} (never lowers it), closing and opening windows
     * as needed, and publishes the histograms. Send one at a fixed cadence (e.g. every second).
     */
    public void onHeartbeat(final long receiveMillis) {
        if (SafetyChecks.ENABLED) {
            checkOwner();
        }
        ring.putHeaderRelease(HEARTBEAT_COUNT_OFFSET, ++heartbeatCount);
        advanceWatermark(receiveMillis - allowedLatenessMs - idleAllowanceMs);
        if (watermarkMillis != Long.MIN_VALUE) {
            final long watermarkIndex = Math.floorDiv(watermarkMillis, windowLengthMs);
            if (headWindowIndex == NO_WINDOW || watermarkIndex > headWindowIndex) {
                advanceHead(watermarkIndex);
            }
        }
        publishHistograms();
    }

    /** Window thread: one receive-to-window-updated latency, measured by the caller after {@link #onEvent}. */
    public void recordInsightLatencyNanos(final long latencyNanos) {
        insightLatencyNanos.record(latencyNanos);
    }

    /** Window thread: {@code events} events' receive-to-window-updated latency, all {@code latencyNanos}. */
    public void recordInsightLatencyNanos(final long latencyNanos, final int events) {
        insightLatencyNanos.record(latencyNanos, events);
    }

    /** Window thread: makes recorded latencies and skews visible to readers (also done by each heartbeat). */
    public void publishHistograms() {
        insightLatencyNanos.publish();
        for (final SingleWriterHistogramPublisher skew : skewMsByCanale) {
            skew.publish();
        }
    }

    /** The start of the window that holds {@code eventTimeMillis}. Pure; any thread. */
    public long windowStartMillis(final long eventTimeMillis) {
        return Math.floorDiv(eventTimeMillis, windowLengthMs) * windowLengthMs;
    }

    /** Any thread (acquire): the watermark, {@link Long#MIN_VALUE} before the first event or heartbeat. */
    public long watermarkMillis() { return ring.headerAcquire(WATERMARK_MILLIS_OFFSET); }
    public long maxEventTimeMillis() { return ring.headerAcquire(MAX_EVENT_TIME_MILLIS_OFFSET); }
    public long tooLateCount() { return ring.headerAcquire(TOO_LATE_COUNT_OFFSET); }
    public long futureCount() { return ring.headerAcquire(FUTURE_COUNT_OFFSET); }
    public long rejectedOutsideHorizonCount() { return ring.headerAcquire(REJECTED_OUTSIDE_HORIZON_COUNT_OFFSET); }
    public long heartbeatCount() { return ring.headerAcquire(HEARTBEAT_COUNT_OFFSET); }
    /** Any thread (acquire): the sequence of the last event passed to {@link #onEvent}, -1 before any. */
    public long lastSequence() { return ring.headerAcquire(LAST_SEQUENCE_OFFSET); }

    /** Any thread (acquire): start of the newest window in the ring, {@link Long#MIN_VALUE} before any. */
    public long headWindowStartMillis() {
        final long head = ring.headerAcquire(HEAD_WINDOW_INDEX_OFFSET);
        return head == NO_WINDOW ? Long.MIN_VALUE : head * windowLengthMs;
    }

    /** A reusable reader-side holder shaped for this store. Any thread; allocates. */
    public WindowSnapshot newSnapshot() {
        return new WindowSnapshot(config, ring.strideBytes);
    }

    /** Any thread: a consistent copy of the window starting at that time; false if it is not in the ring. */
    public boolean readWindow(final long windowStartMillis, final WindowSnapshot into) {
        final long windowIndex = Math.floorDiv(windowStartMillis, windowLengthMs);
        return ring.copyWindowAcquire(ring.windowOffset(windowIndex), windowIndex, into);
    }

    /** Any thread: a consistent copy of whatever window ring slot {@code ringIndex} holds; false if unused. */
    public boolean readWindowAt(final int ringIndex, final WindowSnapshot into) {
        return ring.copyWindowAcquire(ring.slotOffset(ringIndex), NO_WINDOW, into);
    }

    /**
     * Any thread: visits, oldest first, each window in the ring that overlaps [fromMillis, toMillis), each
     * copied consistently into {@code reuse} just before the visit. Returns the number of windows visited.
     */
    public int forEachWindow(
        final long fromMillis, final long toMillis, final WindowSnapshot reuse, final Consumer<WindowSnapshot> visitor) {
        final long head = ring.headerAcquire(HEAD_WINDOW_INDEX_OFFSET);
        if (head == NO_WINDOW || toMillis <= fromMillis) {
            return 0;
        }
        final long first = Math.max(Math.floorDiv(fromMillis, windowLengthMs), head - windowCount + 1);
        final long last = Math.min(Math.floorDiv(toMillis - 1, windowLengthMs), head);
        int visited = 0;
        for (long index = first; index <= last; index++) {
            if (ring.copyWindowAcquire(ring.windowOffset(index), index, reuse)) {
                visitor.accept(reuse);
                visited++;
            }
        }
        return visited;
    }

    /** A histogram shaped for {@link #copyInsightLatencyInto}. */
    public Histogram newInsightLatencyHistogram() { return insightLatencyNanos.newHistogram(); }
    /** A histogram shaped for {@link #copySkewInto}. */
    public Histogram newSkewHistogram() { return skewMsByCanale[0].newHistogram(); }

    /** Any thread: every published receive-to-window latency, in nanoseconds. */
    public void copyInsightLatencyInto(final Histogram into) {
        insightLatencyNanos.copyInto(into);
    }

    /** Any thread: every published receive - event time skew of one canale, in ms (leads count as 0). */
    public void copySkewInto(final int canale, final Histogram into) {
        skewMsByCanale[canale].copyInto(into);
    }

    /** Window thread, or after it stopped: null when both stores hold the same state, else the first difference. */
    @Override
    public String stateDifference(final WindowView other) {
        final SingleWriterWindowStore that = (SingleWriterWindowStore) other; // the one implementation
        return WindowStateComparison.firstDifference(this.ring, this.campaigns, that.ring, that.campaigns);
    }

    public boolean equalsState(final SingleWriterWindowStore other) {
        return stateDifference(other) == null;
    }

    /** Window thread, or after it stopped: a 64-bit digest of the state {@link #stateDifference} compares. */
    public long stateChecksum() {
        return WindowStateComparison.checksum(ring, campaigns);
    }

    /**
     * Whether an ordinal lies outside the window's cells (negative, or not below its count): one branch for
     * all four, so that the plain stores of {@link #onEvent} stay inside the window it bounds-checked.
     */
    boolean outsideCells(final int evento, final int canale, final int stato, final int campagnaId) {
        return ((eventoCount - 1 - evento) | evento | (canaleCount - 1 - canale) | canale | (statoCount - 1 - stato)
            | stato | (campaignCapacity - 1 - campagnaId) | campagnaId) < 0;
    }

    /** Window thread: the ring offset of a window, remembered for the last one asked about. */
    private int writerWindowOffset(final long windowIndex) {
        if (windowIndex != lastWindowIndex) {
            lastWindowOffset = ring.windowOffset(windowIndex);
            lastWindowIndex = windowIndex;
        }
        return lastWindowOffset;
    }

    private void advanceHead(final long newHead) {
        final long from = headWindowIndex == NO_WINDOW
            ? newHead - windowCount + 1
            : Math.max(headWindowIndex + 1, newHead - windowCount + 1);
        for (long index = from; index <= newHead; index++) {
            ring.resetSlot(index, index <= closedThroughIndex);
        }
        headWindowIndex = newHead;
        ring.putHeaderRelease(HEAD_WINDOW_INDEX_OFFSET, newHead);
    }

    private void advanceWatermark(final long candidateMillis) {
        if (candidateMillis <= watermarkMillis) {
            return;
        }
        watermarkMillis = candidateMillis;
        final long newClosedThrough = watermarkWindows.indexOf(candidateMillis) - 1;
        if (newClosedThrough > closedThroughIndex && headWindowIndex != NO_WINDOW) {
            final long oldest = headWindowIndex - windowCount + 1;
            final long from = closedThroughIndex == NO_WINDOW ? oldest : Math.max(closedThroughIndex + 1, oldest);
            final long to = Math.min(newClosedThrough, headWindowIndex);
            for (long index = from; index <= to; index++) {
                ring.markClosed(index);
            }
        }
        closedThroughIndex = Math.max(closedThroughIndex, newClosedThrough);
        ring.putHeaderRelease(WATERMARK_MILLIS_OFFSET, candidateMillis);
    }

    /**
     * Writes the whole state (ring, header mirrors, campaign dictionary) for a snapshot. Owner thread,
     * or after the writer stopped. Histograms are statistics, not state, and are not written.
     */
    /** About how many bytes {@link #writeState} writes (for sizing a capture buffer once). Any thread. */
    public int stateSizeHint() {
        return 128 + buffer.capacity() + campaigns.stateSizeHint();
    }

    public void writeState(final java.io.DataOutputStream out) throws java.io.IOException {
        out.writeLong(watermarkMillis);
        out.writeLong(maxEventTimeMillis);
        out.writeLong(headWindowIndex);
        out.writeLong(closedThroughIndex);
        out.writeLong(tooLateCount);
        out.writeLong(futureCount);
        out.writeLong(rejectedOutsideHorizonCount);
        out.writeLong(heartbeatCount);
        out.writeInt(buffer.capacity());
        final byte[] chunk = new byte[Math.min(1 << 16, buffer.capacity())];
        for (int offset = 0; offset < buffer.capacity(); offset += chunk.length) {
            final int n = Math.min(chunk.length, buffer.capacity() - offset);
            buffer.getBytes(offset, chunk, 0, n);
            out.write(chunk, 0, n);
        }
        campaigns.writeState(out);
    }

    /** Replaces the whole state with one written by {@link #writeState} under the same configuration. */
    public void readState(final java.io.DataInputStream in) throws java.io.IOException {
        watermarkMillis = in.readLong();
        maxEventTimeMillis = in.readLong();
        headWindowIndex = in.readLong();
        closedThroughIndex = in.readLong();
        tooLateCount = in.readLong();
        futureCount = in.readLong();
        rejectedOutsideHorizonCount = in.readLong();
        heartbeatCount = in.readLong();
        final int length = in.readInt();
        if (length != buffer.capacity()) {
            throw new java.io.IOException("snapshot windows are " + length + " bytes, this configuration needs "
                + buffer.capacity() + " (windows settings changed?)");
        }
        final byte[] chunk = new byte[Math.min(1 << 16, length)];
        for (int offset = 0; offset < length; offset += chunk.length) {
            final int n = Math.min(chunk.length, length - offset);
            in.readFully(chunk, 0, n);
            buffer.putBytes(offset, chunk, 0, n);
        }
        campaigns.readState(in);
    }

    /**
     * Owner thread: gives up ownership so that another thread may become the single writer (the engine
     * rebuilds the store on its starting thread, then hands it to the window stage; starting that thread
     * orders every write before it).
     */
    public void handOver() {
        owner = null;
    }

    private void checkOwner() {
        final Thread current = Thread.currentThread();
        if (owner == null) {
            owner = current;
        } else if (owner != current) {
            throw new IllegalStateException("window store written by " + current.getName()
                + " but owned by " + owner.getName() + ": only the window thread may write");
        }
    }

    private void checkOrdinals(
        final int evento, final int canale, final int stato, final int campagnaId, final long valoreCents) {
        if (evento < 0 || evento >= eventoCount || canale < 0 || canale >= canaleCount
            || stato < 0 || stato >= statoCount || campagnaId < 0 || campagnaId >= campaigns.sizeAcquire()
            || valoreCents < 0) {
            throw new IllegalArgumentException("event outside the window schema: evento=" + evento + " canale="
                + canale + " stato=" + stato + " campagnaId=" + campagnaId + " valoreCents=" + valoreCents);
        }
    }
}
