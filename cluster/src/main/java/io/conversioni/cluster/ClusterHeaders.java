package io.conversioni.cluster;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The record headers of cluster mode, one definition for both sides. An event record (on {@code cluster.topic},
 * written by the receiving node) carries {@link #RICEVUTO}, {@link #NODO} and {@link #CORRELAZIONE}; a verdict
 * (on {@code cluster.reply_topic}, written by the owner, key = the {@code nodo} it answers) carries the
 * {@code correlazione} copied back and {@link #STATO_HTTP}. Header names are Italian like every name an operator
 * sees with Kafka's own tools.
 *
 * <p>Pure functions, any thread; {@link #millis} allocates its 8 bytes.
 */
public final class ClusterHeaders {
    /** The receive time stamped by the receiving node: epoch millis, 8 bytes big-endian. Every decision uses it. */
    public static final String RICEVUTO = "ricevuto";
    /** The receiving node's name (UTF-8), which waits for the verdict: the verdict's key and reply partition. */
    public static final String NODO = "nodo";
    /**
     * Opaque to the owner (the receiving node writes its incarnation and a counter, 16 bytes): copied unchanged
     * into the verdict, where the receiving node finds the request it answers.
     */
    public static final String CORRELAZIONE = "correlazione";
    /**
     * On a verdict: the HTTP status of the answer, ASCII decimal ("202", "400", "422", "503"). Not {@code stato},
     * which is an event's field.
     */
    public static final String STATO_HTTP = "stato_http";

    private ClusterHeaders() {
    }

    /** The {@link #RICEVUTO} value for {@code epochMillis}. */
    public static byte[] millis(final long epochMillis) {
        final byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[7 - i] = (byte) (epochMillis >>> (8 * i));
        }
        return b;
    }

    /**
     * The receive time of an event record: its {@link #RICEVUTO} header, or, when that is missing or not 8 bytes
     * (a record written by another tool), the record's own timestamp (the producer's create time, or the
     * broker's append time), never the owner's clock.
     */
    public static long receiveMillis(final ConsumerRecord<?, ?> record) {
        final Header h = record.headers().lastHeader(RICEVUTO);
        if (h != null && h.value() != null && h.value().length == 8) {
            final byte[] b = h.value();
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (b[i] & 0xFFL);
            }
            return v;
        }
        return record.timestamp();
    }

    /** The value of header {@code name}, or null when the record has none. */
    static byte[] value(final ConsumerRecord<?, ?> record, final String name) {
        final Header h = record.headers().lastHeader(name);
        return h == null ? null : h.value();
    }
}
