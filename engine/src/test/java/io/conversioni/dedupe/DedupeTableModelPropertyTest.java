package io.conversioni.dedupe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * Differential test: with capacity large enough that nothing is evicted, the off-heap table's outcome
 * for every event (duplicate or not, and which accepted event it names) equals {@link DedupeModel}'s.
 */
class DedupeTableModelPropertyTest {
    /** A 5-minute boundary, so that grains line up with bucket edges. */
    private static final long START_MILLIS = 1_700_000_100_000L;
    private static final long GRAIN_MILLIS = 15_000L;

    /** One generated step; a re-delivery copies key, time and content of an earlier event. */
    record Step(int keyIndex, long advanceMillis, long lagMillis, int contentIndex, int redeliverBack) {
    }

    record Event(long keyHi, long keyLo, long eventTimeMillis, long contentHash) {
    }

    @Property(tries = 250, seed = "20240521")
    void bucketModeShouldAgreeWithHashMapModel(@ForAll("steps") @Size(max = 160) final List<Step> steps) {
        checkAgainstModel(DedupeConfig.builder().mode(DedupeMode.BUCKET).capacitySlots(1 << 12).build(), steps);
    }

    @Property(tries = 250, seed = "20240522")
    void proximityModeShouldAgreeWithHashMapModel(@ForAll("steps") @Size(max = 160) final List<Step> steps) {
        checkAgainstModel(DedupeConfig.builder().mode(DedupeMode.PROXIMITY).capacitySlots(1 << 12).build(), steps);
    }

    @Property(tries = 250, seed = "20240523")
    void exactModeShouldAgreeWithHashMapModel(@ForAll("steps") @Size(max = 160) final List<Step> steps) {
        checkAgainstModel(DedupeConfig.builder().mode(DedupeMode.EXACT).capacitySlots(1 << 12).build(), steps);
    }

    @Property(tries = 150, seed = "20240524")
    void shortWindowAndTtlShouldAgreeWithHashMapModel(
        @ForAll("steps") @Size(max = 160) final List<Step> steps, @ForAll final DedupeMode mode) {
        checkAgainstModel(DedupeConfig.builder().mode(mode).capacitySlots(1 << 12)
            .windowMillis(60_000).ttlMillis(90_000).build(), steps);
    }

    /**
     * A crowded small table: hundreds of keys, a 90 s TTL and the smallest capacity, so that probe runs
     * form and expired entries are removed by backward shift in the middle of them all the time.
     */
    @Property(tries = 60, seed = "20240525")
    void crowdedTableWithShortTtlShouldAgreeWithHashMapModel(
        @ForAll("manyKeySteps") @Size(min = 300, max = 600) final List<Step> steps, @ForAll final DedupeMode mode) {
        checkAgainstModel(DedupeConfig.builder().mode(mode).capacitySlots(DedupeConfig.MIN_CAPACITY_SLOTS)
            .windowMillis(60_000).ttlMillis(90_000).build(), steps);
    }

    @Provide
    Arbitrary<List<Step>> manyKeySteps() {
        return Combinators.combine(
            Arbitraries.integers().between(0, 400),
            Arbitraries.longs().between(0, 2).map(grains -> grains * 500),
            Arbitraries.longs().between(0, 40).map(grains -> grains * 5_000),
            Arbitraries.integers().between(0, 1),
            Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(1, 200)))
        ).as(Step::new).list();
    }

    /**
     * Times move in 15 s grains most of the time, so that ties, window edges and the expiry horizon are
     * hit exactly, and by arbitrary milliseconds otherwise.
     */
    @Provide
    Arbitrary<List<Step>> steps() {
        final Arbitrary<Long> advanceMillis = Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.longs().between(0, 6).map(grains -> grains * GRAIN_MILLIS)),
            Tuple.of(2, Arbitraries.longs().between(0, 90_000)),
            Tuple.of(1, Arbitraries.longs().between(0, 4_000_000)));
        final Arbitrary<Long> lagMillis = Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.longs().between(0, 46).map(grains -> grains * GRAIN_MILLIS)),
            Tuple.of(1, Arbitraries.longs().between(0, 700_000)));
        final Arbitrary<Step> step = Combinators.combine(
            Arbitraries.integers().between(0, 5),
            advanceMillis,
            lagMillis,
            Arbitraries.integers().between(0, 2),
            Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(1, 20)))
        ).as(Step::new);
        return step.list();
    }

    private static void checkAgainstModel(final DedupeConfig config, final List<Step> steps) {
        final SingleWriterDedupeTable table = new SingleWriterDedupeTable(config);
        final DedupeModel model = new DedupeModel(config);
        final List<Event> events = new ArrayList<>();
        long clockMillis = START_MILLIS;
        long sequence = 0;

        for (final Step step : steps) {
            clockMillis += step.advanceMillis();
            final Event event;
            if (step.redeliverBack() > 0 && step.redeliverBack() <= events.size()) {
                event = events.get(events.size() - step.redeliverBack());
            } else {
                event = new Event(0xC1L * step.keyIndex(), 0x5EEDL + step.keyIndex(),
                    clockMillis - step.lagMillis(), 0xABCDL * step.contentIndex());
            }
            events.add(event);
            sequence++;
            final long receiveMillis = clockMillis + sequence;

            final DedupeModel.Accepted expected = model.check(event.keyHi(), event.keyLo(), event.eventTimeMillis(),
                event.contentHash(), sequence, receiveMillis);
            final boolean duplicate = table.isDuplicate(event.keyHi(), event.keyLo(), event.eventTimeMillis(),
                event.contentHash(), sequence, receiveMillis);

            final String where = "event " + sequence + " " + event;
            assertEquals(expected != null, duplicate, where);
            if (expected != null) {
                assertEquals(expected.sequence(), table.firstSequence(), where);
                assertEquals(expected.receiveMillis(), table.firstReceiveMillis(), where);
                assertEquals(expected.eventTimeMillis(), table.firstEventTimeMillis(), where);
            }
        }
        assertEquals(0, table.evictions(), "capacity is large enough that the model's no-eviction world holds");
        assertEquals(steps.size(), table.inserts() + table.duplicates());
    }
}
