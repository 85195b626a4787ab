package io.conversioni.json;

/**
 * Parses an RFC 3339 {@code date-time} ({@code 2024-05-20T14:32:45.123+02:00}) from UTF-8 bytes to UTC epoch
 * milliseconds, exactly per the RFC's ABNF: days checked against the month and leap years, {@code T} and
 * {@code Z} in either case, any number of fraction digits (truncated to milliseconds), numeric offsets,
 * and a leap second ({@code :60}) only where it falls at 23:59:60 UTC. Stateless; allocates nothing.
 */
public final class Rfc3339 {
    /** Returned for text that is not an RFC 3339 date-time. */
    public static final long INVALID = Long.MIN_VALUE;

    private Rfc3339() {
    }

    /** Epoch millis UTC of {@code text}, or {@link #INVALID} (for tests and tools; allocates). */
    public static long parseEpochMillis(final String text) {
        final byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return parseEpochMillis(bytes, 0, bytes.length);
    }

    /**
     * Epoch millis UTC of an ISO instant given by a user (a query parameter, a command-line option): RFC 3339
     * through {@link #parseEpochMillis(String)}, else whatever {@code Instant.parse} accepts (years past 9999,
     * for one). Allocates.
     *
     * @throws java.time.format.DateTimeParseException when neither takes it, or when the instant lies beyond
     *         what epoch milliseconds hold (about ±292 million years; {@code Instant} goes further)
     */
    public static long parseInstantMillis(final String text) {
        final long millis = parseEpochMillis(text);
        if (millis != INVALID) {
            return millis;
        }
        final java.time.Instant parsed = java.time.Instant.parse(text);
        try {
            return parsed.toEpochMilli();
        } catch (ArithmeticException e) {
            throw new java.time.format.DateTimeParseException("instant beyond the range of epoch milliseconds", text, 0, e);
        }
    }

    /** Epoch millis UTC of the UTF-8 text {@code b[off, off + length)}, or {@link #INVALID}. */
    public static long parseEpochMillis(final byte[] b, final int off, final int length) {
        // full-date "T" partial-time time-offset: at least 20 chars (YYYY-MM-DDTHH:MM:SSZ)
        if (length < 20) {
            return INVALID;
        }
        final int year = digits(b, off + 0, 4);
        final int month = digits(b, off + 5, 2);
        final int day = digits(b, off + 8, 2);
        final int hour = digits(b, off + 11, 2);
        final int minute = digits(b, off + 14, 2);
        final int second = digits(b, off + 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0
            || b[off + 4] != '-' || b[off + 7] != '-' || (b[off + 10] != 'T' && b[off + 10] != 't') || b[off + 13] != ':' || b[off + 16] != ':') {
            return INVALID;
        }
        if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 60) {
            return INVALID;
        }
        int p = 19;
        int millis = 0;
        if (b[off + p] == '.') {
            p++;
            final int fractionStart = p;
            while (p < length && b[off + p] >= '0' && b[off + p] <= '9') {
                if (p - fractionStart < 3) {
                    millis = millis * 10 + (b[off + p] - '0');
                }
                p++;
            }
            final int fractionDigits = p - fractionStart;
            if (fractionDigits == 0) {
                return INVALID;
            }
            for (int i = fractionDigits; i < 3; i++) {
                millis *= 10;
            }
        }
        if (p >= length) {
            return INVALID;
        }
        int offsetMinutes;
        if (b[off + p] == 'Z' || b[off + p] == 'z') {
            offsetMinutes = 0;
            p++;
        } else if (b[off + p] == '+' || b[off + p] == '-') {
            if (p + 6 != length || b[off + p + 3] != ':') {
                return INVALID;
            }
            final int oh = digits(b, off + p + 1, 2);
            final int om = digits(b, off + p + 4, 2);
            if (oh < 0 || om < 0 || oh > 23 || om > 59) {
                return INVALID;
            }
            offsetMinutes = oh * 60 + om;
            if (b[off + p] == '-') {
                offsetMinutes = -offsetMinutes;
            }
            p += 6;
        } else {
            return INVALID;
        }
        if (p != length) {
            return INVALID;
        }
        final long localMinutes = daysFromCivil(year, month, day) * 1440L + hour * 60L + minute;
        final long utcMinutes = localMinutes - offsetMinutes;
        if (second == 60) {
            // a leap second exists only as the last second of a UTC day
            if (Math.floorMod(utcMinutes, 1440L) != 1439) {
                return INVALID;
            }
            return utcMinutes * 60_000L + 59_999L;
        }
        return utcMinutes * 60_000L + second * 1000L + millis;
    }

    private static int digits(final byte[] c, final int from, final int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            final int ch = c[i];
            if (ch < '0' || ch > '9') {
                return -1;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }

    private static int daysInMonth(final int year, final int month) {
        switch (month) {
            case 2:
                return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4:
            case 6:
            case 9:
            case 11:
                return 30;
            default:
                return 31;
        }
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
    static long daysFromCivil(final int year, final int month, final int day) {
        final int y = month <= 2 ? year - 1 : year;
        final int era = Math.floorDiv(y, 400);
        final int yoe = y - era * 400;
        final int mp = (month + 9) % 12;
        final int doy = (153 * mp + 2) / 5 + day - 1;
        final int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097L + doe - 719468L;
    }
}
