package io.conversioni.delivery;

/**
 * A delivery attempt failed. {@code retryable}: the sink may take it later (timeout, 5xx, 429); otherwise
 * it goes to the dead letters at once (a 4xx such as 400 or 404: retrying cannot help).
 * {@code retryAfterMillis}: what the sink asked for (Retry-After), or -1.
 */
final class DeliveryFailure extends Exception {
    private static final long serialVersionUID = 1L;

    final boolean retryable;
    final long retryAfterMillis;

    DeliveryFailure(final String message, final boolean retryable, final long retryAfterMillis) {
        super(message, null, false, false);
        this.retryable = retryable;
        this.retryAfterMillis = retryAfterMillis;
    }
}
