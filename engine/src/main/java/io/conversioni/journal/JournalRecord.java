package io.conversioni.journal;

/**
 * One journal entry as read back by {@link JournalReader}: a reusable holder, filled in place by each
 * {@link JournalReader#next(JournalRecord)}. Single-threaded. Its two byte arrays grow (to the next power
 * of two) when a longer entry arrives, so after warm-up reading allocates nothing; the arrays are reused,
 * so copy what must outlive the next read. Only {@code [0, bodyLength)} and {@code [0, violationsLength)}
 * are meaningful.
 */
public final class JournalRecord {
    private static final int INITIAL_CAPACITY_BYTES = 512;

    private long index = -1L;
    private JournalRecordKind kind;
    private long sequence;
    private long receiveMillis;
    private long receiveNanos;
    private int outcomeCode;
    private long quarantineIndex = JournalEntryDescriptor.NO_QUARANTINE_INDEX;
    private int sourcePartition = JournalEntryDescriptor.NO_SOURCE_PARTITION;
    private long sourceOffset = JournalEntryDescriptor.NO_SOURCE_OFFSET;
    private byte[] body = new byte[INITIAL_CAPACITY_BYTES];
    private int bodyLength;
    private byte[] violations = new byte[INITIAL_CAPACITY_BYTES];
    private int violationsLength;

    /** The Chronicle index of this entry in the queue it was read from (cycle and position in the cycle). */
    public long index() {
        return index;
    }

    public JournalRecordKind kind() {
        return kind;
    }

    public long sequence() {
        return sequence;
    }

    /** Receive time stamped at ingress: the only clock a replayed decision may use. */
    public long receiveMillis() {
        return receiveMillis;
    }

    /** Monotonic ingress stamp for latency only, or {@link JournalEntryDescriptor#NO_RECEIVE_NANOS}. */
    public long receiveNanos() {
        return receiveNanos;
    }

    public int outcomeCode() {
        return outcomeCode;
    }

    /**
     * For a QUARANTINE marker read from the events queue, the index of its full record in the quarantine
     * queue; otherwise {@link JournalEntryDescriptor#NO_QUARANTINE_INDEX}.
     */
    public long quarantineIndex() {
        return quarantineIndex;
    }

    /**
     * The Kafka partition of the record this entry was fed from (cluster mode, on the partition's owner), or
     * {@link JournalEntryDescriptor#NO_SOURCE_PARTITION} for an entry taken in by this node itself.
     */
    public int sourcePartition() {
        return sourcePartition;
    }

    /** The offset of that record in its partition, or {@link JournalEntryDescriptor#NO_SOURCE_OFFSET}. */
    public long sourceOffset() {
        return sourceOffset;
    }

    /** The backing array; the body is {@code body()[0, bodyLength())}. */
    public byte[] body() {
        return body;
    }

    public int bodyLength() {
        return bodyLength;
    }

    /** The backing array; the violations are {@code violations()[0, violationsLength())}. */
    public byte[] violations() {
        return violations;
    }

    public int violationsLength() {
        return violationsLength;
    }

    /** Fills this holder from a well-formed entry; grows the arrays when needed. */
    void readFrom(final long index, final JournalEntryFlyweight entry) {
        this.index = index;
        kind = JournalRecordKind.fromCode(entry.kindCode());
        sequence = entry.sequence();
        receiveMillis = entry.receiveMillis();
        receiveNanos = entry.receiveNanos();
        outcomeCode = entry.outcomeCode();
        quarantineIndex = entry.quarantineIndex();
        sourcePartition = entry.sourcePartition();
        sourceOffset = entry.sourceOffset();
        bodyLength = entry.bodyLength();
        body = ensureCapacity(body, bodyLength);
        entry.getBody(body);
        violationsLength = entry.violationsLength();
        violations = ensureCapacity(violations, violationsLength);
        entry.getViolations(violations);
    }

    private static byte[] ensureCapacity(final byte[] array, final int length) {
        if (array.length >= length) {
            return array;
        }
        final int capacity = Integer.highestOneBit(length - 1) << 1;
        return new byte[capacity > 0 ? capacity : length];
    }

    @Override
    public String toString() {
        return "JournalRecord{index=" + Long.toHexString(index) + ", kind=" + kind + ", sequence=" + sequence
            + ", receiveMillis=" + receiveMillis + ", outcomeCode=" + outcomeCode + ", source=" + sourcePartition + '@'
            + sourceOffset + ", bodyLength=" + bodyLength
            + ", violationsLength=" + violationsLength + '}';
    }
}
