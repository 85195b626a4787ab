package io.conversioni.dedupe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DedupeConfigTest {
    @Test
    void shouldDefaultToFiveMinuteWindowAndTtlOfTwoWindowsOrOneHourInExactMode() {
        final DedupeConfig bucket = DedupeConfig.defaults(DedupeMode.BUCKET);
        final DedupeConfig proximity = DedupeConfig.defaults(DedupeMode.PROXIMITY);
        final DedupeConfig exact = DedupeConfig.defaults(DedupeMode.EXACT);

        assertEquals(300_000, bucket.windowMillis());
        assertEquals(600_000, bucket.ttlMillis());
        assertEquals(600_000, proximity.ttlMillis());
        assertEquals(3_600_000, exact.ttlMillis());
        assertEquals(1 << 20, exact.capacitySlots());
        assertEquals(32, exact.maxProbe());
    }

    @Test
    void shouldDeriveDefaultTtlFromConfiguredWindow() {
        final DedupeConfig config = DedupeConfig.builder().mode(DedupeMode.PROXIMITY).windowMillis(60_000).build();

        assertEquals(120_000, config.ttlMillis());
    }

    @Test
    void shouldRejectCapacityThatIsNotAPowerOfTwoNamingKeyAndValue() {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> DedupeConfig.builder().capacitySlots(1000).build());

        assertEquals("dedupe.capacity must be a power of two between 1024 and 2^24 (16777216), was 1000",
            ex.getMessage());
    }

    @Test
    void shouldRejectCapacityAboveWhatOneBufferAddresses() {
        assertThrows(IllegalArgumentException.class, () -> DedupeConfig.builder().capacitySlots(1 << 25).build());
    }

    @Test
    void shouldRejectTtlShorterThanWindowInProximityModeNamingBothKeys() {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> DedupeConfig.builder().mode(DedupeMode.PROXIMITY).ttlMillis(1_000).build());

        assertEquals("dedupe.ttl must be at least dedupe.window (300000 ms) in mode proximity, was 1000 ms",
            ex.getMessage());
    }

    @Test
    void shouldAcceptShortTtlInExactModeWhereWindowIsUnused() {
        assertEquals(1_000, DedupeConfig.builder().mode(DedupeMode.EXACT).ttlMillis(1_000).build().ttlMillis());
    }

    @Test
    void shouldRejectWindowAndMaxProbeOutOfRangeNamingKeyAndValue() {
        assertEquals("dedupe.window must be between 1 ms and 24 h, was 0 ms",
            assertThrows(IllegalArgumentException.class,
                () -> DedupeConfig.builder().windowMillis(0).build()).getMessage());
        assertEquals("dedupe.max_probe must be between 1 and 1024, was 0",
            assertThrows(IllegalArgumentException.class,
                () -> DedupeConfig.builder().maxProbe(0).build()).getMessage());
    }

    @Test
    void shouldReadModeFromConfigNameAndRejectUnknownOnes() {
        assertEquals(DedupeMode.PROXIMITY, DedupeMode.fromConfigName(" Proximity "));
        assertEquals("exact", DedupeMode.EXACT.configName());
        assertEquals("dedupe.mode must be one of bucket, proximity, exact, was window",
            assertThrows(IllegalArgumentException.class, () -> DedupeMode.fromConfigName("window")).getMessage());
    }
}
