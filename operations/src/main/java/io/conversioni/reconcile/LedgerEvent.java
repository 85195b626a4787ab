package io.conversioni.reconcile;

import java.time.Instant;

/**
 * One conversion as one side of a reconciliation lists it: the engine (origin {@code sequenza 13}) or the
 * CRM (origin {@code export.csv:4}, or the endpoint and item number). Immutable; the fingerprint is computed
 * once at construction.
 *
 * @param valoreCents exact value in cents
 * @param origine     where this event was read, for a person to find it
 */
public record LedgerEvent(String idCliente, String evento, String canale, long timestampMillis, long valoreCents,
                          String origine, long fingerprint) {

    public static LedgerEvent of(final String idCliente, final String evento, final String canale,
                                 final long timestampMillis, final long valoreCents, final String origine) {
        return new LedgerEvent(idCliente, evento, canale, timestampMillis, valoreCents, origine,
            EventFingerprint.of(idCliente, evento, timestampMillis));
    }

    /** The window (of {@code windowLengthMillis}, aligned to the epoch as the engine's are) this event falls in. */
    public long windowStartMillis(final long windowLengthMillis) {
        return Math.floorDiv(timestampMillis, windowLengthMillis) * windowLengthMillis;
    }

    public String timestamp() {
        return Instant.ofEpochMilli(timestampMillis).toString();
    }
}
