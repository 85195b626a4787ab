package io.conversioni.alert;

import java.util.Map;

/**
 * Read side of the alert journal, for reports: how many alerts each rule fired in a time range. Any
 * thread; allocates the returned map.
 */
@FunctionalInterface
public interface AlertLog {
    /** No alerts: for runs without an alert service. */
    AlertLog NONE = (fromEpochMillis, toEpochMillis) -> Map.of();

    /** Alerts that fired in {@code [fromEpochMillis, toEpochMillis)}, by rule name (regola → count). */
    Map<String, Long> firedByRule(long fromEpochMillis, long toEpochMillis);
}
