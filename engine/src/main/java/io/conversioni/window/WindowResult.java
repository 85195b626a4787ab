package io.conversioni.window;

/**
 * Result codes of {@link SingleWriterWindowStore#onEvent}: plain ints so the hot path returns a primitive.
 * Stable: the pipeline journals them and maps them to HTTP answers.
 *
 * <p>Threading: constants only.
 */
public final class WindowResult {
    /** Applied to an open window. */
    public static final int ACCEPTED = 0;
    /** Applied to a closed window inside the horizon; its revision was incremented. */
    public static final int ACCEPTED_LATE_REVISION = 1;
    /** A duplicate, counted as such in its window (revision incremented if that window was closed). */
    public static final int DUPLICATE_COUNTED = 2;
    /** Older than the horizon: counted, nothing else changed (the event stays in the journal, not in quarantine). */
    public static final int TOO_LATE = 3;
    /** Dated more than the future tolerance after its receive time: counted; the caller rejects it (422). */
    public static final int FUTURE = 4;

    private WindowResult() {
    }

    public static String name(final int result) {
        switch (result) {
            case ACCEPTED: return "ACCEPTED";
            case ACCEPTED_LATE_REVISION: return "ACCEPTED_LATE_REVISION";
            case DUPLICATE_COUNTED: return "DUPLICATE_COUNTED";
            case TOO_LATE: return "TOO_LATE";
            case FUTURE: return "FUTURE";
            default: return "UNKNOWN(" + result + ")";
        }
    }
}
