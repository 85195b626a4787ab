package io.conversioni.bench.load;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Incremental HTTP/1.1 response parser for one keep-alive connection with one request outstanding: status line,
 * {@code Content-Length} and {@code Connection: close}; a chunked or length-less answer is a protocol error (the
 * servers under test always send a length). Owned by the thread that reads the connection. Keeps the body only
 * when asked to (the insight probe searches it), in an array that doubles as needed; otherwise allocation-free.
 */
final class HttpResponseParser {
    /** A malformed or unsupported response; stackless, it is counted, not debugged. */
    static final class ProtocolException extends Exception {
        private static final long serialVersionUID = 1L;

        ProtocolException(final String message) {
            super(message, null, false, false);
        }
    }

    private static final int MAX_HEAD_BYTES = 16 * 1024;
    private final boolean keepBody;
    private final byte[] head = new byte[MAX_HEAD_BYTES];
    private int headLength;
    private boolean inBody;
    private long bodyRemaining;
    private byte[] body;
    private int bodyLength;
    private int status;
    private boolean closeAfter;

    HttpResponseParser(final boolean keepBody) {
        this.keepBody = keepBody;
        this.body = new byte[keepBody ? 64 * 1024 : 0];
    }

    void reset() {
        headLength = 0;
        inBody = false;
        bodyRemaining = 0;
        bodyLength = 0;
        status = 0;
        closeAfter = false;
    }

    int status() {
        return status;
    }

    boolean closeAfter() {
        return closeAfter;
    }

    /**
     * Consumes bytes from {@code in} (between position and limit); true once a whole response is in. Bytes after
     * the response are a protocol error: nothing was pipelined.
     */
    boolean feed(final ByteBuffer in) throws ProtocolException {
        while (in.hasRemaining()) {
            if (!inBody) {
                if (headLength == MAX_HEAD_BYTES) {
                    throw new ProtocolException("response head over " + MAX_HEAD_BYTES + " bytes");
                }
                head[headLength++] = in.get();
                if (headLength >= 4 && head[headLength - 1] == '\n' && head[headLength - 2] == '\r'
                    && head[headLength - 3] == '\n' && head[headLength - 4] == '\r') {
                    parseHead();
                    inBody = true;
                    if (bodyRemaining == 0) {
                        break;
                    }
                }
            } else {
                final int n = (int) Math.min(in.remaining(), bodyRemaining);
                if (keepBody) {
                    if (bodyLength + n > body.length) {
                        body = Arrays.copyOf(body, Math.max(body.length * 2, bodyLength + n));
                    }
                    in.get(body, bodyLength, n);
                    bodyLength += n;
                } else {
                    in.position(in.position() + n);
                }
                bodyRemaining -= n;
                if (bodyRemaining == 0) {
                    break;
                }
            }
        }
        final boolean complete = inBody && bodyRemaining == 0;
        if (complete && in.hasRemaining()) {
            throw new ProtocolException("bytes after the response (nothing was pipelined)");
        }
        return complete;
    }

    /** True when the kept body contains {@code needle}. */
    boolean bodyContains(final byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= bodyLength; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (body[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private void parseHead() throws ProtocolException {
        if (headLength < 12 || !startsWith(0, "http/1.")) {
            throw new ProtocolException("not an HTTP/1.x status line");
        }
        status = 0;
        for (int i = 9; i < 12; i++) {
            final int d = head[i] - '0';
            if (d < 0 || d > 9) {
                throw new ProtocolException("bad status code");
            }
            status = status * 10 + d;
        }
        long contentLength = -1;
        int line = indexOfCrlf(0) + 2;
        while (line < headLength - 2) {
            final int end = indexOfCrlf(line);
            if (startsWith(line, "content-length:")) {
                contentLength = parseLong(line + "content-length:".length(), end);
            } else if (startsWith(line, "transfer-encoding:")) {
                throw new ProtocolException("chunked responses are not supported");
            } else if (startsWith(line, "connection:") && contains(line, end, "close")) {
                closeAfter = true;
            }
            line = end + 2;
        }
        if (contentLength < 0) {
            throw new ProtocolException("response without Content-Length");
        }
        bodyRemaining = contentLength;
    }

    private int indexOfCrlf(final int from) {
        for (int i = from; i + 1 < headLength; i++) {
            if (head[i] == '\r' && head[i + 1] == '\n') {
                return i;
            }
        }
        return headLength;
    }

    /** Case-insensitive prefix match against a lower-case ASCII {@code prefix}. */
    private boolean startsWith(final int at, final String prefix) {
        if (at + prefix.length() > headLength) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.toLowerCase((char) head[at + i]) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean contains(final int from, final int to, final String word) {
        for (int i = from; i + word.length() <= to; i++) {
            if (startsWith(i, word)) {
                return true;
            }
        }
        return false;
    }

    private long parseLong(final int from, final int to) throws ProtocolException {
        long value = 0;
        boolean any = false;
        for (int i = from; i < to; i++) {
            final byte b = head[i];
            if (b == ' ' || b == '\t') {
                continue;
            }
            if (b < '0' || b > '9' || value > Long.MAX_VALUE / 10) {
                throw new ProtocolException("bad Content-Length");
            }
            value = value * 10 + (b - '0');
            any = true;
        }
        if (!any) {
            throw new ProtocolException("empty Content-Length");
        }
        return value;
    }
}
