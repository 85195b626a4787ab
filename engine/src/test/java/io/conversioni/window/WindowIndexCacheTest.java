package io.conversioni.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class WindowIndexCacheTest {
    private static final long FIVE_MINUTES = 300_000L;

    @Test
    void answersLikeFloorDivForNearlyOrderedInstantsAroundWindowEdges() {
        final WindowIndexCache cache = new WindowIndexCache(FIVE_MINUTES);
        final SplittableRandom random = new SplittableRandom(7);
        long now = 1_721_001_600_000L - 3 * FIVE_MINUTES;
        for (int i = 0; i < 200_000; i++) {
            now += random.nextInt(40);
            final long millis = random.nextInt(8) == 0 ? now - random.nextInt(20_000) : now;
            assertEquals(Math.floorDiv(millis, FIVE_MINUTES), cache.indexOf(millis), "at " + millis);
        }
    }

    @Test
    void edgesOfAWindowAndNegativeInstants() {
        final WindowIndexCache cache = new WindowIndexCache(FIVE_MINUTES);
        final long start = 1_721_001_600_000L;
        final long[] instants = {start, start + FIVE_MINUTES - 1, start + FIVE_MINUTES, start - 1, start,
            -1, 0, -FIVE_MINUTES, -FIVE_MINUTES - 1, -FIVE_MINUTES + 1, 1, FIVE_MINUTES - 1, FIVE_MINUTES};
        for (final long millis : instants) {
            assertEquals(Math.floorDiv(millis, FIVE_MINUTES), cache.indexOf(millis), "at " + millis);
        }
    }

    @Test
    void extremeInstantsAreDividedEveryTimeAndNeverOverflowTheRememberedBounds() {
        final WindowIndexCache cache = new WindowIndexCache(FIVE_MINUTES);
        final long[] instants = {Long.MAX_VALUE, Long.MAX_VALUE - 1, 0, Long.MIN_VALUE, Long.MIN_VALUE + 1,
            1L << 62, (1L << 62) - 1, -(1L << 62), -(1L << 62) + 1, Long.MAX_VALUE, 5};
        for (final long millis : instants) {
            assertEquals(Math.floorDiv(millis, FIVE_MINUTES), cache.indexOf(millis), "at " + millis);
        }
        final WindowIndexCache unit = new WindowIndexCache(1);
        for (final long millis : instants) {
            assertEquals(millis, unit.indexOf(millis), "length 1 at " + millis);
        }
    }

    @Test
    void refusesANonPositiveLength() {
        assertThrows(IllegalArgumentException.class, () -> new WindowIndexCache(0));
        assertThrows(IllegalArgumentException.class, () -> new WindowIndexCache(-5));
    }
}
