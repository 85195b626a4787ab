package io.conversioni.bench;

import io.conversioni.config.EngineConfig;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.OfflineReplay;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Replay speed: a journal of {@value #EVENTS} events (written once by a real engine in setup) rebuilt
 * offline into fresh windows and dedupe table, the work a restart or {@code conversioni replay} does.
 * Score in events per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class ReplayBenchmark {
    static final int EVENTS = 200_000;
    private static final long NOW = Instant.parse("2024-05-20T14:40:00Z").toEpochMilli();

    private Path dataDir;
    private EngineConfig config;

    @Setup(Level.Trial)
    public void writeJournal() throws Exception {
        dataDir = Files.createTempDirectory("conversioni-replay");
        config = EngineConfig.parse("", ArticleEvent.schemaPath().getParent().getParent());
        try (Engine engine = Engine.create(config, dataDir, () -> NOW)) {
            engine.start();
            for (int i = 0; i < EVENTS; i++) {
                final long t = NOW - 600_000 + (i * 7919L) % 600_000;
                final byte[] body = ("{\"id_cliente\":\"CLIENTE-ROMA-" + String.format("%06d", i % 50_000)
                    + "\",\"evento\":\"acquisto_concluso\",\"timestamp\":\"" + Instant.ofEpochMilli(t) + "\",\"valore\":"
                    + (i % 500) + ".99,\"canale\":\"email\",\"stato\":\"completato\",\"metadati\":{\"campagna\":\"Campagna_"
                    + (i % 16) + "\"}}").getBytes(StandardCharsets.UTF_8);
                while (!engine.tryPublish(body, 0, body.length, null, null)) {
                    LockSupport.parkNanos(20_000);
                }
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long replayJournal() {
        return OfflineReplay.recorded(config, dataDir).events();
    }

    @TearDown(Level.Trial)
    public void deleteJournal() throws IOException {
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
