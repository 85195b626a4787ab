package io.conversioni.bench.paired;

import java.util.function.LongUnaryOperator;

import io.conversioni.bench.DedupeBenchmark;
import io.conversioni.dedupe.DedupeConfig;
import io.conversioni.dedupe.DedupeMode;
import io.conversioni.dedupe.SingleWriterDedupeTable;

/**
 * {@link DedupeBenchmark#isDuplicate} in a loop, for {@link PairedBursts}; {@code -Dmode=BUCKET|PROXIMITY|EXACT}
 * and {@code -Dslots=N} pick the benchmark's parameters (default BUCKET, 32768). {@code -Dfull=true} runs the
 * table past its capacity instead, as {@code DedupeFullTableBenchmark} does (distinct keys, nothing expires,
 * every call evicts), written against the table's API so that it builds against older revisions too.
 */
public final class DedupeLoop implements LongUnaryOperator {
    private final DedupeBenchmark benchmark = new DedupeBenchmark();
    private final boolean full = Boolean.getBoolean("full");
    private SingleWriterDedupeTable table;
    private long sequence;
    private long sink;

    public DedupeLoop() {
        if (full) {
            table = new SingleWriterDedupeTable(DedupeConfig.builder()
                .mode(DedupeMode.valueOf(System.getProperty("mode", "BUCKET")))
                .capacitySlots(Integer.getInteger("slots", 131_072)).build());
            return;
        }
        benchmark.mode = DedupeMode.valueOf(System.getProperty("mode", "BUCKET"));
        benchmark.capacitySlots = Integer.getInteger("slots", 32_768);
        benchmark.setUp();
    }

    @Override
    public long applyAsLong(final long calls) {
        final long start = System.nanoTime();
        long duplicates = 0;
        if (full) {
            final long startMillis = 1_700_000_000_000L;
            for (long i = 0; i < calls; i++) {
                final long n = sequence++;
                duplicates += table.isDuplicate(n * 0x9E3779B97F4A7C15L, n, startMillis + (n * 7_919) % 240_000, n, n,
                    startMillis + 240_000) ? 1 : 0;
            }
        } else {
            for (long i = 0; i < calls; i++) {
                duplicates += benchmark.isDuplicate() ? 1 : 0;
            }
        }
        sink += duplicates;
        return System.nanoTime() - start;
    }

    @Override
    public String toString() {
        return "sink " + sink;
    }
}
