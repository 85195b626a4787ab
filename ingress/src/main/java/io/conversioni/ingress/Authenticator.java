package io.conversioni.ingress;

import io.conversioni.ingress.auth.Scopes;

/**
 * Decides whether a request's {@code Authorization} header grants access, and to what ({@link Scopes} bits).
 * Called on IO threads for every ingest and query request: must not block (a JWKS fetch on a cache miss is
 * bounded by {@code auth.jwks_timeout}). Thread-safe.
 */
public interface Authenticator {
    /** The verdict; {@link Verdict#subject} names the caller (for rate limits and logs) when allowed. */
    Verdict check(String authorizationHeader);

    /**
     * An authentication decision: allowed with a subject and scopes, or refused with an HTTP status (401, or 503
     * when the server cannot fetch its keys), a stable code and a message.
     */
    record Verdict(boolean allowed, String subject, int scopes, int status, String code, String message) {
        public static Verdict allow(final String subject, final int scopes) {
            return new Verdict(true, subject, scopes, 200, null, null);
        }

        public static Verdict deny(final int status, final String code, final String message) {
            return new Verdict(false, null, 0, status, code, message);
        }

        /** Whether every bit of {@code scope} was granted. */
        public boolean grants(final int scope) {
            return (scopes & scope) == scope;
        }
    }
}
