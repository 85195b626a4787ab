package io.conversioni.ingress;

import io.conversioni.ingress.auth.Scopes;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;

import java.util.Deque;

/**
 * The token check in front of a route: a bearer token that verifies and grants the route's {@link Scopes}, else
 * 401 (no or bad token; 503 when the keys cannot be fetched) or 403 {@code scope_mancante}. The token may come
 * from the {@code access_token} query parameter only on the routes built with {@link #allowingTokenInUrl} (GET
 * routes a browser's EventSource opens, which cannot send headers: RFC 6750 §2.3); anywhere else, and always on a
 * POST, such a request is refused with 401 {@code token_in_url}, since the token would sit in logs and history.
 *
 * <p>Threading: stateless apart from the authenticator (thread-safe); runs on the IO thread before the route's
 * handler. Allocation: the error answers; none on success beyond the authenticator's.
 */
final class RouteGuard {
    /** The query parameter that carries a token for EventSource. */
    static final String ACCESS_TOKEN = "access_token";
    /** 403: the token is valid but lacks the route's scope. */
    static final String SCOPE_MISSING = "scope_mancante";
    /** 401: a token in the URL where only the header is accepted. */
    static final String TOKEN_IN_URL = "token_in_url";

    /** How a refusal is answered: at once, or (the ingest handlers) after the unread body is dropped. */
    @FunctionalInterface
    interface Refusal {
        void answer(HttpServerExchange ex, HttpHandler answer) throws Exception;
    }

    private static final Refusal AT_ONCE = (ex, answer) -> answer.handleRequest(ex);

    private final Authenticator auth;

    RouteGuard(final Authenticator auth) {
        this.auth = auth;
    }

    /** {@code next} behind a token that grants {@code scope}; the token only from the header. */
    HttpHandler requiring(final int scope, final HttpHandler next) {
        return ex -> {
            final Authenticator.Verdict verdict = check(ex, scope, false);
            if (verdict != null) {
                next.handleRequest(ex);
            }
        };
    }

    /** As {@link #requiring}, also taking the token from {@code ?access_token=} on a GET without the header. */
    HttpHandler allowingTokenInUrl(final int scope, final HttpHandler next) {
        return ex -> {
            final Authenticator.Verdict verdict = check(ex, scope, true);
            if (verdict != null) {
                next.handleRequest(ex);
            }
        };
    }

    /**
     * The verdict when the request may go on; otherwise answers it (401, 403 or 503) and returns {@code null}.
     * Also used by the ingest handlers, which run the rest themselves.
     */
    Authenticator.Verdict check(final HttpServerExchange ex, final int scope, final boolean tokenInUrl) throws Exception {
        return check(ex, scope, tokenInUrl, AT_ONCE);
    }

    /** {@link #check(HttpServerExchange, int, boolean)}, answering a refusal through {@code refusal}. */
    Authenticator.Verdict check(final HttpServerExchange ex, final int scope, final boolean tokenInUrl,
                                final Refusal refusal) throws Exception {
        String header = ex.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        // no query string, no parameters: Undertow's getQueryParameters() would allocate an empty map to say so
        final Deque<String> urlToken = ex.getQueryString().isEmpty() ? null : ex.getQueryParameters().get(ACCESS_TOKEN);
        if (urlToken != null) {
            if (!tokenInUrl || !Methods.GET.equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
                refusal.answer(ex, e -> Responses.error(e, 401, TOKEN_IN_URL, "a token in the URL (access_token) is "
                    + "accepted only on GET /api/v1/metriche/stream, for EventSource; send it as the header "
                    + "'Authorization: Bearer <token>' and remove it from the URL"));
                return null;
            }
            if (header == null && !urlToken.isEmpty()) {
                header = "Bearer " + urlToken.peekFirst();
            }
        }
        final Authenticator.Verdict verdict = auth.check(header);
        if (!verdict.allowed()) {
            if (verdict.status() == 401) {
                ex.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
            } else {
                ex.getResponseHeaders().put(Responses.RETRY_AFTER, 5);
            }
            refusal.answer(ex, e -> Responses.error(e, verdict.status(), verdict.code(), verdict.message()));
            return null;
        }
        if (!verdict.grants(scope)) {
            ex.getResponseHeaders().put(Headers.WWW_AUTHENTICATE,
                "Bearer error=\"insufficient_scope\", scope=\"" + Scopes.names(scope) + "\"");
            final String message = "this token lacks the scope '" + Scopes.names(scope) + "' that "
                + ex.getRequestMethod() + " " + ex.getRequestPath() + " needs (it has '"
                + Scopes.names(verdict.scopes()) + "'); ask for a token that lists it in its 'scope' claim "
                + "(conversioni token --scope \"" + Scopes.names(scope) + "\")";
            refusal.answer(ex, e -> Responses.error(e, 403, SCOPE_MISSING, message));
            return null;
        }
        return verdict;
    }
}
