package io.conversioni.dedupe;

import java.util.Locale;

/**
 * What makes two events duplicates. The caller builds the 128-bit key from the configured key fields
 * (default {@code id_cliente}); the mode decides what else must agree.
 *
 * <p>Immutable; any thread.
 */
public enum DedupeMode {
    /**
     * The seed article's rule: same key and same event-time bucket ({@code floorDiv(eventTimeMillis,
     * windowMillis)}, 5 minutes by default). Misses a pair that straddles a bucket edge.
     */
    BUCKET,

    /**
     * Same key and {@code |Δt| <= windowMillis} from an accepted event: catches pairs across a bucket
     * edge. Stored per (key, bucket) and looked up in buckets b - 1, b and b + 1.
     */
    PROXIMITY,

    /**
     * Same key, same exact event time and same 64-bit hash of the whole content: webhook re-deliveries.
     * A different content at the same instant is a different event.
     */
    EXACT;

    /**
     * @return the name used in {@code conversioni.yaml} ({@code bucket}, {@code proximity}, {@code exact}).
     */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param configName the value of {@code dedupe.mode}, case-insensitive.
     * @return the mode.
     * @throws IllegalArgumentException naming the key and the value when it is not a mode.
     */
    public static DedupeMode fromConfigName(final String configName) {
        if (configName != null) {
            for (final DedupeMode mode : values()) {
                if (mode.configName().equalsIgnoreCase(configName.trim())) {
                    return mode;
                }
            }
        }
        throw new IllegalArgumentException(
            DedupeConfig.MODE_KEY + " must be one of bucket, proximity, exact, was " + configName);
    }
}
