package io.conversioni.journal;

/**
 * What a journal entry records; the code is the byte at {@link JournalEntryDescriptor#KIND_OFFSET}.
 * Immutable; {@link #fromCode(int)} allocates nothing.
 */
public enum JournalRecordKind {
    /** A valid event body, with the outcome the pipeline gave it. */
    EVENT(1),
    /**
     * An invalid event: in the events queue a marker (no body) that keeps the rejected count in order;
     * in the quarantine queue the body with its violations.
     */
    QUARANTINE(2),
    /** A periodic tick carrying only a receive time, so that windows close at the same point on replay. */
    HEARTBEAT(3);

    private static final JournalRecordKind[] BY_CODE = {null, EVENT, QUARANTINE, HEARTBEAT};

    private final byte code;

    JournalRecordKind(final int code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    /** The kind with this code, or null when the code is unknown (a corrupt or newer entry). */
    public static JournalRecordKind fromCode(final int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
