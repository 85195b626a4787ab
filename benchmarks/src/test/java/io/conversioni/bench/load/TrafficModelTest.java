package io.conversioni.bench.load;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load generator's traffic is the one it always was: byte for byte the reference's, for every seed and mix. */
class TrafficModelTest {
    private static final long NOW = 1_796_700_000_123L;

    private static void assertSame(final TrafficModel model, final ReferenceTraffic reference, final String what) {
        assertArrayEquals(Arrays.copyOf(reference.body(), reference.length()), Arrays.copyOf(model.body(), model.length()),
            what);
    }

    @Test
    void shouldWriteTheReferenceBatchesByteForByte() {
        for (long seed = 1; seed <= 6; seed++) {
            // shares high enough that every branch (re-sends, both kinds of invalid events, late events) comes often
            final double duplicates = 0.05 * seed;
            final double invalid = 0.04 * seed;
            final double late = 0.15 * seed;
            final TrafficModel model = new TrafficModel(seed, duplicates, invalid, late);
            final ReferenceTraffic reference = new ReferenceTraffic(seed, duplicates, invalid, late);
            for (int batch = 0; batch < 40; batch++) {
                // a clock that stands still for a few batches and then moves, as System.currentTimeMillis does
                final long now = NOW + batch / 3 * 7;
                model.nextBatch(now, 1 + batch * 13);
                reference.nextBatch(now, 1 + batch * 13);
                assertSame(model, reference, "seed " + seed + ", batch " + batch);
            }
        }
    }

    @Test
    void shouldWriteTheReferenceSingleEventsAndMarkers() {
        final TrafficModel model = new TrafficModel(42, 0.05, 0.02, 0.1);
        final ReferenceTraffic reference = new ReferenceTraffic(42, 0.05, 0.02, 0.1);
        for (int i = 0; i < 5_000; i++) {
            model.nextSingle(NOW + i / 10);
            reference.nextSingle(NOW + i / 10);
            assertSame(model, reference, "single event " + i);
        }
        final TrafficModel probe = new TrafficModel(43, 0, 0, 0);
        final ReferenceTraffic probeReference = new ReferenceTraffic(43, 0, 0, 0);
        for (int i = 0; i < 100; i++) {
            probe.nextMarker(NOW + i, "insight-probe-" + i);
            probeReference.nextMarker(NOW + i, "insight-probe-" + i);
            assertSame(probe, probeReference, "marker " + i);
        }
    }

    @Test
    void shouldGrowPastItsFirstArrayForLargeBatches() {
        final TrafficModel model = new TrafficModel(7, 0.05, 0.02, 0.1);
        final ReferenceTraffic reference = new ReferenceTraffic(7, 0.05, 0.02, 0.1);
        model.nextBatch(NOW, 5_000);
        reference.nextBatch(NOW, 5_000);
        assertTrue(model.length() > 4096 * 64, "a batch of 5 000 outgrows the 4 KiB array many times over");
        assertSame(model, reference, "a batch of 5 000");
    }
}
