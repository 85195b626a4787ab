package io.conversioni.reconcile;

import java.nio.charset.StandardCharsets;

/**
 * The identity of a conversion as both sides know it: a 64-bit hash of {@code id_cliente}, {@code evento}
 * and the event time in epoch millis (so {@code 2024-05-20T16:32:45.123+02:00} and the same instant in UTC
 * are one event). FNV-1a over the UTF-8 bytes, then the SplitMix64 finaliser for avalanche. Summing
 * fingerprints (mod 2^64) gives an order-independent checksum in which, unlike XOR, an event listed twice
 * does not cancel itself out. Stateless; any thread; allocates the UTF-8 bytes.
 */
public final class EventFingerprint {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private EventFingerprint() {
    }

    public static long of(final String idCliente, final String evento, final long timestampMillis) {
        long h = FNV_OFFSET;
        h = bytes(h, idCliente.getBytes(StandardCharsets.UTF_8));
        h = (h ^ 0x1F) * FNV_PRIME; // unit separator: ("ab","c") and ("a","bc") differ
        h = bytes(h, evento.getBytes(StandardCharsets.UTF_8));
        h = (h ^ 0x1F) * FNV_PRIME;
        for (int shift = 0; shift < 64; shift += 8) {
            h = (h ^ ((timestampMillis >>> shift) & 0xFF)) * FNV_PRIME;
        }
        return mix(h);
    }

    private static long bytes(long h, final byte[] b) {
        for (byte x : b) {
            h = (h ^ (x & 0xFF)) * FNV_PRIME;
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Sixteen lower-case hex digits, as reports print a checksum. */
    public static String hex(final long value) {
        final String s = Long.toHexString(value);
        return "0".repeat(16 - s.length()) + s;
    }
}
