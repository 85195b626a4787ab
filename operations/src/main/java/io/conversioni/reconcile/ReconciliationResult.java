package io.conversioni.reconcile;

import java.util.List;

/**
 * What one reconciliation found over {@code [fromMillis, toMillis)}: the closed windows and pairs compared,
 * those that matched, and every {@link Mismatch}. Windows not yet closed are skipped and counted. Immutable.
 *
 * @param matched         pairs whose count, value sum and checksum agree
 * @param openWindows     windows of the range not yet final (the watermark has not passed their end)
 * @param crmOutside      CRM events dated outside the range or in an open window (not compared)
 */
public record ReconciliationResult(long fromMillis, long toMillis, long windowLengthMillis, String fonte,
                                   long windowsCompared, List<PairKey> matched, List<Mismatch> mismatches,
                                   long openWindows, long crmOutside, long engineEvents, long crmEvents) {

    public boolean agrees() {
        return mismatches.isEmpty();
    }

    /** {@code concorda} or {@code discorda}. */
    public String esito() {
        return agrees() ? "concorda" : "discorda";
    }
}
