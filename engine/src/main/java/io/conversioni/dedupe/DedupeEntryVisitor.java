package io.conversioni.dedupe;

/**
 * Receives each used slot of a {@link SingleWriterDedupeTable} in slot order, for determinism tests,
 * diagnostics and snapshots. Called on the table's owner thread; must not call back into the table.
 */
@FunctionalInterface
public interface DedupeEntryVisitor {
    /**
     * @param slotIndex          where the entry lies.
     * @param keyHi              high 64 bits of the key.
     * @param keyLo              low 64 bits of the key.
     * @param bucket             bucket index, or the exact event time in {@link DedupeMode#EXACT}.
     * @param contentHash        content hash in {@link DedupeMode#EXACT}, 0 otherwise.
     * @param eventTimeMillis    event time of the accepted event.
     * @param firstSequence      its sequence.
     * @param firstReceiveMillis its receive time.
     * @param expired            whether it is older than the expiry horizon (a slot free for reuse).
     */
    void onEntry(
        int slotIndex,
        long keyHi,
        long keyLo,
        long bucket,
        long contentHash,
        long eventTimeMillis,
        long firstSequence,
        long firstReceiveMillis,
        boolean expired);
}
