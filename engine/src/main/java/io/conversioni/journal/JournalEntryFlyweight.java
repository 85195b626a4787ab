package io.conversioni.journal;

import net.openhft.chronicle.bytes.RandomDataInput;

import static io.conversioni.journal.JournalEntryDescriptor.BODY_LENGTH_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.HEADER_LENGTH;
import static io.conversioni.journal.JournalEntryDescriptor.KIND_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.OUTCOME_CODE_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.QUARANTINE_INDEX_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.RECEIVE_MILLIS_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.RECEIVE_NANOS_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.SEQUENCE_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.VERSION;
import static io.conversioni.journal.JournalEntryDescriptor.VERSION_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.VIOLATIONS_LENGTH_OFFSET;

/**
 * Reads one journal entry ({@link JournalEntryDescriptor}) in place, at absolute offsets of the excerpt's
 * bytes. Single-threaded; allocates nothing; recycle by calling {@link #wrap} again. Valid only while the
 * excerpt's {@code DocumentContext} is open.
 */
final class JournalEntryFlyweight {
    private RandomDataInput buffer;
    private long offset;
    private long length;

    JournalEntryFlyweight wrap(final RandomDataInput buffer, final long offset, final long length) {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * Whether the entry is whole and of a version and kind this code knows: its length must equal the
     * header plus the two payload lengths it declares.
     */
    boolean isWellFormed() {
        if (length < HEADER_LENGTH || version() != VERSION || JournalRecordKind.fromCode(kindCode()) == null) {
            return false;
        }
        final int bodyLength = bodyLength();
        final int violationsLength = violationsLength();
        return bodyLength >= 0 && violationsLength >= 0
            && JournalEntryDescriptor.entryLength(bodyLength, violationsLength) == length;
    }

    byte version() {
        return buffer.readByte(offset + VERSION_OFFSET);
    }

    int kindCode() {
        return buffer.readByte(offset + KIND_OFFSET);
    }

    int outcomeCode() {
        return buffer.readInt(offset + OUTCOME_CODE_OFFSET);
    }

    long sequence() {
        return buffer.readLong(offset + SEQUENCE_OFFSET);
    }

    long receiveMillis() {
        return buffer.readLong(offset + RECEIVE_MILLIS_OFFSET);
    }

    long receiveNanos() {
        return buffer.readLong(offset + RECEIVE_NANOS_OFFSET);
    }

    long quarantineIndex() {
        return buffer.readLong(offset + QUARANTINE_INDEX_OFFSET);
    }

    int bodyLength() {
        return buffer.readInt(offset + BODY_LENGTH_OFFSET);
    }

    int violationsLength() {
        return buffer.readInt(offset + VIOLATIONS_LENGTH_OFFSET);
    }

    /** Copies the body into {@code dst[0, bodyLength)}; the caller sized {@code dst}. */
    void getBody(final byte[] dst) {
        buffer.read(offset + JournalEntryDescriptor.bodyOffset(), dst, 0, bodyLength());
    }

    /** Copies the violations into {@code dst[0, violationsLength)}; the caller sized {@code dst}. */
    void getViolations(final byte[] dst) {
        buffer.read(offset + JournalEntryDescriptor.violationsOffset(bodyLength()), dst, 0, violationsLength());
    }
}
