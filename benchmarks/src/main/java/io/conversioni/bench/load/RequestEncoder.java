package io.conversioni.bench.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes HTTP/1.1 requests into a caller's buffer: a POST of a body with the bearer token, or the insight probe's
 * GET. The fixed header lines are encoded once; any thread may share an instance (it holds no mutable state);
 * encoding allocates nothing for POSTs.
 */
final class RequestEncoder {
    static final String SINGLE_PATH = "/api/v1/eventi/conversione";
    static final String BATCH_PATH = "/api/v1/eventi/conversione/batch";
    static final String METRICHE_PATH = "/api/v1/metriche";

    private final byte[] postHead;
    private final String getTail;

    RequestEncoder(final String hostHeader, final String token, final boolean batch) {
        this.postHead = ("POST " + (batch ? BATCH_PATH : SINGLE_PATH) + " HTTP/1.1\r\nHost: " + hostHeader
            + "\r\nContent-Type: " + (batch ? "application/x-ndjson" : "application/json")
            + "\r\nAuthorization: Bearer " + token + "\r\nContent-Length: ").getBytes(StandardCharsets.US_ASCII);
        this.getTail = " HTTP/1.1\r\nHost: " + hostHeader + "\r\nAuthorization: Bearer " + token + "\r\n\r\n";
    }

    /** Bytes a POST of {@code bodyLength} bytes takes, so callers can size their buffers. */
    int postSize(final int bodyLength) {
        return postHead.length + 24 + bodyLength;
    }

    /** Clears {@code out}, writes the POST and flips it for writing to the channel. */
    void encodePost(final ByteBuffer out, final byte[] body, final int bodyLength) {
        out.clear();
        out.put(postHead);
        int divisor = 1;
        while (divisor <= bodyLength / 10) {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10) {
            out.put((byte) ('0' + bodyLength / divisor % 10));
        }
        out.put((byte) '\r').put((byte) '\n').put((byte) '\r').put((byte) '\n');
        out.put(body, 0, bodyLength);
        out.flip();
    }

    /** Clears {@code out}, writes {@code GET pathAndQuery} and flips it (allocates; the probe is not hot). */
    void encodeGet(final ByteBuffer out, final String pathAndQuery) {
        out.clear();
        out.put(("GET " + pathAndQuery + getTail).getBytes(StandardCharsets.US_ASCII));
        out.flip();
    }
}
