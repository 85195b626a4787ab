package io.conversioni.dedupe;

/**
 * Layout of one slot of the dedupe table: 64 bytes, one cache line, slots aligned on 64 bytes so that
 * a probe step touches one line. All fields native byte order.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         Key High (64)                         |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         Key Low (64)                          |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   Bucket (64): floorDiv(eventTime, window); exact: eventTime  | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |        Content Hash (64): exact mode only, 0 otherwise        | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Event Time Millis (64) of the first event            | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    First Sequence (64)                        | 40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 First Receive Millis (64)                     | 48
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  State (32): 0 empty, 1 used                  | 56
 *  +---------------------------------------------------------------+
 *  |     Home (32): the slot index the identity hashes to          | 60
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Identity: (key high, key low, bucket, content hash). Commit rule: a writer writes every other
 * field first and the state word last, so a slot never reads as used with a half-written identity.
 * Expired and evicted entries are overwritten in place (the slot stays used throughout) or removed by
 * backward shift, which moves later entries of the run into the hole and marks the last hole empty (its
 * state word only: the other fields of an empty slot are never read, and a snapshot writes them as zeros):
 * there is never an empty slot between an entry's home and the entry, which is what lets a probe stop at the
 * first empty slot.
 *
 * <p>Constants only; any thread.
 */
final class DedupeSlotDescriptor {
    public static final int KEY_HI_OFFSET = 0;
    public static final int KEY_LO_OFFSET = 8;
    public static final int BUCKET_OFFSET = 16;
    public static final int CONTENT_HASH_OFFSET = 24;
    public static final int EVENT_TIME_MILLIS_OFFSET = 32;
    public static final int FIRST_SEQUENCE_OFFSET = 40;
    public static final int FIRST_RECEIVE_MILLIS_OFFSET = 48;
    public static final int STATE_OFFSET = 56;
    /**
     * The entry's home slot, as written at insert. The table's probes and backward shifts read the copy in
     * its probe index ({@code DedupeProbeIndex}); reading a snapshot derives both from the identity.
     */
    public static final int HOME_OFFSET = 60;

    public static final int SLOT_LENGTH = 64;
    public static final int SLOT_SHIFT = 6;
    public static final int SLOT_ALIGNMENT = 64;

    public static final int STATE_EMPTY = 0;
    public static final int STATE_USED = 1;

    private DedupeSlotDescriptor() {
    }

    /**
     * @param slotIndex index in {@code [0, capacitySlots)}.
     * @return byte offset of the slot in the table's buffer.
     */
    public static int slotOffset(final int slotIndex) {
        return slotIndex << SLOT_SHIFT;
    }

    /**
     * @param capacitySlots number of slots.
     * @return bytes the table needs.
     */
    public static int capacityBytes(final int capacitySlots) {
        return capacitySlots << SLOT_SHIFT;
    }
}
