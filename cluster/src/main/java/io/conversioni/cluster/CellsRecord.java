package io.conversioni.cluster;

/**
 * One decoded value of the cells topic ({@link CellsCodec}): who published it and when, the partitions it speaks for
 * with each one's watermark and consumer lag, the owner engine's counters, and for a window record that window's
 * cells with campaign names.
 *
 * <p>Threading: immutable once decoded; the cells reader decodes it and readers of the merged state share it.
 * Allocation: its arrays, once per record read.
 */
final class CellsRecord {
    static final byte KIND_WINDOW = 1;
    static final byte KIND_NODE = 2;
    /** A lag that was not given. */
    static final long NO_LAG = -1;

    final byte kind;
    final long publishMillis;
    final String node;
    final int[] partitions;
    final long[] watermarkMillis;
    final long[] lag;
    final long maxEventTimeMillis;
    final long tooLateCount;
    final long futureCount;
    final long rejectedOutsideHorizonCount;
    final long heartbeatCount;
    // KIND_WINDOW only (else 0 and empty)
    final long windowStartMillis;
    final long revision;
    final boolean closed;
    final int fieldsPerCell;
    /** Total, evento, canale cells in that order, {@code fieldsPerCell} longs each. */
    final long[] fixedCells;
    final String[] campaigns;
    /** {@code fieldsPerCell} longs per entry of {@link #campaigns}. */
    final long[] campaignCells;
    /** KIND_NODE: accepted counts then valore cents per evento x canale (evento-major); else empty. */
    final long[] business;

    CellsRecord(final byte kind, final long publishMillis, final String node, final int[] partitions,
                final long[] watermarkMillis, final long[] lag, final long[] counters, final long windowStartMillis,
                final long revision, final boolean closed, final int fieldsPerCell, final long[] fixedCells,
                final String[] campaigns, final long[] campaignCells, final long[] business) {
        this.kind = kind;
        this.publishMillis = publishMillis;
        this.node = node;
        this.partitions = partitions;
        this.watermarkMillis = watermarkMillis;
        this.lag = lag;
        this.maxEventTimeMillis = counters[0];
        this.tooLateCount = counters[1];
        this.futureCount = counters[2];
        this.rejectedOutsideHorizonCount = counters[3];
        this.heartbeatCount = counters[4];
        this.windowStartMillis = windowStartMillis;
        this.revision = revision;
        this.closed = closed;
        this.fieldsPerCell = fieldsPerCell;
        this.fixedCells = fixedCells;
        this.campaigns = campaigns;
        this.campaignCells = campaignCells;
        this.business = business;
    }

    /** The watermark this record gives partition {@code p}, {@link Long#MIN_VALUE} when it does not speak for p. */
    long watermarkOf(final int p) {
        for (int i = 0; i < partitions.length; i++) {
            if (partitions[i] == p) {
                return watermarkMillis[i];
            }
        }
        return Long.MIN_VALUE;
    }
}
