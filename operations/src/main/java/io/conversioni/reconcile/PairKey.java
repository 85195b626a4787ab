package io.conversioni.reconcile;

import java.time.Instant;
import java.util.Comparator;

/**
 * What a reconciliation compares: one window and one evento/canale pair. Its text form
 * {@code 2024-05-20T14:30:00Z/acquisto_concluso/email} is the alert key. Immutable.
 */
public record PairKey(long windowStartMillis, String evento, String canale) implements Comparable<PairKey> {
    private static final Comparator<PairKey> ORDER = Comparator.comparingLong(PairKey::windowStartMillis)
        .thenComparing(PairKey::evento).thenComparing(PairKey::canale);

    public String finestra() {
        return Instant.ofEpochMilli(windowStartMillis).toString();
    }

    /** The alert key: {@code <window>/<evento>/<canale>}. */
    public String alertKey() {
        return finestra() + "/" + evento + "/" + canale;
    }

    @Override
    public int compareTo(final PairKey other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return alertKey();
    }
}
