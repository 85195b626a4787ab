package io.conversioni.ingress;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps the last sixteenth of {@code server.max_connections} (at least one) for health checks. XNIO stops
 * accepting at {@code max_connections}; before that, once the connections that have sent a request pass the rest
 * of the budget, every request but {@code /health/*} is answered 503 {@code too_many_connections} and its
 * connection closed, so that a flood of connections (slow bodies, idle keep-alives) leaves room for the probes
 * that decide whether this instance is alive, and sheds itself instead of queueing.
 *
 * <p>Threading: IO threads; the count is an atomic, decremented by Undertow's close listener. Allocates once per
 * connection (its attachment map and the count's registration), nothing per request after the first.
 */
final class ConnectionBudget {
    private static final AttachmentKey<ConnectionBudget> COUNTED = AttachmentKey.create(ConnectionBudget.class);

    private final AtomicInteger open = new AtomicInteger();
    private final int servingLimit;
    private final ServerConnection.CloseListener onClose = connection -> open.decrementAndGet();

    ConnectionBudget(final int maxConnections) {
        this.servingLimit = maxConnections - reserve(maxConnections);
    }

    /** The connections kept for health checks out of {@code maxConnections}. */
    static int reserve(final int maxConnections) {
        return Math.max(1, maxConnections / 16);
    }

    /** Counts the exchange's connection on its first request; true when only health checks are served now. */
    boolean exhausted(final HttpServerExchange exchange) {
        final ServerConnection connection = exchange.getConnection();
        if (connection.getAttachment(COUNTED) == null) {
            connection.putAttachment(COUNTED, this);
            open.incrementAndGet();
            connection.addCloseListener(onClose);
        }
        return open.get() > servingLimit;
    }

    /** Connections that have sent a request and are still open. */
    int open() {
        return open.get();
    }
}
