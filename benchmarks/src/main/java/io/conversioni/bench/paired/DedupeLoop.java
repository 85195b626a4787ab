package io.conversioni.bench.paired;

import java.util.function.LongUnaryOperator;

import io.conversioni.bench.DedupeBenchmark;
import io.conversioni.dedupe.DedupeMode;

/**
 * {@link DedupeBenchmark#isDuplicate} in a loop, for {@link PairedBursts}; {@code -Dmode=BUCKET|PROXIMITY|EXACT}
 * and {@code -Dslots=N} pick the benchmark's parameters (default BUCKET, 32768).
 */
public final class DedupeLoop implements LongUnaryOperator {
    private final DedupeBenchmark benchmark = new DedupeBenchmark();
    private long sink;

    public DedupeLoop() {
        benchmark.mode = DedupeMode.valueOf(System.getProperty("mode", "BUCKET"));
        benchmark.capacitySlots = Integer.getInteger("slots", 32_768);
        benchmark.setUp();
    }

    @Override
    public long applyAsLong(final long calls) {
        final long start = System.nanoTime();
        long duplicates = 0;
        for (long i = 0; i < calls; i++) {
            duplicates += benchmark.isDuplicate() ? 1 : 0;
        }
        sink += duplicates;
        return System.nanoTime() - start;
    }

    @Override
    public String toString() {
        return "sink " + sink;
    }
}
