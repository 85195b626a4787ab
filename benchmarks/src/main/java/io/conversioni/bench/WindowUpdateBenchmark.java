package io.conversioni.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.conversioni.window.CampaignDictionary;
import io.conversioni.window.SingleWriterWindowStore;
import io.conversioni.window.WindowConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One window-thread update on a warm {@link SingleWriterWindowStore} (default config: 5-minute windows,
 * 24 h ring, 256 campaign ids): a seeded mix of in-order, out-of-order (inside the lateness) and duplicate
 * events over 4 eventi x 4 canali x 3 stati x 8 campaigns, with event time advancing 1 ms per event so
 * windows roll over and close as in production. Target: at most 30 ns/op and 0 B/op ({@code -prof gc}).
 *
 * <p>Single-threaded (the store has one writer). The fork runs as production does: {@code conversioni.checks}
 * off, Agrona bounds checks on.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dconversioni.checks=false")
@State(Scope.Thread)
public class WindowUpdateBenchmark {
    private static final int EVENTS = 4096;
    private static final int MASK = EVENTS - 1;
    private static final long T0 = 1_721_001_600_000L;

    private final int[] evento = new int[EVENTS];
    private final int[] canale = new int[EVENTS];
    private final int[] stato = new int[EVENTS];
    private final int[] campagna = new int[EVENTS];
    private final long[] valoreCents = new long[EVENTS];
    private final long[] offsetMs = new long[EVENTS];
    private final boolean[] duplicate = new boolean[EVENTS];
    private final byte[][] campaignNames = new byte[8][];
    private final long[] campaignHashes = new long[8];
    private SingleWriterWindowStore store;
    private CampaignDictionary campaigns;
    private long sequence;

    @Setup(Level.Trial)
    public void setUp() {
        store = new SingleWriterWindowStore(WindowConfig.defaults());
        campaigns = store.campaigns();
        for (int i = 0; i < campaignNames.length; i++) {
            campaignNames[i] = ("Campagna_" + i + "_Verano2024").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            campaignHashes[i] = io.conversioni.json.JsonCursor.hash(campaignNames[i], 0, campaignNames[i].length);
            campaigns.idOf(campaignNames[i], 0, campaignNames[i].length, campaignHashes[i]);
        }
        final SplittableRandom random = new SplittableRandom(20_240_715L);
        for (int i = 0; i < EVENTS; i++) {
            evento[i] = random.nextInt(4);
            canale[i] = random.nextInt(4);
            stato[i] = random.nextInt(3);
            final int c = random.nextInt(9);
            campagna[i] = c == 8 ? CampaignDictionary.NONE_ID : c + 2;
            valoreCents[i] = random.nextInt(100_000);
            offsetMs[i] = random.nextInt(8) == 0 ? random.nextInt(14_000) : random.nextInt(500);
            duplicate[i] = random.nextInt(16) == 0;
        }
        for (int i = 0; i < 1_000_000; i++) {
            onEvent();
        }
    }

    @Benchmark
    public int onEvent() {
        final long s = sequence++;
        final int i = (int) s & MASK;
        final long receiveMillis = T0 + s;
        return store.onEvent(s, receiveMillis, receiveMillis - offsetMs[i], evento[i], canale[i], stato[i],
            campagna[i], valoreCents[i], duplicate[i]);
    }

    @Benchmark
    public int onEventAndInsightLatency() {
        final int result = onEvent();
        store.recordInsightLatencyNanos(2_000 + (sequence & 1023));
        return result;
    }

    @Benchmark
    public int campaignLookup() {
        final int i = (int) (sequence++ & 7);
        return campaigns.idOf(campaignNames[i], 0, campaignNames[i].length, campaignHashes[i]);
    }
}
