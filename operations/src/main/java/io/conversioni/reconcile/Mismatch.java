package io.conversioni.reconcile;

import java.util.List;

/**
 * One window × evento/canale where the engine and the CRM disagree, with both tallies and, where the CRM
 * listed its events, which ones differ. Immutable.
 *
 * @param mancanti       in the CRM, not counted by the engine (each with what the engine decided, if it saw it)
 * @param inPiu          counted by the engine, not in the CRM
 * @param valoreDiverso  the same event on both sides with another value
 */
public record Mismatch(PairKey key, Tally motore, Tally crm, List<Missing> mancanti, List<LedgerEvent> inPiu,
                       List<ValueDifference> valoreDiverso) {

    /** A CRM event the engine did not count; {@code esitoMotore} is null when the engine never received it. */
    public record Missing(LedgerEvent event, String esitoMotore) {
    }

    /** The same event (same fingerprint) with a different value on each side. */
    public record ValueDifference(LedgerEvent motore, LedgerEvent crm) {
    }

    /** One line for an alert: what differs, by how much. */
    public String summary() {
        final StringBuilder sb = new StringBuilder("riconciliazione ").append(key.alertKey()).append(": motore ")
            .append(motore.count()).append(" eventi ").append(ReconciliationFormat.money(motore.valueCents()))
            .append(", CRM ").append(crm.count()).append(" eventi ").append(ReconciliationFormat.money(crm.valueCents()));
        if (!mancanti.isEmpty()) {
            sb.append("; mancanti ").append(mancanti.size());
        }
        if (!inPiu.isEmpty()) {
            sb.append("; in più ").append(inPiu.size());
        }
        if (!valoreDiverso.isEmpty()) {
            sb.append("; valore diverso ").append(valoreDiverso.size());
        }
        return sb.toString();
    }
}
