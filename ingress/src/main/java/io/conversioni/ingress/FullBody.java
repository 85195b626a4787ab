package io.conversioni.ingress;

import io.undertow.io.Receiver;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import org.xnio.XnioExecutor;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

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
 * <p>A whole body must arrive within a deadline ({@code server.body_timeout}): a sender that trickles it
 * (one byte every few seconds keeps a plain read timeout happy) is answered 408 and its connection closed.
 * The timer is set only when the body did not arrive with the request's first read, so the common single
 * event pays nothing for it.
 *
 * <p>Threading: the exchange's IO thread (Undertow calls back there, and runs the deadline there too). One
 * instance per request.
 */
final class FullBody implements Receiver.PartialBytesCallback, Receiver.ErrorCallback {
    /** Called once with the whole body. */
    interface Callback {
        void onBody(HttpServerExchange exchange, byte[] body);
    }

    private static final byte[] EMPTY = new byte[0];

    private final Callback callback;
    private final Receiver.ErrorCallback onError;
    private final long maxBytes;
    private final long deadlineMillis;
    /** The declared Content-Length, or -1 (chunked): sizes the array when a body comes in several reads. */
    private final long declaredLength;
    private byte[] body = EMPTY;
    private int length;
    private boolean refused;
    /** Past {@code maxBytes}: the rest is read and dropped, then refused, so the sender can read its 413. */
    private boolean discarding;
    private boolean done;
    /** The deadline's timer, once set (the body needed more than one read). */
    private XnioExecutor.Key deadline;

    private FullBody(final Callback callback, final Receiver.ErrorCallback onError, final long maxBytes,
                     final long declaredLength, final long deadlineMillis) {
        this.callback = callback;
        this.onError = onError;
        this.maxBytes = maxBytes;
        this.declaredLength = declaredLength;
        this.deadlineMillis = deadlineMillis;
    }

    /**
     * Reads the exchange's whole body, then calls {@code callback}; or {@code onError} once, when the body
     * cannot be read (connection closed) or grows past {@code maxBytes} (with a {@link RequestTooBigException},
     * once the rest of it has been read and dropped). A body still incomplete {@code deadlineMillis} after this
     * call is answered 408 ({@code body_timeout}), or given its refusal if it was already too big, and its
     * connection closed. Undertow's own entity limit must be off (the server sets none): it cuts a body off
     * with a reset, before the sender reads anything.
     */
    static void receive(final HttpServerExchange exchange, final long maxBytes, final long deadlineMillis,
                        final Callback callback, final Receiver.ErrorCallback onError) {
        final FullBody body = new FullBody(callback, onError, maxBytes, exchange.getRequestContentLength(), deadlineMillis);
        exchange.getRequestReceiver().receivePartialBytes(body, body);
        if (!body.done) {
            body.deadline = exchange.getIoThread().executeAfter(() -> body.expire(exchange), deadlineMillis,
                TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void error(final HttpServerExchange exchange, final java.io.IOException e) {
        if (refused) {
            return; // the deadline answered already, or the limit refused the body
        }
        finish();
        onError.error(exchange, e);
    }

    private void finish() {
        done = true;
        if (deadline != null) {
            deadline.remove();
        }
    }

    private void expire(final HttpServerExchange exchange) {
        if (done) {
            return;
        }
        done = true;
        refused = true;
        if (exchange.isResponseStarted()) {
            org.xnio.IoUtils.safeClose(exchange.getConnection());
            return;
        }
        exchange.setPersistent(false); // what is still on its way is not read: the connection closes after the answer
        if (discarding) {
            onError.error(exchange, new RequestTooBigException());
            return;
        }
        Responses.error(exchange, 408, "body_timeout", "the request body did not arrive within " + deadlineMillis
            + " ms (server.body_timeout); send it at once, or raise the limit for slow links");
    }

    @Override
    public void handle(final HttpServerExchange exchange, final byte[] message, final boolean last) {
        if (refused) {
            return;
        }
        if (!discarding && length + (long) message.length > maxBytes) {
            discarding = true;
            body = EMPTY;
            length = 0;
        }
        if (discarding) {
            if (last) {
                refused = true;
                finish();
                onError.error(exchange, new RequestTooBigException()); // all read: the connection may stay open
            }
            return;
        }
        if (message.length > 0) {
            append(message);
        }
        if (last) {
            finish();
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
