package io.conversioni.ingress;

import io.undertow.io.Receiver;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;

import java.util.Arrays;

/**
 * Collects a request body without blocking, in bulk, up to a limit: Undertow's {@code receiveFullBytes}
 * copies the body one byte at a time into a synchronized {@code ByteArrayOutputStream}, which measured
 * 13 % of the IO thread's CPU under single-event load. This rides {@code receivePartialBytes} (same
 * threading) and keeps the chunks it is handed: a body that arrives in one read, the common case, is
 * passed on as the very array Undertow filled, with no copy at all.
 *
 * <p>The limit holds for every body, also a chunked one that declares no length up front (the exchange's
 * max entity size did not stop those): past {@code maxBytes} reading stops and the error callback gets a
 * {@link RequestTooBigException}; nothing of the body reaches the engine.
 *
 * <p>Threading: the exchange's IO thread (Undertow calls back there). One instance per request.
 */
final class FullBody implements Receiver.PartialBytesCallback {
    /** Called once with the whole body. */
    interface Callback {
        void onBody(HttpServerExchange exchange, byte[] body);
    }

    private static final byte[] EMPTY = new byte[0];

    private final Callback callback;
    private final Receiver.ErrorCallback onError;
    private final long maxBytes;
    /** The declared Content-Length, or -1 (chunked): sizes the array when a body comes in several reads. */
    private final long declaredLength;
    private byte[] body = EMPTY;
    private int length;
    private boolean refused;

    private FullBody(final Callback callback, final Receiver.ErrorCallback onError, final long maxBytes,
                     final long declaredLength) {
        this.callback = callback;
        this.onError = onError;
        this.maxBytes = maxBytes;
        this.declaredLength = declaredLength;
    }

    /**
     * Reads the exchange's whole body, then calls {@code callback}; or {@code onError} once, when the body
     * cannot be read (connection closed, timed out) or grows past {@code maxBytes}.
     */
    static void receive(final HttpServerExchange exchange, final long maxBytes, final Callback callback,
                        final Receiver.ErrorCallback onError) {
        exchange.getRequestReceiver().receivePartialBytes(
            new FullBody(callback, onError, maxBytes, exchange.getRequestContentLength()), onError);
    }

    @Override
    public void handle(final HttpServerExchange exchange, final byte[] message, final boolean last) {
        if (refused) {
            return;
        }
        if (length + (long) message.length > maxBytes) {
            refused = true;
            exchange.getRequestReceiver().pause();
            onError.error(exchange, new RequestTooBigException());
            return;
        }
        if (message.length > 0) {
            append(message);
        }
        if (last) {
            callback.onBody(exchange, length == body.length ? body : Arrays.copyOf(body, length));
        }
    }

    private void append(final byte[] message) {
        if (length == 0 && (declaredLength < 0 || message.length == declaredLength)) {
            body = message; // the first read, kept as it is; a second one grows a copy below
            length = message.length;
            return;
        }
        final int needed = length + message.length;
        if (needed > body.length) {
            final long wanted = Math.max(needed, declaredLength > 0 ? declaredLength : 2L * body.length);
            body = Arrays.copyOf(body, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, wanted)));
        }
        System.arraycopy(message, 0, body, length, message.length);
        length = needed;
    }
}
