package io.conversioni.ingress;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;

/**
 * The root handler, before any route: refuses a request whose framing is ambiguous and bounds what a route
 * that takes no body leaves unread.
 *
 * <ul>
 *   <li>Every {@code Content-Length} must be a plain decimal of at most 18 digits, all copies equal, and not
 *   sent with {@code Transfer-Encoding}. Undertow's own parse wraps around past 2^63 ({@code 2^64 + 10} reads
 *   as 10, so the rest of the body would be parsed as a new request: smuggling past a proxy that reads the
 *   header otherwise). Anything else is answered 400 {@code content_length_invalid} and the connection closed,
 *   nothing after the header read. A {@code Transfer-Encoding} other than a lone {@code chunked} is refused
 *   the same way ({@code transfer_encoding_invalid}): Undertow would read {@code gzip} as chunked.</li>
 *   <li>The body of a request to a route that reads none (anything but the two ingest POSTs) is read and
 *   dropped first, within {@code server.body_timeout}; then the request is routed, answered and its connection
 *   closed ({@link UnreadBody}); a GET's body too, so that none of it is taken for a request.</li>
 *   <li>Past the {@link ConnectionBudget}, only health checks are served; anything else is answered 503
 *   {@code too_many_connections} and closed.</li>
 * </ul>
 *
 * <p>Threading: IO threads; stateless but for the shared budget. Allocates nothing for a well-framed request
 * on a connection that has sent one before.
 */
final class FramingGuard implements HttpHandler {
    /** Enough for any body this server takes (server.max_batch_size is at most 1 GiB), and far from overflow. */
    private static final int MAX_DIGITS = 18;

    private final HttpHandler next;
    private final long bodyTimeoutMillis;
    private final ConnectionBudget budget;
    private final long retryAfterSeconds;

    FramingGuard(final HttpHandler next, final long bodyTimeoutMillis, final ConnectionBudget budget,
                 final long retryAfterSeconds) {
        this.next = next;
        this.bodyTimeoutMillis = bodyTimeoutMillis;
        this.budget = budget;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public void handleRequest(final HttpServerExchange exchange) throws Exception {
        final HeaderValues lengths = exchange.getRequestHeaders().get(Headers.CONTENT_LENGTH);
        final HeaderValues codings = exchange.getRequestHeaders().get(Headers.TRANSFER_ENCODING);
        if (lengths != null && !wellFramed(lengths, codings != null)) {
            refuse(exchange, "content_length_invalid", "Content-Length must be one plain decimal number of bytes (at "
                + "most " + MAX_DIGITS + " digits), sent once and without Transfer-Encoding");
            return;
        }
        if (codings != null && !chunkedAlone(codings)) {
            refuse(exchange, "transfer_encoding_invalid", "Transfer-Encoding must be 'chunked' alone; send the body "
                + "uncompressed, chunked or with a Content-Length");
            return;
        }
        if (budget.exhausted(exchange) && !exchange.getRelativePath().startsWith("/health/")) {
            exchange.setPersistent(false); // shed: this connection is given back once answered
            exchange.getResponseHeaders().put(Responses.RETRY_AFTER, retryAfterSeconds);
            Responses.error(exchange, 503, "too_many_connections", "the server holds as many connections as "
                + "server.max_connections allows; retry after the delay in Retry-After");
            return;
        }
        if (!exchange.isRequestComplete() && !IngressServer.isIngest(exchange)) {
            UnreadBody.discardThenAnswer(exchange, bodyTimeoutMillis, next);
            return;
        }
        next.handleRequest(exchange);
    }

    /** 400 and close: nothing after this header is trusted, so no second request is read on the connection. */
    private static void refuse(final HttpServerExchange exchange, final String code, final String message) {
        exchange.setPersistent(false);
        Responses.error(exchange, 400, code, message);
    }

    /** Undertow reads any coding but identity as chunked: only a lone {@code chunked} means what it says. */
    static boolean chunkedAlone(final HeaderValues codings) {
        return codings.size() == 1 && "chunked".equalsIgnoreCase(codings.getFirst().trim());
    }

    /** True when every value is the same plain decimal within range and no Transfer-Encoding competes with it. */
    static boolean wellFramed(final HeaderValues lengths, final boolean transferEncoding) {
        if (transferEncoding) {
            return false;
        }
        final String first = lengths.getFirst();
        for (int i = 0; i < lengths.size(); i++) {
            final String value = lengths.get(i);
            if (!plainDecimal(value) || !value.equals(first)) {
                return false;
            }
        }
        return true;
    }

    private static boolean plainDecimal(final String value) {
        final int n = value.length();
        if (n == 0 || n > MAX_DIGITS) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            final char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
