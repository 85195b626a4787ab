package io.conversioni.bench.load;

/**
 * Writes epoch millis as an RFC 3339 UTC instant with milliseconds ({@code 2026-11-28T15:27:52.882Z}) without
 * allocating (civil-from-days, proleptic Gregorian). Stateless; any thread.
 */
final class IsoInstant {
    private IsoInstant() {
    }

    static void appendMillis(final TrafficModel out, final long epochMillis) {
        final long days = Math.floorDiv(epochMillis, 86_400_000L);
        final long millisOfDay = Math.floorMod(epochMillis, 86_400_000L);
        final long z = days + 719_468;
        final long era = Math.floorDiv(z, 146_097);
        final long dayOfEra = z - era * 146_097;
        final long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        final long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        final long mp = (5 * dayOfYear + 2) / 153;
        final long day = dayOfYear - (153 * mp + 2) / 5 + 1;
        final long month = mp < 10 ? mp + 3 : mp - 9;
        final long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        out.digits(year, 4);
        out.put((byte) '-');
        out.digits(month, 2);
        out.put((byte) '-');
        out.digits(day, 2);
        out.put((byte) 'T');
        out.digits(millisOfDay / 3_600_000, 2);
        out.put((byte) ':');
        out.digits(millisOfDay / 60_000 % 60, 2);
        out.put((byte) ':');
        out.digits(millisOfDay / 1000 % 60, 2);
        out.put((byte) '.');
        out.digits(millisOfDay % 1000, 3);
        out.put((byte) 'Z');
    }
}
