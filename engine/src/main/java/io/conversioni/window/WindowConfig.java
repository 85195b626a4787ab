package io.conversioni.window;

/**
 * The window store's settings: built once with {@link Builder}, validated once by {@link Builder#build()}
 * with errors that name the key and the bad value, immutable afterwards.
 *
 * <p>Threading: immutable, safe to share. Allocation: only while building.
 * Defaults (keys as they will appear in {@code config/conversioni.yaml}):
 * <ul>
 * <li>{@code windows.size} 300000 (5 min); must divide one UTC day so windows align with the cost table's days.</li>
 * <li>{@code windows.horizon} 86400000 (24 h); a multiple of the length; the ring holds horizon / length windows.</li>
 * <li>{@code windows.allowed_lateness} 15000 (the article's ±15 s): watermark = max event time - lateness.</li>
 * <li>{@code windows.idle_allowance} 45000: a heartbeat at receive time R raises
 *     the watermark to R - lateness - idleAllowance, so an idle window closes lateness + idleAllowance after its end.</li>
 * <li>{@code windows.future_tolerance} 60000: an event dated more than this after its receive time is FUTURE.</li>
 * <li>evento, canale and stato counts 4, 4, 3: the sizes of the schema's enums.</li>
 * <li>{@code windows.campaign_capacity} 256 ids, two of them reserved ({@link CampaignDictionary#NONE_ID},
 *     {@link CampaignDictionary#OTHER_ID}).</li>
 * <li>{@code windows.conversion_rate.conversioni} {1} (acquisto_concluso in the shipped schema),
 *     {@code windows.conversion_rate.base} all eventi: conversion rate = purchases / all accepted events.</li>
 * <li>The histograms' ranges: insight latency 60 s, clock skew the horizon. Larger values are clamped.</li>
 * </ul>
 */
public final class WindowConfig {
    public static final long DAY_MS = 86_400_000L;
    static final int MAX_WINDOW_COUNT = 1 << 20;

    private final long windowLengthMs;
    private final long horizonMs;
    private final long allowedLatenessMs;
    private final long idleAllowanceMs;
    private final long futureToleranceMs;
    private final int eventoCount;
    private final int canaleCount;
    private final int statoCount;
    private final int campaignCapacity;
    private final long numeratorEventoMask;
    private final long denominatorEventoMask;
    private final long latencyHighestNanos;
    private final long skewHighestMs;

    private WindowConfig(final Builder b) {
        windowLengthMs = b.windowLengthMs;
        horizonMs = b.horizonMs;
        allowedLatenessMs = b.allowedLatenessMs;
        idleAllowanceMs = b.idleAllowanceMs;
        futureToleranceMs = b.futureToleranceMs;
        eventoCount = b.eventoCount;
        canaleCount = b.canaleCount;
        statoCount = b.statoCount;
        campaignCapacity = b.campaignCapacity;
        numeratorEventoMask = b.numeratorEventoMask;
        denominatorEventoMask = b.denominatorEventoMask;
        latencyHighestNanos = b.latencyHighestNanos;
        skewHighestMs = b.skewHighestMs;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static WindowConfig defaults() {
        return builder().build();
    }

    public long windowLengthMs() { return windowLengthMs; }
    public long horizonMs() { return horizonMs; }
    public int windowCount() { return (int) (horizonMs / windowLengthMs); }
    public long allowedLatenessMs() { return allowedLatenessMs; }
    public long idleAllowanceMs() { return idleAllowanceMs; }
    public long futureToleranceMs() { return futureToleranceMs; }
    public int eventoCount() { return eventoCount; }
    public int canaleCount() { return canaleCount; }
    public int statoCount() { return statoCount; }
    public int campaignCapacity() { return campaignCapacity; }
    /** Bit i set when evento ordinal i counts in the conversion rate's numerator (and as a conversion for CPA). */
    public long numeratorEventoMask() { return numeratorEventoMask; }
    /** Bit i set when evento ordinal i counts in the conversion rate's denominator. */
    public long denominatorEventoMask() { return denominatorEventoMask; }
    public long latencyHighestNanos() { return latencyHighestNanos; }
    public long skewHighestMs() { return skewHighestMs; }

    /** Mutable, single-threaded; {@link #build()} validates every key. */
    public static final class Builder {
        private long windowLengthMs = 300_000L;
        private long horizonMs = DAY_MS;
        private long allowedLatenessMs = 15_000L;
        private long idleAllowanceMs = 45_000L;
        private long futureToleranceMs = 60_000L;
        private int eventoCount = 4;
        private int canaleCount = 4;
        private int statoCount = 3;
        private int campaignCapacity = 256;
        private long numeratorEventoMask = 1L << 1;
        private long denominatorEventoMask = -1L;
        private long latencyHighestNanos = 60_000_000_000L;
        private long skewHighestMs = -1L;

        private Builder() {
        }

        public Builder windowLengthMs(final long v) { windowLengthMs = v; return this; }
        public Builder horizonMs(final long v) { horizonMs = v; return this; }
        public Builder allowedLatenessMs(final long v) { allowedLatenessMs = v; return this; }
        public Builder idleAllowanceMs(final long v) { idleAllowanceMs = v; return this; }
        public Builder futureToleranceMs(final long v) { futureToleranceMs = v; return this; }
        public Builder eventoCount(final int v) { eventoCount = v; return this; }
        public Builder canaleCount(final int v) { canaleCount = v; return this; }
        public Builder statoCount(final int v) { statoCount = v; return this; }
        public Builder campaignCapacity(final int v) { campaignCapacity = v; return this; }
        public Builder latencyHighestNanos(final long v) { latencyHighestNanos = v; return this; }
        public Builder skewHighestMs(final long v) { skewHighestMs = v; return this; }

        public Builder numeratorEventi(final int... ordinals) {
            numeratorEventoMask = mask("windows.conversion_rate.conversioni", ordinals);
            return this;
        }

        public Builder denominatorEventi(final int... ordinals) {
            denominatorEventoMask = mask("windows.conversion_rate.base", ordinals);
            return this;
        }

        public WindowConfig build() {
            positive("windows.size", windowLengthMs);
            require(windowLengthMs <= DAY_MS && DAY_MS % windowLengthMs == 0, "windows.size", windowLengthMs,
                "must divide one day (86400000 ms), e.g. 60000 or 300000");
            positive("windows.horizon", horizonMs);
            require(horizonMs % windowLengthMs == 0, "windows.horizon", horizonMs,
                "must be a multiple of windows.size (" + windowLengthMs + ")");
            final long count = horizonMs / windowLengthMs;
            require(count >= 2 && count <= MAX_WINDOW_COUNT, "windows.horizon", horizonMs,
                "must hold between 2 and " + MAX_WINDOW_COUNT + " windows of windows.size");
            require(allowedLatenessMs >= 0 && allowedLatenessMs < horizonMs, "windows.allowed_lateness",
                allowedLatenessMs, "must be >= 0 and below windows.horizon");
            require(idleAllowanceMs >= 0 && idleAllowanceMs < horizonMs, "windows.idle_allowance", idleAllowanceMs,
                "must be >= 0 and below windows.horizon");
            require(futureToleranceMs >= 0 && futureToleranceMs <= DAY_MS, "windows.future_tolerance",
                futureToleranceMs, "must be between 0 and 86400000 ms");
            require(eventoCount >= 1 && eventoCount <= 64, "the schema's evento enum (its size)", eventoCount, "must be 1..64");
            require(canaleCount >= 1 && canaleCount <= 1024, "the schema's canale enum (its size)", canaleCount, "must be 1..1024");
            require(statoCount >= 1 && statoCount <= 64, "the schema's stato enum (its size)", statoCount, "must be 1..64");
            require(campaignCapacity >= 3 && campaignCapacity <= 1 << 16, "windows.campaign_capacity",
                campaignCapacity, "must be 3..65536 (two ids are reserved)");
            final long all = eventoCount == 64 ? -1L : (1L << eventoCount) - 1;
            denominatorEventoMask &= all;
            require(numeratorEventoMask != 0 && (numeratorEventoMask & ~all) == 0, "windows.conversion_rate.conversioni",
                Long.toBinaryString(numeratorEventoMask), "must name evento ordinals below window.eventoCount");
            require(denominatorEventoMask != 0, "windows.conversion_rate.base", 0, "must name at least one evento");
            require(latencyHighestNanos >= 1_000_000L, "the insight-latency histogram's range (ns)", latencyHighestNanos,
                "must be at least 1000000 (1 ms)");
            if (skewHighestMs < 0) {
                skewHighestMs = horizonMs;
            }
            require(skewHighestMs >= 1000, "the clock-skew histogram's range (ms)", skewHighestMs, "must be at least 1000");
            final WindowConfig config = new WindowConfig(this);
            final long bytes = WindowRingDescriptor.ringLengthBytes(config);
            require(bytes <= Integer.MAX_VALUE - WindowRingDescriptor.STORE_HEADER_LENGTH, "windows.campaign_capacity",
                campaignCapacity, "with this horizon the ring needs " + bytes + " bytes, over 2 GiB; lower either");
            return config;
        }

        private static long mask(final String key, final int... ordinals) {
            long m = 0;
            for (final int o : ordinals) {
                require(o >= 0 && o < 64, key, o, "evento ordinals must be 0..63");
                m |= 1L << o;
            }
            require(m != 0, key, "[]", "must name at least one evento ordinal");
            return m;
        }

        private static void positive(final String key, final long value) {
            require(value > 0, key, value, "must be > 0");
        }

        private static void require(final boolean ok, final String key, final Object value, final String rule) {
            if (!ok) {
                throw new IllegalArgumentException(key + " = " + value + ": " + rule);
            }
        }
    }
}
