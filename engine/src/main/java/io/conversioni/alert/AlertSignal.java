package io.conversioni.alert;

/**
 * How a part outside the event stream (outbound delivery, reconciliation) reports a condition to the
 * alert service: {@code raise} while it holds, {@code clear} once it is over. The service turns these
 * into one alert per episode. Any thread may call; implementations must not block the caller on
 * network I/O.
 */
public interface AlertSignal {
    /** Does nothing: for an engine run without alerts (offline commands, tests). */
    AlertSignal NONE = new AlertSignal() {
        @Override
        public void raise(final String regola, final String chiave, final String messaggio, final long atEpochMillis) {
            // no alert service
        }

        @Override
        public void clear(final String regola, final String chiave, final long atEpochMillis) {
            // no alert service
        }
    };

    /**
     * The condition named by rule {@code regola} (for example {@code riconciliazione}) holds for
     * {@code chiave} (for example a window and an evento/canale pair); {@code messaggio} says what a
     * person should look at. Repeated raises within one episode are one alert.
     */
    void raise(String regola, String chiave, String messaggio, long atEpochMillis);

    /** The condition for {@code chiave} is over; an open alert for it resolves at {@code atEpochMillis}. */
    void clear(String regola, String chiave, long atEpochMillis);
}
