package io.conversioni.dedupe;

/**
 * The dedupe table's settings, validated once when built: errors name the {@code conversioni.yaml} key
 * and the bad value.
 *
 * <p>Immutable and thread-safe; built once at start-up (allocation here is fine, it is not the hot path).
 *
 * <p>Defaults: mode {@code bucket}; {@value #DEFAULT_CAPACITY_SLOTS} slots (80 MiB off-heap: slots and probe index); window
 * {@value #DEFAULT_WINDOW_MILLIS} ms (5 min); max probe {@value #DEFAULT_MAX_PROBE}; TTL
 * {@value #DEFAULT_EXACT_TTL_MILLIS} ms (1 h) in {@code exact} mode and {@code 2 × window} (10 min) in
 * {@code bucket} and {@code proximity} mode. Why 2 × window: an entry is needed while an event of the
 * same bucket (or within the window) can still arrive, i.e. for {@code window + lateness} of event time
 * behind the newest event seen; 2 × window tolerates a full window of out-of-order arrival, far more
 * than the window stage's 15 s watermark, while keeping the table small.
 */
public final class DedupeConfig {
    public static final String MODE_KEY = "dedupe.mode";
    public static final String CAPACITY_KEY = "dedupe.capacity";
    public static final String WINDOW_KEY = "dedupe.window";
    public static final String TTL_KEY = "dedupe.ttl";
    public static final String MAX_PROBE_KEY = "dedupe.max_probe";

    public static final int MIN_CAPACITY_SLOTS = 1 << 10;
    /** 2^24 slots of 64 bytes = 1 GiB: the most one int-indexed {@code UnsafeBuffer} addresses in power-of-two slots. */
    public static final int MAX_CAPACITY_SLOTS = 1 << 24;
    public static final int DEFAULT_CAPACITY_SLOTS = 1 << 20;
    public static final long DEFAULT_WINDOW_MILLIS = 300_000L;
    public static final long MAX_WINDOW_MILLIS = 86_400_000L;
    public static final long DEFAULT_EXACT_TTL_MILLIS = 3_600_000L;
    public static final long MAX_TTL_MILLIS = 7L * 86_400_000L;
    public static final int DEFAULT_MAX_PROBE = 32;
    public static final int MAX_MAX_PROBE = 1024;

    private final DedupeMode mode;
    private final int capacitySlots;
    private final long windowMillis;
    private final long ttlMillis;
    private final int maxProbe;

    private DedupeConfig(final Builder builder, final long ttlMillis) {
        this.mode = builder.mode;
        this.capacitySlots = builder.capacitySlots;
        this.windowMillis = builder.windowMillis;
        this.ttlMillis = ttlMillis;
        this.maxProbe = builder.maxProbe;
    }

    /**
     * @param mode the dedupe mode.
     * @return every other setting at its default.
     */
    public static DedupeConfig defaults(final DedupeMode mode) {
        return builder().mode(mode).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param mode a mode.
     * @param windowMillis the window in that mode.
     * @return the TTL used when {@link Builder#ttlMillis(long)} is not set.
     */
    public static long defaultTtlMillis(final DedupeMode mode, final long windowMillis) {
        return mode == DedupeMode.EXACT ? DEFAULT_EXACT_TTL_MILLIS : 2 * windowMillis;
    }

    public DedupeMode mode() {
        return mode;
    }

    public int capacitySlots() {
        return capacitySlots;
    }

    /** Bucket width and proximity window; unused in {@link DedupeMode#EXACT}. */
    public long windowMillis() {
        return windowMillis;
    }

    /** An entry expires when its event time is older than the newest event time seen minus this. */
    public long ttlMillis() {
        return ttlMillis;
    }

    /** The most slots one lookup visits: bounds every call's work. */
    public int maxProbe() {
        return maxProbe;
    }

    @Override
    public String toString() {
        return MODE_KEY + '=' + mode.configName() + ", " + CAPACITY_KEY + '=' + capacitySlots + ", " +
            WINDOW_KEY + '=' + windowMillis + ", " + TTL_KEY + '=' + ttlMillis + ", " + MAX_PROBE_KEY + '=' + maxProbe;
    }

    /**
     * Collects settings; {@link #build()} validates them all. Not thread-safe; use once at start-up.
     */
    public static final class Builder {
        private DedupeMode mode = DedupeMode.BUCKET;
        private int capacitySlots = DEFAULT_CAPACITY_SLOTS;
        private long windowMillis = DEFAULT_WINDOW_MILLIS;
        private long ttlMillis = -1;
        private boolean ttlSet;
        private int maxProbe = DEFAULT_MAX_PROBE;

        private Builder() {
        }

        public Builder mode(final DedupeMode mode) {
            this.mode = mode;
            return this;
        }

        public Builder capacitySlots(final int capacitySlots) {
            this.capacitySlots = capacitySlots;
            return this;
        }

        public Builder windowMillis(final long windowMillis) {
            this.windowMillis = windowMillis;
            return this;
        }

        /** Unset means {@link DedupeConfig#defaultTtlMillis(DedupeMode, long)}. */
        public Builder ttlMillis(final long ttlMillis) {
            this.ttlMillis = ttlMillis;
            this.ttlSet = true;
            return this;
        }

        public Builder maxProbe(final int maxProbe) {
            this.maxProbe = maxProbe;
            return this;
        }

        /**
         * @return the validated configuration.
         * @throws IllegalArgumentException naming the first bad key and its value.
         */
        public DedupeConfig build() {
            if (mode == null) {
                throw new IllegalArgumentException(MODE_KEY + " must be one of bucket, proximity, exact, was null");
            }
            if (capacitySlots < MIN_CAPACITY_SLOTS || capacitySlots > MAX_CAPACITY_SLOTS ||
                Integer.bitCount(capacitySlots) != 1) {
                throw new IllegalArgumentException(CAPACITY_KEY + " must be a power of two between " +
                    MIN_CAPACITY_SLOTS + " and 2^24 (" + MAX_CAPACITY_SLOTS + "), was " + capacitySlots);
            }
            if (windowMillis < 1 || windowMillis > MAX_WINDOW_MILLIS) {
                throw new IllegalArgumentException(
                    WINDOW_KEY + " must be between 1 ms and 24 h, was " + windowMillis + " ms");
            }
            if (maxProbe < 1 || maxProbe > MAX_MAX_PROBE) {
                throw new IllegalArgumentException(
                    MAX_PROBE_KEY + " must be between 1 and " + MAX_MAX_PROBE + ", was " + maxProbe);
            }
            final long ttl = ttlSet ? ttlMillis : defaultTtlMillis(mode, windowMillis);
            if (ttl < 1 || ttl > MAX_TTL_MILLIS) {
                throw new IllegalArgumentException(
                    TTL_KEY + " must be between 1 ms and 7 days, was " + ttl + " ms");
            }
            if (mode != DedupeMode.EXACT && ttl < windowMillis) {
                throw new IllegalArgumentException(TTL_KEY + " must be at least " + WINDOW_KEY + " (" + windowMillis +
                    " ms) in mode " + mode.configName() + ", was " + ttl + " ms");
            }
            return new DedupeConfig(this, ttl);
        }
    }
}
