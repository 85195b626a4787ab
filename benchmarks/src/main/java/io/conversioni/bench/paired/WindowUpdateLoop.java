package io.conversioni.bench.paired;

import java.util.function.LongUnaryOperator;

import io.conversioni.bench.WindowUpdateBenchmark;

/** {@link WindowUpdateBenchmark#onEvent} in a loop, for {@link PairedBursts}: returns the nanoseconds n calls took. */
public final class WindowUpdateLoop implements LongUnaryOperator {
    private final WindowUpdateBenchmark benchmark = new WindowUpdateBenchmark();
    private long sink;

    public WindowUpdateLoop() {
        benchmark.setUp();
    }

    @Override
    public long applyAsLong(final long calls) {
        final long start = System.nanoTime();
        long sum = 0;
        for (long i = 0; i < calls; i++) {
            sum += benchmark.onEvent();
        }
        sink += sum;
        return System.nanoTime() - start;
    }

    @Override
    public String toString() {
        return "sink " + sink;
    }
}
