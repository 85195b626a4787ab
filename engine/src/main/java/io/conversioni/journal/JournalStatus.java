package io.conversioni.journal;

/**
 * Outcome of one append: the journal never throws into the pipeline, it answers with one of these and
 * keeps the reason in {@link SingleWriterJournal#lastError()}. Stable codes: log and export them by name.
 */
public enum JournalStatus {
    /** Written (and, with {@link JournalDurability#SYNC}, flushed to the device): safe to acknowledge. */
    OK,
    /** The journal was closed: nothing was written. Answer 503. */
    CLOSED,
    /** Chronicle failed while writing (disk full, unmapped file, bad arguments): rolled back, nothing is visible. */
    WRITE_FAILED,
    /**
     * The entry is complete and readable, but the flush to the device failed, so it may not survive a power
     * loss. Answer 503: the sender retries and the duplicate is caught on the way in.
     */
    SYNC_FAILED;

    public boolean isOk() {
        return this == OK;
    }
}
