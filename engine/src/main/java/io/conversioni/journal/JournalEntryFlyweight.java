package io.conversioni.journal;

import net.openhft.chronicle.bytes.RandomDataInput;

import static io.conversioni.journal.JournalEntryDescriptor.BODY_LENGTH_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.HEADER_LENGTH;
import static io.conversioni.journal.JournalEntryDescriptor.KIND_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.OUTCOME_CODE_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.QUARANTINE_INDEX_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.RECEIVE_MILLIS_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.RECEIVE_NANOS_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.NO_SOURCE_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.NO_SOURCE_PARTITION;
import static io.conversioni.journal.JournalEntryDescriptor.SEQUENCE_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.SOURCE_OFFSET_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.SOURCE_PARTITION_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.VERSION_OFFSET;
import static io.conversioni.journal.JournalEntryDescriptor.VERSION_WITH_SOURCE;
import static io.conversioni.journal.JournalEntryDescriptor.VIOLATIONS_LENGTH_OFFSET;

/**
 * Reads one journal entry ({@link JournalEntryDescriptor}) in place, at absolute offsets of the excerpt's
 * bytes, whichever of the two layout versions it has. Single-threaded; allocates nothing; recycle by calling
 * {@link #wrap} again. Valid only while the excerpt's {@code DocumentContext} is open.
 */
final class JournalEntryFlyweight {
    private RandomDataInput buffer;
    private long offset;
    private long length;
    /** The wrapped entry's header length by its version; -1 for an unknown version or an entry too short. */
    private int headerLength;

    JournalEntryFlyweight wrap(final RandomDataInput buffer, final long offset, final long length) {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.headerLength = length < HEADER_LENGTH ? -1 : JournalEntryDescriptor.headerLength(version());
        return this;
    }

    /**
     * Whether the entry is whole and of a version and kind this code knows: its length must equal the
     * header plus the two payload lengths it declares.
     */
    boolean isWellFormed() {
        if (headerLength < 0 || length < headerLength || JournalRecordKind.fromCode(kindCode()) == null) {
            return false;
        }
        final int bodyLength = bodyLength();
        final int violationsLength = violationsLength();
        return bodyLength >= 0 && violationsLength >= 0
            && JournalEntryDescriptor.entryLength(headerLength, bodyLength, violationsLength) == length;
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

    /**
     * The Kafka partition of the record this entry was fed from; {@link JournalEntryDescriptor#NO_SOURCE_PARTITION}
     * for version 1.
     */
    int sourcePartition() {
        return version() == VERSION_WITH_SOURCE ? buffer.readInt(offset + SOURCE_PARTITION_OFFSET) : NO_SOURCE_PARTITION;
    }

    /** The offset of that record; {@link JournalEntryDescriptor#NO_SOURCE_OFFSET} for version 1. */
    long sourceOffset() {
        return version() == VERSION_WITH_SOURCE ? buffer.readLong(offset + SOURCE_OFFSET_OFFSET) : NO_SOURCE_OFFSET;
    }

    int bodyLength() {
        return buffer.readInt(offset + BODY_LENGTH_OFFSET);
    }

    int violationsLength() {
        return buffer.readInt(offset + VIOLATIONS_LENGTH_OFFSET);
    }

    /** Copies the body into {@code dst[0, bodyLength)}; the caller sized {@code dst}. */
    void getBody(final byte[] dst) {
        buffer.read(offset + JournalEntryDescriptor.bodyOffset(headerLength), dst, 0, bodyLength());
    }

    /** Copies the violations into {@code dst[0, violationsLength)}; the caller sized {@code dst}. */
    void getViolations(final byte[] dst) {
        buffer.read(offset + JournalEntryDescriptor.violationsOffset(headerLength, bodyLength()), dst, 0, violationsLength());
    }
}
