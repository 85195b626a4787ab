package io.conversioni.bench.peers;

import io.conversioni.bench.SeededTraffic;
import io.conversioni.config.EngineConfig;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Peer 3's throughput ({@link BlockingQueuePipeline}: the engine's stages over {@code ArrayBlockingQueue}s, four
 * threads) on {@link SeededTraffic}, as {@code PipelineThroughputBenchmark} measures the engine. One operation
 * publishes one event, parking 20 µs while the pool is empty (as the engine's benchmark does when the ring is
 * full), so the score is the sustained drain rate. Insight latency is printed at the end of the trial; the paced
 * comparison at equal arrival rate is {@code io.conversioni.bench.PacedInsightLatency}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class BlockingQueuePipelineBenchmark {
    private BlockingQueuePipeline pipeline;
    private byte[][] bodies;
    private long next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        pipeline = new BlockingQueuePipeline(EngineConfig.parse("", SeededTraffic.configDir()));
        bodies = SeededTraffic.bodies();
    }

    @Benchmark
    public void publishOneEvent() throws InterruptedException {
        final byte[] body = SeededTraffic.next(bodies, next++);
        while (!pipeline.tryPublish(body, body.length, SeededTraffic.NOW_MILLIS)) {
            // every slot in flight: give the core to the stages, as an HTTP thread answering 503 would
            LockSupport.parkNanos(20_000);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        pipeline.close();
        System.out.printf("%n%s%n", pipeline.summary());
    }
}
