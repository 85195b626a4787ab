package io.conversioni.window;

import org.HdrHistogram.Histogram;

import java.util.function.Consumer;

/**
 * What any thread may read of the window store while the window stage writes it: consistent copies of windows
 * (under each window's sequence lock, never making the writer wait), the watermark and counters (acquire
 * reads), the latency and skew histograms the writer published, and campaign names. It has no method that
 * changes the store: readers ({@code GET /api/v1/metriche}, {@code /metrics}, the window forwarder) get this,
 * the window stage keeps the {@link SingleWriterWindowStore} itself.
 */
public interface WindowView {
    WindowConfig config();

    /** Campaign names by id, for the windows' campaign cells. */
    CampaignNames campaigns();

    /** Start of the window that holds {@code eventTimeMillis}. */
    long windowStartMillis(long eventTimeMillis);

    /** Newest event time minus the allowed lateness, also moved by heartbeats; {@link Long#MIN_VALUE} before any. */
    long watermarkMillis();

    long maxEventTimeMillis();

    long tooLateCount();

    long futureCount();

    long rejectedOutsideHorizonCount();

    long heartbeatCount();

    /** Engine sequence of the last event or heartbeat applied. */
    long lastSequence();

    /** Start of the newest window in the ring, {@link Long#MIN_VALUE} before any. */
    long headWindowStartMillis();

    /** A reusable holder shaped for this store; allocates. */
    WindowSnapshot newSnapshot();

    /** A consistent copy of the window starting at that time; false if it is not in the ring. */
    boolean readWindow(long windowStartMillis, WindowSnapshot into);

    /** A consistent copy of whatever window ring slot {@code ringIndex} holds; false if unused. */
    boolean readWindowAt(int ringIndex, WindowSnapshot into);

    /** Visits, oldest first, each window overlapping [fromMillis, toMillis); returns how many. */
    int forEachWindow(long fromMillis, long toMillis, WindowSnapshot reuse, Consumer<WindowSnapshot> visitor);

    /** A histogram shaped for {@link #copyInsightLatencyInto}. */
    Histogram newInsightLatencyHistogram();

    /** A histogram shaped for {@link #copySkewInto}. */
    Histogram newSkewHistogram();

    /** Every published receive-to-window latency, in nanoseconds. */
    void copyInsightLatencyInto(Histogram into);

    /** Every published receive - event time skew of one canale, in ms. */
    void copySkewInto(int canale, Histogram into);

    /**
     * Null when both stores hold the same state, else the first difference. Only once the writer has stopped (or
     * on its thread): for tests and replay comparisons, not for live readers.
     */
    String stateDifference(WindowView other);
}
