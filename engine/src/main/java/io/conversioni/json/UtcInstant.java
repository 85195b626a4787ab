package io.conversioni.json;

import java.time.Instant;

/**
 * Formats epoch millis exactly as {@link Instant#toString()} does (RFC 3339, UTC, {@code Z}, the
 * milliseconds only when not zero) into a caller's byte array, without allocating: the answer to
 * every event names its window, and {@code Instant.toString()} costs about as much as the rest of the
 * pipeline per event. Civil-from-days on the proleptic Gregorian calendar. Stateless; any thread.
 */
public final class UtcInstant {
    /** Bytes {@link #format} may write: 24 in years 0-9999 ({@code yyyy-MM-ddTHH:mm:ss.SSSZ}), 30 at most. */
    public static final int MAX_LENGTH = 32;
    /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: Instant writes a sign or more digits outside. */
    private static final long MIN_MILLIS = -62_167_219_200_000L;
    private static final long MAX_MILLIS = 253_402_300_799_999L;
    private static final long MILLIS_PER_DAY = 86_400_000L;

    private UtcInstant() {
    }

    /** Appends the same text as {@code sb.append(Instant.ofEpochMilli(epochMillis))}; allocates only a small scratch array. */
    public static StringBuilder append(final StringBuilder sb, final long epochMillis) {
        final byte[] scratch = new byte[MAX_LENGTH];
        final int end = format(scratch, 0, epochMillis);
        for (int i = 0; i < end; i++) {
            sb.append((char) scratch[i]);
        }
        return sb;
    }

    /**
     * Writes {@code epochMillis} at {@code dst[at]} ({@link #MAX_LENGTH} bytes must fit).
     *
     * @return the position after the last byte written
     */
    public static int format(final byte[] dst, final int at, final long epochMillis) {
        if (epochMillis < MIN_MILLIS || epochMillis > MAX_MILLIS) {
            return copy(dst, at, Instant.ofEpochMilli(epochMillis).toString()); // a rare, allocating path
        }
        final long days = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
        final long millisOfDay = Math.floorMod(epochMillis, MILLIS_PER_DAY);
        final long z = days + 719_468;
        final long era = Math.floorDiv(z, 146_097);
        final long dayOfEra = z - era * 146_097;
        final long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        final long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        final long mp = (5 * dayOfYear + 2) / 153;
        final long day = dayOfYear - (153 * mp + 2) / 5 + 1;
        final long month = mp < 10 ? mp + 3 : mp - 9;
        final long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        int p = digits(dst, at, year, 4);
        dst[p++] = '-';
        p = digits(dst, p, month, 2);
        dst[p++] = '-';
        p = digits(dst, p, day, 2);
        dst[p++] = 'T';
        p = digits(dst, p, millisOfDay / 3_600_000, 2);
        dst[p++] = ':';
        p = digits(dst, p, millisOfDay / 60_000 % 60, 2);
        dst[p++] = ':';
        p = digits(dst, p, millisOfDay / 1000 % 60, 2);
        final long millis = millisOfDay % 1000;
        if (millis != 0) {
            dst[p++] = '.';
            p = digits(dst, p, millis, 3);
        }
        dst[p++] = 'Z';
        return p;
    }

    private static int digits(final byte[] dst, final int at, final long value, final int width) {
        long v = value;
        for (int i = at + width - 1; i >= at; i--) {
            dst[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return at + width;
    }

    private static int copy(final byte[] dst, final int at, final String text) {
        final int n = Math.min(text.length(), MAX_LENGTH);
        for (int i = 0; i < n; i++) {
            dst[at + i] = (byte) text.charAt(i);
        }
        return at + n;
    }
}
