package io.conversioni.ingress;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.PathTemplateMatcher;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server's routes: Undertow's {@link RoutingHandler}, plus the methods each path template allows. A GET route
 * answers HEAD as well, with the same handler (Undertow sends a HEAD answer's headers and drops its body, as
 * RFC 9110 asks of every general-purpose server); a known path asked with a method it lacks is answered 405 with
 * {@code Allow} naming the methods it has.
 *
 * <p>Threading: routes are added at start, on one thread; {@link #handler} then freezes the table, which is
 * read-only and safe for every IO and worker thread afterwards. Allocates while routes are added, and on a 405.
 */
public final class RouteTable {
    private static final HttpString ALLOW = new HttpString("Allow");

    private final RoutingHandler routing = new RoutingHandler();
    /** Per path template, its methods in the order added ({@code GET, HEAD, POST}). */
    private final Map<String, String> allowByTemplate = new LinkedHashMap<>();
    private PathTemplateMatcher<String> allows;

    RouteTable() {
    }

    /** {@code GET template}, and {@code HEAD template} with the same handler. */
    public RouteTable get(final String template, final HttpHandler handler) {
        routing.get(template, handler);
        routing.add(Methods.HEAD, template, handler);
        allow(template, "GET, HEAD");
        return this;
    }

    /** {@code GET template} alone, for a stream that a HEAD would hold open as long as a GET. */
    public RouteTable getWithoutHead(final String template, final HttpHandler handler) {
        routing.get(template, handler);
        allow(template, "GET");
        return this;
    }

    /** {@code POST template}. */
    public RouteTable post(final String template, final HttpHandler handler) {
        routing.post(template, handler);
        allow(template, "POST");
        return this;
    }

    private void allow(final String template, final String methods) {
        if (allows != null) {
            throw new IllegalStateException("routes are added before the server starts");
        }
        allowByTemplate.merge(template, methods, (a, b) -> a + ", " + b);
    }

    /**
     * The root of the routes, frozen: an unknown path goes to {@code notFound}; a known one with another method
     * is answered by {@code notAllowed} after {@code Allow} is set.
     */
    HttpHandler handler(final HttpHandler notFound, final HttpHandler notAllowed) {
        final PathTemplateMatcher<String> matcher = new PathTemplateMatcher<>();
        allowByTemplate.forEach(matcher::add);
        allows = matcher;
        routing.setFallbackHandler(notFound);
        routing.setInvalidMethodHandler(ex -> {
            final String methods = allowed(ex);
            if (methods != null) {
                ex.getResponseHeaders().put(ALLOW, methods);
            }
            notAllowed.handleRequest(ex);
        });
        return routing;
    }

    private String allowed(final HttpServerExchange exchange) {
        final PathTemplateMatcher.PathMatchResult<String> match = allows.match(exchange.getRelativePath());
        return match == null ? null : match.getValue();
    }
}
