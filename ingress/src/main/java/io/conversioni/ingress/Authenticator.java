package io.conversioni.ingress;

/**
 * Decides whether a request's {@code Authorization} header grants access. Called on IO threads for every
 * ingest and query request: must not block. Thread-safe.
 */
public interface Authenticator {
    /** The verdict; {@link Verdict#subject} names the caller (for rate limits and logs) when allowed. */
    Verdict check(String authorizationHeader);

    /** An authentication decision: allowed with a subject, or refused with a stable code and a message. */
    record Verdict(boolean allowed, String subject, String code, String message) {
        public static Verdict allow(final String subject) {
            return new Verdict(true, subject, null, null);
        }

        public static Verdict deny(final String code, final String message) {
            return new Verdict(false, null, code, message);
        }
    }
}
