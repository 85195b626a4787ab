package io.conversioni.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.conversioni.dedupe.DedupeConfig;
import io.conversioni.dedupe.DedupeMode;
import io.conversioni.dedupe.SingleWriterDedupeTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One thread, one {@link SingleWriterDedupeTable} (2 MiB: cache-resident, or 64 MiB: the default, every
 * probe a DRAM miss), {@code isDuplicate} per operation over a preallocated stream of 2^17 events:
 * ~90 % new keys, ~10 % re-sends of a recent event, one event per 200 ms of event time (18 000 live keys
 * in a 1 h TTL, 3 000 in 10 min) with up to 20 s of disorder. Each pass over the stream shifts event
 * times by more than the TTL, so the previous pass's entries expire and the table runs in its steady
 * state of freeing expired entries as probes and the sweep meet them. Measures average time per call;
 * run with {@code -prof gc} to back the zero-allocation claim.
 *
 * <p>The fork runs as production does: owner checks off, Agrona bounds checks on (the probe loops read through
 * the probe index, which skips them by construction).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dconversioni.checks=false")
public class DedupeBenchmark {
    private static final int EVENTS = 1 << 17;
    private static final int EVENT_MASK = EVENTS - 1;
    private static final long START_MILLIS = 1_700_000_000_000L;
    private static final long STEP_MILLIS = 200;

    @Param({"BUCKET", "PROXIMITY", "EXACT"})
    public DedupeMode mode;

    /** 2^15 slots = 2 MiB (cache-resident); 2^20 = 64 MiB (the default: every probe misses to DRAM). */
    @Param({"32768", "131072", "1048576"})
    public int capacitySlots;

    private final long[] keyHi = new long[EVENTS];
    private final long[] keyLo = new long[EVENTS];
    private final long[] eventTimeMillis = new long[EVENTS];
    private final long[] contentHash = new long[EVENTS];
    private SingleWriterDedupeTable table;
    private long passShiftMillis;
    private long passOffsetMillis;
    private long sequence;
    private int cursor;

    @Setup(Level.Trial)
    public void setUp() {
        table = new SingleWriterDedupeTable(DedupeConfig.builder().mode(mode).capacitySlots(capacitySlots).build());
        final SplittableRandom random = new SplittableRandom(20_240_521L);
        for (int i = 0; i < EVENTS; i++) {
            if (i > 64 && random.nextInt(10) == 0) {
                final int original = i - 1 - random.nextInt(64);
                keyHi[i] = keyHi[original];
                keyLo[i] = keyLo[original];
                eventTimeMillis[i] = eventTimeMillis[original];
                contentHash[i] = contentHash[original];
            } else {
                keyHi[i] = random.nextLong();
                keyLo[i] = random.nextLong();
                eventTimeMillis[i] = START_MILLIS + i * STEP_MILLIS - random.nextLong(20_000);
                contentHash[i] = random.nextLong();
            }
        }
        passShiftMillis = EVENTS * STEP_MILLIS + 2 * table.config().ttlMillis();
    }

    @Benchmark
    public boolean isDuplicate() {
        final int i = cursor;
        final long shiftedEventTimeMillis = eventTimeMillis[i] + passOffsetMillis;
        final boolean duplicate = table.isDuplicate(
            keyHi[i], keyLo[i], shiftedEventTimeMillis, contentHash[i], sequence++, shiftedEventTimeMillis + 150);
        cursor = (i + 1) & EVENT_MASK;
        if (i == EVENT_MASK) {
            passOffsetMillis += passShiftMillis; // after the pass's last event, never before it
        }
        return duplicate;
    }
}
