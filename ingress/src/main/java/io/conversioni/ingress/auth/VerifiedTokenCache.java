package io.conversioni.ingress.auth;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers tokens that passed every check, keyed by the whole {@code Authorization} header value (compared by
 * {@link String#equals}, not by hash), so the same CRM token on every webhook costs one hash lookup. An entry
 * keeps the time claims so that each hit is re-checked against the current time, and the key-set generation so
 * that a hit after a JWKS change is verified again; rejections are never cached
 * (a bad token always pays for its own verification and cannot evict good ones).
 *
 * <p>Threading: any thread. Allocation: one entry per newly verified token; a hit allocates nothing. Growth:
 * bounded by {@code capacity} plus the number of threads inserting at the same moment. When full, an insert
 * drops expired entries among the first {@value #EVICTION_SCAN} it meets, then the first ones (arbitrary
 * entries, by hash order) until there is room: cheap, and good enough since a server sees few distinct live
 * tokens.
 */
final class VerifiedTokenCache {
    private static final int EVICTION_SCAN = 16;

    private final ConcurrentHashMap<String, Entry> entries;
    private final int capacity;

    /**
     * A verified token: the shared result, the bounds of its validity in epoch seconds, and the generation of the
     * key set that verified it (a hit from an older generation is verified again: its key may be gone).
     */
    record Entry(JwtResult result, long validFromEpochSeconds, long expiresAtEpochSeconds, long keysGeneration) {
    }

    VerifiedTokenCache(final int capacity) {
        this.capacity = capacity;
        this.entries = new ConcurrentHashMap<>(Math.max(16, capacity * 4 / 3 + 1));
    }

    /** The entry for {@code header}, or {@code null}. */
    Entry get(final String header) {
        return capacity == 0 ? null : entries.get(header);
    }

    void put(final String header, final Entry entry, final long nowEpochSeconds, final long leewaySeconds) {
        if (capacity == 0) {
            return;
        }
        if (entries.size() >= capacity) {
            evict(nowEpochSeconds, leewaySeconds);
        }
        entries.put(header, entry);
    }

    /** Removes {@code header} only while it still maps to {@code entry}. */
    void remove(final String header, final Entry entry) {
        entries.remove(header, entry);
    }

    int size() {
        return entries.size();
    }

    private void evict(final long nowEpochSeconds, final long leewaySeconds) {
        final Iterator<Entry> values = entries.values().iterator();
        for (int scanned = 0; scanned < EVICTION_SCAN && values.hasNext(); scanned++) {
            if (JwtVerifier.isExpired(values.next().expiresAtEpochSeconds(), nowEpochSeconds, leewaySeconds)) {
                values.remove();
            }
        }
        // Loop on the size, not on "I removed one": racing inserters may pick the same victim.
        final Iterator<String> keys = entries.keySet().iterator();
        while (entries.size() >= capacity && keys.hasNext()) {
            keys.next();
            keys.remove();
        }
    }
}
