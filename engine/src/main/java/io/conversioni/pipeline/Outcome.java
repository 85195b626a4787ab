package io.conversioni.pipeline;

/**
 * What the engine decided about one published body. Stable numeric codes: they are journaled and
 * exported, so never renumber. The HTTP status each maps to is in {@link #httpStatus(int)}.
 */
public final class Outcome {
    /** Valid, unique, counted in its window. */
    public static final int ACCEPTED = 1;
    /** Valid, but a duplicate of an earlier event (named by the slot's duplicateOf fields). */
    public static final int DUPLICATE = 2;
    /** Invalid against the schema: quarantined with its violations. */
    public static final int REJECTED = 3;
    /** Valid, but dated beyond the horizon in the past: journaled (not quarantined), counted as too late, in no window. */
    public static final int TOO_LATE = 4;
    /** Valid, but dated further in the future than the tolerance allows. */
    public static final int FUTURE = 5;
    /** The journal could not take it: not counted, nothing half-written; the sender should retry. */
    public static final int JOURNAL_FAILED = 6;

    private Outcome() {
    }

    /** The {@code esito} word the API uses. */
    public static String esito(final int outcome) {
        switch (outcome) {
            case ACCEPTED: return "accettato";
            case DUPLICATE: return "duplicato";
            case REJECTED: return "rifiutato";
            case TOO_LATE: return "troppo_vecchio";
            case FUTURE: return "nel_futuro";
            case JOURNAL_FAILED: return "non_disponibile";
            default: return "sconosciuto";
        }
    }

    public static int httpStatus(final int outcome) {
        switch (outcome) {
            case ACCEPTED:
            case DUPLICATE:
                return 202;
            case REJECTED:
                return 400;
            case TOO_LATE:
            case FUTURE:
                return 422;
            default:
                return 503;
        }
    }
}
