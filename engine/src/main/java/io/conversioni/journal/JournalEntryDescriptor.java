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
 *  |        Source partition (version 2 only: Kafka partition)     | 48
 *  +---------------------------------------------------------------+
 *  |                     Reserved (version 2 only)                 | 52
 *  +---------------------------------------------------------------+
 *  |          Source offset (version 2 only: the record's offset)  | 56
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       Body bytes                             ...  header length
 *  +---------------------------------------------------------------+
 *  |                       Violations bytes                       ...  header length + body length
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Two versions share the first 48 bytes. Version 1 ({@link #HEADER_LENGTH}, 48 bytes) is an entry
 * taken in by this node (HTTP, a heartbeat of its own timer): every journal written before cluster mode
 * holds only these, and this node still writes them byte for byte as before. Version 2
 * ({@link #SOURCE_HEADER_LENGTH}, 64 bytes) is an entry fed from a Kafka record by the partition's owner: it
 * adds the record's partition and offset, the owner's resume point after a restart. A reader takes both and
 * reports {@link #NO_SOURCE_PARTITION} and {@link #NO_SOURCE_OFFSET} for version 1.
 *
 * <p>All numbers are little-endian (Chronicle Bytes' order). The entry's total length is always its
 * version's header length + body length + violations length; a reader rejects any other length.
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
    /** Layout version of an entry with no source record; a reader rejects any version but this and the next. */
    public static final byte VERSION = 1;
    /** Layout version of an entry fed from a Kafka record: the source partition and offset follow the header. */
    public static final byte VERSION_WITH_SOURCE = 2;

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
    public static final int SOURCE_PARTITION_OFFSET = 48;
    public static final int SOURCE_RESERVED_OFFSET = 52;
    public static final int SOURCE_OFFSET_OFFSET = 56;
    public static final int SOURCE_HEADER_LENGTH = 64;

    /** Receive nanos of an entry whose producer stamped none (heartbeats from a timer, old writers). */
    public static final long NO_RECEIVE_NANOS = Long.MIN_VALUE;
    /** Quarantine index of every entry but the QUARANTINE marker in the events queue. */
    public static final long NO_QUARANTINE_INDEX = -1L;
    /** Source partition of an entry not fed from a Kafka record (version 1). */
    public static final int NO_SOURCE_PARTITION = -1;
    /** Source offset of an entry not fed from a Kafka record (version 1). */
    public static final long NO_SOURCE_OFFSET = -1L;

    private JournalEntryDescriptor() {
    }

    /** Header length of an entry of {@code version}, or -1 for a version this code does not know. */
    public static int headerLength(final byte version) {
        return version == VERSION ? HEADER_LENGTH : version == VERSION_WITH_SOURCE ? SOURCE_HEADER_LENGTH : -1;
    }

    /** Offset of the body bytes from the start of an entry whose header has {@code headerLength} bytes. */
    public static int bodyOffset(final int headerLength) {
        return headerLength;
    }

    /** Offset of the violations bytes from the start of an entry with this header and body length. */
    public static int violationsOffset(final int headerLength, final int bodyLength) {
        return headerLength + bodyLength;
    }

    /** Total length of an entry with this header length and these payload lengths. */
    public static long entryLength(final int headerLength, final int bodyLength, final int violationsLength) {
        return (long) headerLength + bodyLength + violationsLength;
    }
}
