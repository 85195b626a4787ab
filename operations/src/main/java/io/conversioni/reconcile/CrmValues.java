package io.conversioni.reconcile;

import io.conversioni.json.Rfc3339;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Parses the CRM's field values the same way whatever carries them (CSV cell or JSON value): RFC 3339
 * timestamps to epoch millis, amounts to exact cents. Stateless; any thread; messages say what was expected.
 */
final class CrmValues {
    private static final BigDecimal MAX_VALUE = new BigDecimal("1000000000");

    private CrmValues() {
    }

    /** Epoch millis of an RFC 3339 instant; IllegalArgumentException saying what was expected otherwise. */
    static long timestampMillis(final String text) {
        final long millis = text == null ? Rfc3339.INVALID : Rfc3339.parseEpochMillis(text.trim());
        if (millis == Rfc3339.INVALID) {
            throw new IllegalArgumentException("timestamp '" + text
                + "' is not an RFC 3339 instant such as 2024-05-20T14:32:45.123Z");
        }
        return millis;
    }

    /** Exact cents of a non-negative amount with at most two decimals ({@code 19.99}, {@code 0}, {@code 1e2}). */
    static long cents(final String text) {
        final BigDecimal value;
        try {
            value = new BigDecimal(text.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("valore '" + text + "' is not a number such as 19.99");
        }
        return cents(value, text);
    }

    static long cents(final BigDecimal value, final String text) {
        if (value.signum() < 0 || value.compareTo(MAX_VALUE) > 0) {
            throw new IllegalArgumentException("valore '" + text + "' must be between 0 and 1000000000");
        }
        try {
            return value.setScale(2, RoundingMode.UNNECESSARY).movePointRight(2).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("valore '" + text + "' has more than two decimals (money is exact cents)");
        }
    }

    static String required(final String field, final String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is empty");
        }
        return value.trim();
    }
}
