package io.conversioni.ingress;

import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

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
 * after the call is answered 408 {@code body_timeout} instead, and the connection closed: a sender without a
 * valid token never holds one longer.
 *
 * <p>Threading: the exchange's IO thread, before any answer is started. Allocates a timer, the callbacks and
 * Undertow's read buffers, only on these paths, never for a request whose body is used.
 */
final class UnreadBody {
    private UnreadBody() {
    }

    /**
     * Reads and drops what is left of the body, then runs {@code answer} (as Undertow runs a root handler) on the
     * exchange, which is no longer persistent. A request with no body left is answered at once.
     */
    static void discardThenAnswer(final HttpServerExchange exchange, final long timeoutMillis, final HttpHandler answer)
        throws Exception {
        exchange.setPersistent(false); // nothing after this request is read: Connection: close on the answer
        if (exchange.isRequestComplete()) {
            answer.handleRequest(exchange);
            return;
        }
        if (exchange.isRequestChannelAvailable()) {
            exchange.setMaxEntitySize(0); // dropped as it comes, so past the entity limit too, instead of a reset
        }
        final XnioExecutor.Key deadline = exchange.getIoThread().executeAfter(
            () -> expire(exchange, timeoutMillis), timeoutMillis, TimeUnit.MILLISECONDS);
        exchange.getRequestReceiver().receivePartialBytes((ex, dropped, last) -> {
            if (last) {
                deadline.remove();
                Connectors.executeRootHandler(answer, ex);
            }
        }, (ex, error) -> {
            deadline.remove();
            IoUtils.safeClose(ex.getConnection()); // the sender went away: nobody to answer
        });
    }

    /** The body is late: 408 instead of the answer, then the close (the exchange is not persistent). IO thread. */
    private static void expire(final HttpServerExchange exchange, final long timeoutMillis) {
        if (exchange.isResponseStarted()) {
            IoUtils.safeClose(exchange.getConnection());
            return;
        }
        exchange.getResponseHeaders().clear();
        Responses.error(exchange, 408, "body_timeout", "the request body did not arrive within " + timeoutMillis
            + " ms (server.body_timeout); send it at once");
    }
}
