package io.conversioni.journal;

/** When an append counts as done. Immutable. */
public enum JournalDurability {
    /**
     * After the entry is written, {@code fdatasync} its cycle file (and, once per new file, its directory):
     * an acknowledged event survives a power loss. Costs one device flush per append.
     */
    SYNC,
    /**
     * The entry is in the page cache when the append returns: it survives a crash of this process, not of
     * the machine. No system call on the append path.
     */
    ASYNC
}
