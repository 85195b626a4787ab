package io.conversioni.json;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UtcInstantTest {
    private static String format(final long epochMillis) {
        final byte[] out = new byte[UtcInstant.MAX_LENGTH + 2];
        out[0] = '"';
        final int end = UtcInstant.format(out, 1, epochMillis);
        return new String(out, 1, end - 1, StandardCharsets.US_ASCII);
    }

    @Test
    void shouldWriteWhatInstantToStringWritesForEdgeInstants() {
        final long[] edges = {0, 1, 999, 1000, -1, -1000, -86_400_000L, 951_782_400_000L /* 2000-02-29 */,
            4_107_542_400_000L /* 2100-03-01 */, 1_764_343_672_882L, 1_764_343_500_000L,
            -62_167_219_200_000L, 253_402_300_799_999L, -62_167_219_200_001L, 253_402_300_800_000L};
        for (final long millis : edges) {
            assertEquals(Instant.ofEpochMilli(millis).toString(), format(millis), "at " + millis);
        }
    }

    @Test
    void shouldAppendToAStringBuilderWhatInstantAppends() {
        for (final long millis : new long[] {0, 1_764_343_500_000L, 1_764_343_672_882L, -1, 253_402_300_800_000L}) {
            assertEquals("at " + Instant.ofEpochMilli(millis) + ";", UtcInstant.append(new StringBuilder("at "), millis)
                .append(';').toString());
        }
    }

    @Test
    void shouldWriteWhatInstantToStringWritesForRandomInstantsOfYears0To9999() {
        final Random random = new Random(20261201L);
        for (int i = 0; i < 200_000; i++) {
            final long millis = -62_167_219_200_000L + (long) (random.nextDouble() * 315_569_520_000_000.0);
            final long rounded = random.nextInt(4) == 0 ? millis - Math.floorMod(millis, 1000) : millis;
            assertEquals(Instant.ofEpochMilli(rounded).toString(), format(rounded), "at " + rounded);
        }
    }
}
