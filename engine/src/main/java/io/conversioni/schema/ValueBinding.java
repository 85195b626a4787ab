package io.conversioni.schema;

import io.conversioni.json.JsonCursor;

/**
 * Receives the values of bound schema locations during validation, so that decoding and validating are
 * one pass. Called on the validating thread, after the value's own checks, whether or not they passed
 * (the caller decides from the violations). Implementations must not allocate.
 */
public interface ValueBinding {
    /**
     * A string value. The decoded chars are in {@code cursor}; the raw bytes, quotes included, are
     * {@code cursor.buffer()[cursor.tokenStart(), cursor.position())}.
     *
     * @param enumIndex the value's index in the location's {@code enum}, or -1
     * @param epochMillis the value as an RFC 3339 date-time in UTC millis when the location has
     *                    {@code format: date-time}, else {@link io.conversioni.json.Rfc3339#INVALID}
     */
    void onString(int slot, JsonCursor cursor, int enumIndex, long epochMillis);

    /** A number in range: {@code cursor.unscaled() × 10^cursor.exponent()}. */
    void onNumber(int slot, JsonCursor cursor);
}
