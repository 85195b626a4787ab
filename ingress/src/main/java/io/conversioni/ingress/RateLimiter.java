package io.conversioni.ingress;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets per caller ({@link IngestHandler#callerKey}: the JWT subject, or the token itself when it has
 * none): {@code ratePerSecond} events refill continuously up to {@code burst}. Thread-safe (one lock per caller); a bucket per distinct subject, kept while the
 * process runs. A rate of 0 disables limiting.
 */
final class RateLimiter {
    private final double ratePerNano;
    private final long burst;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(final double ratePerSecond, final long burst) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
    }

    boolean enabled() {
        return ratePerNano > 0;
    }

    /** Takes {@code events} tokens for {@code subject}; false (nothing taken) when the bucket is short. */
    boolean tryAcquire(final String subject, final int events, final long nowNanos) {
        if (!enabled()) {
            return true;
        }
        return buckets.computeIfAbsent(subject, s -> new Bucket(burst, nowNanos)).take(events, nowNanos, ratePerNano, burst);
    }

    /** Seconds until {@code events} tokens are available again (for Retry-After), at least 1. */
    long secondsUntil(final int events) {
        return Math.max(1, (long) Math.ceil(events / (ratePerNano * 1e9)));
    }

    private static final class Bucket {
        private double tokens;
        private long lastNanos;

        Bucket(final long burst, final long nowNanos) {
            this.tokens = burst;
            this.lastNanos = nowNanos;
        }

        synchronized boolean take(final int events, final long nowNanos, final double ratePerNano, final long burst) {
            tokens = Math.min(burst, tokens + (nowNanos - lastNanos) * ratePerNano);
            lastNanos = nowNanos;
            if (tokens < events) {
                return false;
            }
            tokens -= events;
            return true;
        }
    }
}
