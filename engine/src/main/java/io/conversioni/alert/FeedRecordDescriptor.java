package io.conversioni.alert;

/**
 * Layout of one record in the {@link OneToOneEventFeed}'s ring (after Agrona's own 8-byte record
 * header). Little-endian, as Agrona's buffers write. An event record:
 *
 * <pre>
 *   0                   4                   8
 *   +-------------------+-------------------+
 *   | outcome (int)     | canale ordinal    |   canale -1 when unknown (a rejected body)
 *   +-------------------+-------------------+
 *   | receive millis (long)                 |   8
 *   +---------------------------------------+
 *   | event millis (long, MIN_VALUE: none)  |  16
 *   +-------------------+-------------------+
 *   | rejection code    | id_cliente length |  24   code: index in EngineCounters.REJECTION_CODES, -1
 *   +-------------------+-------------------+
 *   | id_cliente UTF-8 bytes, at most 48    |  32 .. 80
 *   +---------------------------------------+
 * </pre>
 *
 * A heartbeat record ({@link #MSG_HEARTBEAT}) holds only the receive millis at offset 0. Commit rule: the
 * producer fills the claimed space, then Agrona's {@code commit} publishes the record length with a
 * release store; the consumer reads the fields only after it sees that length.
 */
final class FeedRecordDescriptor {
    static final int MSG_EVENT = 1;
    static final int MSG_HEARTBEAT = 2;
    /** An event laid out as {@link #MSG_EVENT}, fed from a record replayed by a rebuild ({@code EventView.replayed()}). */
    static final int MSG_REPLAYED_EVENT = 3;

    static final int OUTCOME_OFFSET = 0;
    static final int CANALE_OFFSET = 4;
    static final int RECEIVE_MILLIS_OFFSET = 8;
    static final int EVENT_MILLIS_OFFSET = 16;
    static final int REJECTION_CODE_OFFSET = 24;
    static final int ID_LENGTH_OFFSET = 28;
    static final int ID_BYTES_OFFSET = 32;
    /** Longer id_cliente values are truncated (alert keys name the first 48 bytes). */
    static final int MAX_ID_BYTES = 48;
    static final int EVENT_LENGTH = ID_BYTES_OFFSET + MAX_ID_BYTES;
    static final int HEARTBEAT_LENGTH = 8;

    private FeedRecordDescriptor() {
    }
}
