package io.conversioni.bench.load;

import io.conversioni.json.UtcInstant;

/**
 * Writes epoch millis as an RFC 3339 UTC instant ({@code 2026-11-28T15:27:52.882Z}) into the traffic being
 * built, through the engine's allocation-free {@link UtcInstant}. One scratch buffer per thread.
 */
final class IsoInstant {
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[UtcInstant.MAX_LENGTH]);

    private IsoInstant() {
    }

    static void appendMillis(final TrafficModel out, final long epochMillis) {
        final byte[] scratch = SCRATCH.get();
        final int end = UtcInstant.format(scratch, 0, epochMillis);
        for (int i = 0; i < end; i++) {
            out.put(scratch[i]);
        }
    }
}
