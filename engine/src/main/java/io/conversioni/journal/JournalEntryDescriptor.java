package io.conversioni.journal;

/**
 * Layout of one journal entry: the payload of one Chronicle Queue excerpt, written by
 * {@link SingleWriterJournal} and read through {@link JournalEntryFlyweight}.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |    Version    |     Kind      |           Reserved            |  0
 *  +---------------+---------------+-------------------------------+
 *  |                         Outcome code                          |  4
 *  +---------------------------------------------------------------+
 *  |                           Sequence                            |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Receive time, epoch millis                 | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Receive nanos (System.nanoTime, or absent)       | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |        Quarantine index (QUARANTINE marker only, else -1)     | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Body length                          | 40
 *  +---------------------------------------------------------------+
 *  |                       Violations length                       | 44
 *  +---------------------------------------------------------------+
 *  |                       Body bytes                             ...  48
 *  +---------------------------------------------------------------+
 *  |                       Violations bytes                       ...  48 + body length
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>All numbers are little-endian (Chronicle Bytes' order). The entry's total length is always
 * {@link #HEADER_LENGTH} + body length + violations length; a reader rejects any other length.
 *
 * <p>Commit rule: the entry becomes visible only when Chronicle sets the ready bit of the excerpt's
 * header on {@code DocumentContext.close()}; a failed write is rolled back before that, so a reader never
 * sees a partial entry. Entries are never updated in place.
 *
 * <p>Which queue holds what: the events queue holds EVENT, HEARTBEAT and a QUARANTINE marker (no body,
 * no violations, {@link #QUARANTINE_INDEX_OFFSET} naming the full record); the quarantine queue holds
 * QUARANTINE entries with the body and the violations (the JSON array the validator writes) and a
 * quarantine index of -1.
 */
public final class JournalEntryDescriptor {
    /** Layout version written in every entry; a reader rejects any other value. */
    public static final byte VERSION = 1;

    public static final int VERSION_OFFSET = 0;
    public static final int KIND_OFFSET = 1;
    public static final int RESERVED_OFFSET = 2;
    public static final int OUTCOME_CODE_OFFSET = 4;
    public static final int SEQUENCE_OFFSET = 8;
    public static final int RECEIVE_MILLIS_OFFSET = 16;
    public static final int RECEIVE_NANOS_OFFSET = 24;
    public static final int QUARANTINE_INDEX_OFFSET = 32;
    public static final int BODY_LENGTH_OFFSET = 40;
    public static final int VIOLATIONS_LENGTH_OFFSET = 44;
    public static final int HEADER_LENGTH = 48;

    /** Receive nanos of an entry whose producer stamped none (heartbeats from a timer, old writers). */
    public static final long NO_RECEIVE_NANOS = Long.MIN_VALUE;
    /** Quarantine index of every entry but the QUARANTINE marker in the events queue. */
    public static final long NO_QUARANTINE_INDEX = -1L;

    private JournalEntryDescriptor() {
    }

    /** Offset of the body bytes from the start of the entry. */
    public static int bodyOffset() {
        return HEADER_LENGTH;
    }

    /** Offset of the violations bytes from the start of an entry whose body has {@code bodyLength} bytes. */
    public static int violationsOffset(final int bodyLength) {
        return HEADER_LENGTH + bodyLength;
    }

    /** Total length of an entry with these payload lengths. */
    public static long entryLength(final int bodyLength, final int violationsLength) {
        return (long) HEADER_LENGTH + bodyLength + violationsLength;
    }
}
