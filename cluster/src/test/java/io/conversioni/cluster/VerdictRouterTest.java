package io.conversioni.cluster;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the verdict router accepts as a verdict's {@code stato_http}: three ASCII digits of an HTTP status, nothing else. */
class VerdictRouterTest {
    private static int status(final String ascii) {
        return VerdictRouter.httpStatus(ascii.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void shouldReadTheStatusesAnOwnerSends() {
        assertEquals(202, status("202"));
        assertEquals(400, status("400"));
        assertEquals(422, status("422"));
        assertEquals(503, status("503"));
    }

    @Test
    void shouldRefuseAnythingThatIsNotAnHttpStatus() {
        assertEquals(-1, VerdictRouter.httpStatus(null));
        for (String bad : new String[] {"", "20", "2020", "abc", "2 2", "-20", "099", "600", "+02"}) {
            assertEquals(-1, status(bad), bad);
        }
    }
}
