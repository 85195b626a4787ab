package io.conversioni.ingress;

import io.undertow.io.Receiver;
import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * What happens to a request body the server answers without using: a refusal (401, 413 by declared length, 415,
 * 503 before the body) or a route that takes no body ({@code POST /health/live}). Left to Undertow, such a body is
 * drained after the answer for as long as the sender keeps trickling it, and a body over the entity limit is cut
 * off with a reset, so a client that writes its whole body before reading (Python's {@code http.client}, many
 * webhook senders) never reads its 413.
 *
 * <p>Here the body is read and dropped first, whatever its size, then the answer goes out with
 * {@code Connection: close} and Undertow closes the connection cleanly behind it: a sender that writes its whole
 * body before reading reads its answer, without a reset. A body still incomplete {@code server.body_timeout}
 * after the call gets the answer then, and the connection is closed behind it: a sender without a valid token
 * never holds one longer.
 *
 * <p>Threading: the exchange's IO thread, before any answer is started. Allocates a timer, a {@link Discard} and
 * Undertow's read buffers, only on these paths, never for a request whose body is used.
 */
final class UnreadBody {
    private UnreadBody() {
    }

    /**
     * Reads and drops what is left of the body, then runs {@code answer} (as Undertow runs a root handler) on the
     * exchange, which is no longer persistent. A request with no body left is answered at once; one whose body is
     * still incomplete after {@code timeoutMillis} is answered then, and closed behind its answer.
     */
    static void discardThenAnswer(final HttpServerExchange exchange, final long timeoutMillis, final HttpHandler answer)
        throws Exception {
        exchange.setPersistent(false); // nothing after this request is read: Connection: close on the answer
        if (exchange.isRequestComplete()) {
            answer.handleRequest(exchange);
            return;
        }
        final Discard discard = new Discard(answer);
        discard.deadline = exchange.getIoThread().executeAfter(() -> discard.answer(exchange), timeoutMillis,
            TimeUnit.MILLISECONDS);
        exchange.getRequestReceiver().receivePartialBytes(discard, discard);
    }

    /** One request's drop: answers once, at the body's end or at the deadline, whichever comes first. IO thread. */
    private static final class Discard implements Receiver.PartialBytesCallback, Receiver.ErrorCallback {
        private final HttpHandler answer;
        private XnioExecutor.Key deadline;
        private boolean answered;

        Discard(final HttpHandler answer) {
            this.answer = answer;
        }

        @Override
        public void handle(final HttpServerExchange exchange, final byte[] dropped, final boolean last) {
            if (last) {
                answer(exchange);
            }
        }

        /** At the deadline the body is still coming: the answer goes out now, and the close follows it. */
        void answer(final HttpServerExchange exchange) {
            if (answered) {
                return;
            }
            answered = true;
            if (deadline != null) {
                deadline.remove();
            }
            Connectors.executeRootHandler(answer, exchange);
        }

        @Override
        public void error(final HttpServerExchange exchange, final IOException e) {
            answered = true; // the sender went away: nobody to answer
            if (deadline != null) {
                deadline.remove();
            }
            IoUtils.safeClose(exchange.getConnection());
        }
    }
}
