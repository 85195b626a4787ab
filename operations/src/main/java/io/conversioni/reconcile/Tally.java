package io.conversioni.reconcile;

/**
 * Count, exact value sum (cents) and fingerprint checksum (sum of {@link EventFingerprint}s mod 2^64) of
 * one side's events for one {@link PairKey}. Order-independent: two sides with the same events in any
 * order have equal tallies. Single-threaded while built, then read-only.
 */
public final class Tally {
    private long count;
    private long valueCents;
    private long checksum;

    void add(final LedgerEvent e) {
        count++;
        valueCents += e.valoreCents();
        checksum += e.fingerprint();
    }

    public long count() {
        return count;
    }

    public long valueCents() {
        return valueCents;
    }

    public long checksum() {
        return checksum;
    }

    public boolean matches(final Tally other) {
        return count == other.count && valueCents == other.valueCents && checksum == other.checksum;
    }
}
