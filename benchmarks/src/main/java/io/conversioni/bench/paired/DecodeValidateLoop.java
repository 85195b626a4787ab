package io.conversioni.bench.paired;

import java.util.function.LongUnaryOperator;

import io.conversioni.bench.DecodeValidateBenchmark;

/** {@link DecodeValidateBenchmark#conversioniDecodeValidate} in a loop, for {@link PairedBursts}. */
public final class DecodeValidateLoop implements LongUnaryOperator {
    private final DecodeValidateBenchmark benchmark = new DecodeValidateBenchmark();
    private long sink;

    public DecodeValidateLoop() throws Exception {
        benchmark.setUp();
    }

    @Override
    public long applyAsLong(final long calls) {
        final long start = System.nanoTime();
        long sum = 0;
        for (long i = 0; i < calls; i++) {
            sum += benchmark.conversioniDecodeValidate();
        }
        sink += sum;
        return System.nanoTime() - start;
    }

    @Override
    public String toString() {
        return "sink " + sink;
    }
}
