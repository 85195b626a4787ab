package io.conversioni.bench;

import java.util.concurrent.TimeUnit;

import io.conversioni.dedupe.DedupeConfig;
import io.conversioni.dedupe.DedupeMode;
import io.conversioni.dedupe.SingleWriterDedupeTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The dedupe table past its capacity: the default 131072 slots (8 MiB of slots, 2 MiB of probe index) and a
 * stream of distinct keys whose event times all stay inside the TTL, so after the first 131072 calls no slot
 * is empty or expired and every call probes {@code maxProbe} (32) slots, three times in PROXIMITY mode, and
 * evicts the oldest entry it met. This is where a busy unique stream with the default capacity lives (the
 * whole-pipeline benchmark's traffic too); {@link DedupeBenchmark} is the table at its steady, unfilled load.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dconversioni.checks=false")
public class DedupeFullTableBenchmark {
    private static final long START_MILLIS = 1_700_000_000_000L;
    /** Event times cycle through 4 minutes: inside every mode's TTL, so nothing ever expires. */
    private static final long SPREAD_MILLIS = 240_000;

    @Param({"BUCKET", "PROXIMITY", "EXACT"})
    public DedupeMode mode;

    private SingleWriterDedupeTable table;
    private long sequence;

    @Setup
    public void setUp() {
        // 131072: dedupe.capacity in config/conversioni.yaml
        table = new SingleWriterDedupeTable(DedupeConfig.builder().mode(mode).capacitySlots(131_072).build());
    }

    @Benchmark
    public boolean isDuplicate() {
        final long n = sequence++;
        final long eventTimeMillis = START_MILLIS + (n * 7_919) % SPREAD_MILLIS;
        return table.isDuplicate(n * 0x9E3779B97F4A7C15L, n, eventTimeMillis, n, n, START_MILLIS + SPREAD_MILLIS);
    }
}
