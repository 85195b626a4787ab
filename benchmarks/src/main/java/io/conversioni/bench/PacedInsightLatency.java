package io.conversioni.bench;

import io.conversioni.bench.peers.BlockingQueuePipeline;
import io.conversioni.config.EngineConfig;
import io.conversioni.pipeline.Engine;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Insight latency at the same constant arrival rate, in-process: the engine (Disruptor ring, journal on) and
 * peer 3 ({@link BlockingQueuePipeline}, the same stages over {@code ArrayBlockingQueue}s) each get
 * {@link SeededTraffic} from one paced publisher (event {@code i} due at {@code start + i / rate}; the publisher
 * parks between due times and sends whatever is due, so arrivals come in the small bursts the OS timer allows,
 * the same for both), and each records receive → window updated in an HdrHistogram on its window thread. A
 * warm-up run on a throw-away instance of each comes first (same JVM, so both are compiled when measured).
 * Main thread only; allocates freely (it is a harness, the stages it drives do not).
 *
 * <p>Usage: {@code PacedInsightLatency [--rate 100000] [--seconds 5] [--warmup 2] [--stage-threads 1]
 * [--wait blocking] [--json FILE]}. Exit 1 when a run loses events (fewer answered than sent).
 */
public final class PacedInsightLatency {
    private static final long PARK_RETRY_NANOS = 20_000;

    /** What one paced run measured. */
    private record Run(String name, double ratePerSecond, long sent, long refusals, long maxLagNanos, Histogram latencyNanos) {
        String summary() {
            return String.format(Locale.ROOT, "%s: %d events at %.0f/s, %d ring/pool-full retries, publisher max lag "
                    + "%.1f ms; insight latency p50 %.1f us, p90 %.1f, p99 %.1f, p99.9 %.1f, max %.1f (%d samples)",
                name, sent, ratePerSecond, refusals, maxLagNanos / 1e6, us(50), us(90), us(99), us(99.9),
                latencyNanos.getMaxValue() / 1e3, latencyNanos.getTotalCount());
        }

        String json() {
            return String.format(Locale.ROOT, "{\"name\":\"%s\",\"score\":%.1f,\"unit\":\"events/s\",\"error\":null,"
                    + "\"alloc_bytes_per_op\":null,\"events\":%d,\"refusals\":%d,\"publisher_max_lag_ms\":%.3f,"
                    + "\"insight_latency_ms\":{\"count\":%d,\"p50\":%.4f,\"p90\":%.4f,\"p99\":%.4f,\"p99.9\":%.4f,"
                    + "\"max\":%.4f}}", name, ratePerSecond, sent, refusals, maxLagNanos / 1e6,
                latencyNanos.getTotalCount(), us(50) / 1e3, us(90) / 1e3, us(99) / 1e3, us(99.9) / 1e3,
                latencyNanos.getMaxValue() / 1e6);
        }

        private double us(final double percentile) {
            return latencyNanos.getValueAtPercentile(percentile) / 1e3;
        }
    }

    /** One pipeline under test, as the paced loop sees it. */
    private interface Target {
        boolean tryPublish(byte[] body) throws InterruptedException;

        /** Drains, stops and deletes what it wrote; idempotent. */
        Histogram closeAndLatency() throws IOException;
    }

    private PacedInsightLatency() {
    }

    public static void main(final String[] args) throws Exception {
        double rate = 100_000;
        double seconds = 5;
        double warmup = 2;
        int stageThreads = 1;
        String wait = "blocking";
        Path json = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rate": rate = Double.parseDouble(args[i + 1]); break;
                case "--seconds": seconds = Double.parseDouble(args[i + 1]); break;
                case "--warmup": warmup = Double.parseDouble(args[i + 1]); break;
                case "--stage-threads": stageThreads = Integer.parseInt(args[i + 1]); break;
                case "--wait": wait = args[i + 1]; break;
                case "--json": json = Path.of(args[i + 1]); break;
                default:
                    System.err.println("unknown option " + args[i]);
                    System.exit(2);
            }
        }
        final String yaml = "pipeline:\n  stage_threads: " + stageThreads + "\n  wait_strategy: " + wait + "\n";
        final String engineName = "paced.engine(stage_threads=" + stageThreads + ", wait=" + wait + ")";
        final byte[][] bodies = SeededTraffic.bodies();
        paced("warm-up engine", rate, warmup, bodies, engine(yaml));
        paced("warm-up peer 3", rate, warmup, bodies, peer());
        final Run engine = paced(engineName, rate, seconds, bodies, engine(yaml));
        final Run peer = paced("paced.peers.arrayBlockingQueue(4 threads)", rate, seconds, bodies, peer());
        System.out.println(engine.summary());
        System.out.println(peer.summary());
        System.out.printf(Locale.ROOT, "insight p99 engine / peer 3 = %.2f%n",
            engine.latencyNanos().getValueAtPercentile(99) / (double) Math.max(1, peer.latencyNanos().getValueAtPercentile(99)));
        if (json != null) {
            Files.writeString(json, "[" + engine.json() + ",\n" + peer.json() + "]\n", StandardCharsets.UTF_8);
        }
        final boolean lost = engine.latencyNanos().getTotalCount() < engine.sent() || peer.latencyNanos().getTotalCount() < peer.sent();
        if (lost) {
            System.err.println("PACED: a pipeline answered fewer events than were sent");
        }
        System.exit(lost ? 1 : 0);
    }

    private static Run paced(final String name, final double rate, final double seconds, final byte[][] bodies,
                             final Target target) throws Exception {
        final long total = Math.round(rate * seconds);
        final double periodNanos = 1e9 / rate;
        final long start = System.nanoTime() + 10_000_000L;
        long refusals = 0;
        long maxLag = 0;
        final Histogram latency;
        try {
            for (long i = 0; i < total; i++) {
                final long due = start + (long) (i * periodNanos);
                long now = System.nanoTime();
                while (now < due) {
                    LockSupport.parkNanos(due - now);
                    now = System.nanoTime();
                }
                maxLag = Math.max(maxLag, now - due);
                final byte[] body = SeededTraffic.next(bodies, i);
                while (!target.tryPublish(body)) {
                    refusals++;
                    LockSupport.parkNanos(PARK_RETRY_NANOS);
                }
            }
        } finally {
            latency = target.closeAndLatency();
        }
        return new Run(name, rate, total, refusals, maxLag, latency);
    }

    private static Target engine(final String yaml) throws Exception {
        final Path dataDir = Files.createTempDirectory("conversioni-paced");
        final Engine engine = Engine.create(EngineConfig.parse(yaml, SeededTraffic.configDir()), dataDir,
            () -> SeededTraffic.NOW_MILLIS);
        engine.start();
        return new Target() {
            private Histogram closed;

            @Override
            public boolean tryPublish(final byte[] body) {
                return engine.tryPublish(body, 0, body.length, null, null);
            }

            @Override
            public Histogram closeAndLatency() throws IOException {
                if (closed == null) {
                    closed = engine.windows().newInsightLatencyHistogram();
                    engine.close();
                    engine.windows().copyInsightLatencyInto(closed);
                    delete(dataDir);
                }
                return closed;
            }
        };
    }

    private static Target peer() throws Exception {
        final BlockingQueuePipeline peer = new BlockingQueuePipeline(EngineConfig.parse("", SeededTraffic.configDir()));
        return new Target() {
            private boolean closed;

            @Override
            public boolean tryPublish(final byte[] body) throws InterruptedException {
                return peer.tryPublish(body, body.length, SeededTraffic.NOW_MILLIS);
            }

            @Override
            public Histogram closeAndLatency() throws IOException {
                if (!closed) {
                    closed = true;
                    peer.close();
                }
                return peer.insightLatencyNanos();
            }
        };
    }

    private static void delete(final Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
