package io.conversioni.cluster;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The record headers of cluster mode, one definition for both sides. An event record (on {@code cluster.topic},
 * written by the receiving node) carries {@link #RICEVUTO}, {@link #NODO} and {@link #CORRELAZIONE}; a heartbeat
 * record (same topic, written by the partition's owner) {@link #TIPO} and {@link #RICEVUTO}; a verdict
 * (on {@code cluster.reply_topic}, written by the owner, key = the {@code nodo} it answers) carries the
 * {@code correlazione} copied back and {@link #STATO_HTTP}. Header names are Italian like every name an operator
 * sees with Kafka's own tools.
 *
 * <p>Pure functions, any thread; {@link #millis} allocates its 8 bytes. {@link #CORRELAZIONE} is 16 bytes: the
 * receiving node's incarnation (random, drawn at start) then its request counter, both big-endian.
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

    /**
     * On a heartbeat record (written by a partition's owner to that partition of {@code cluster.topic}, null key and
     * value): {@link #BATTITO}. Such a record carries only this and {@link #RICEVUTO}.
     */
    public static final String TIPO = "tipo";
    /** The {@link #TIPO} of a heartbeat record: time passed on the partition, no event. */
    public static final String BATTITO = "battito";
    private static final byte[] BATTITO_BYTES = BATTITO.getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private ClusterHeaders() {
    }

    /** The {@link #RICEVUTO} value for {@code epochMillis}. */
    public static byte[] millis(final long epochMillis) {
        final byte[] b = new byte[8];
        writeLong(b, 0, epochMillis);
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
            return readLong(h.value(), 0);
        }
        return record.timestamp();
    }

    /** The {@link #TIPO} header's value of a heartbeat record; its caller must not change it. */
    static byte[] battito() {
        return BATTITO_BYTES;
    }

    /** Whether {@code record} is a heartbeat record ({@link #TIPO} {@link #BATTITO}), not an event. */
    public static boolean isHeartbeat(final ConsumerRecord<?, ?> record) {
        final Header h = record.headers().lastHeader(TIPO);
        return h != null && java.util.Arrays.equals(BATTITO_BYTES, h.value());
    }

    /** Writes {@code v} big-endian at {@code b[at..at+7]} (the halves of {@link #CORRELAZIONE}, {@link #RICEVUTO}). */
    static void writeLong(final byte[] b, final int at, final long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    /** Reads the big-endian long at {@code b[at..at+7]}. */
    static long readLong(final byte[] b, final int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFFL);
        }
        return v;
    }

    /** The value of header {@code name}, or null when the record has none. */
    static byte[] value(final ConsumerRecord<?, ?> record, final String name) {
        final Header h = record.headers().lastHeader(name);
        return h == null ? null : h.value();
    }
}
