package io.conversioni.json;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class Rfc3339Test {
    @org.junit.jupiter.api.Test
    void shouldParseAUsersInstantThroughRfc3339ThenInstantAndRefuseWhatMillisCannotHold() {
        assertEquals(Instant.parse("2024-05-20T14:32:45.123Z").toEpochMilli(), Rfc3339.parseInstantMillis("2024-05-20t16:32:45.123+02:00"));
        assertEquals(Instant.parse("+10000-01-01T00:00:00Z").toEpochMilli(), Rfc3339.parseInstantMillis("+10000-01-01T00:00:00Z"));
        assertThrows(java.time.format.DateTimeParseException.class, () -> Rfc3339.parseInstantMillis("ieri"));
        assertThrows(java.time.format.DateTimeParseException.class, () -> Rfc3339.parseInstantMillis("-999999999-01-01T00:00:00Z"));
        assertThrows(java.time.format.DateTimeParseException.class, () -> Rfc3339.parseInstantMillis("+999999999-12-31T23:59:59Z"));
    }

    private static long parse(final String s) {
        return Rfc3339.parseEpochMillis(s);
    }

    @ParameterizedTest
    @CsvSource({
        "2024-05-20T14:32:45.123Z, 2024-05-20T14:32:45.123Z",
        "2024-05-20T16:32:45.123+02:00, 2024-05-20T14:32:45.123Z",
        "2024-05-20T10:02:45-04:30, 2024-05-20T14:32:45Z",
        "2024-05-20t14:32:45z, 2024-05-20T14:32:45Z",
        "2024-02-29T00:00:00Z, 2024-02-29T00:00:00Z",
        "1970-01-01T00:00:00.999999Z, 1970-01-01T00:00:00.999Z",
        "0001-01-01T00:00:00Z, 0001-01-01T00:00:00Z",
        "1998-12-31T23:59:60Z, 1998-12-31T23:59:59.999Z",
        "1998-12-31T15:59:60-08:00, 1998-12-31T23:59:59.999Z"})
    void shouldNormaliseValidDateTimesToUtcMillis(final String text, final String utc) {
        assertEquals(Instant.parse(utc).toEpochMilli(), parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "2024-05-20", "2024-05-20T14:32:45", "2024-05-20 14:32:45Z", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z",
        "2024-13-01T00:00:00Z", "2024-05-20T24:00:00Z", "2024-05-20T14:60:00Z", "2024-05-20T14:32:45.Z",
        "2024-05-20T14:32:45+0200", "2024-05-20T14:32:45+24:00", "2024-05-20T23:59:60Z+", "2024-05-20T12:59:60Z",
        "24-05-20T14:32:45Z", "2024-05-20T14:32:45.123ZZ", "2024-5-20T14:32:45Z", "2024-05-20T14:32:45\u0661Z"})
    void shouldRejectTextThatIsNotAnRfc3339DateTime(final String text) {
        assertEquals(Rfc3339.INVALID, parse(text), text);
    }

    @Property(tries = 300, seed = "20261207")
    void shouldAgreeWithJavaTimeOnRandomInstantsAndOffsets(
        @ForAll @LongRange(min = -62_000_000_000_000L, max = 253_000_000_000_000L) final long millis,
        @ForAll @IntRange(min = -18 * 60, max = 18 * 60) final int offsetMinutes) {
        final OffsetDateTime t = Instant.ofEpochMilli(millis).atOffset(ZoneOffset.ofTotalSeconds(offsetMinutes * 60));
        final String text = t.format(DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSxxx"));
        assertEquals(millis, parse(text), text);
    }
}
