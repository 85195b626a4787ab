package io.conversioni.alert;

import java.nio.charset.StandardCharsets;

/**
 * One event as the rules see it, decoded from the feed into this reused holder. Rules thread only; valid
 * until the next record. {@link #idCliente()} allocates a String (rules that need the id as a key).
 */
final class FeedRecord {
    int outcome;
    int canale;
    long receiveMillis;
    long eventMillis;
    int rejectionCode;
    final byte[] id = new byte[FeedRecordDescriptor.MAX_ID_BYTES];
    int idLength;
    /** A record another owner already decided (a rebuild): what the rules raise from it is not notified. */
    boolean replayed;

    String idCliente() {
        return new String(id, 0, idLength, StandardCharsets.UTF_8);
    }
}
