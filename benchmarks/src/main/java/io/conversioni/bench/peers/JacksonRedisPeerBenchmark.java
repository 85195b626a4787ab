package io.conversioni.bench.peers;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import io.conversioni.bench.SeededTraffic;
import org.HdrHistogram.Histogram;
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
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

import java.io.IOException;
import java.nio.file.Files;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Peer 1, "what a user would build instead" of conversioni: a webhook handler thread that, per event,
 * parses the body into a Jackson tree, validates it with networknt JSON Schema (draft 2020-12, format
 * assertions on, the shipped {@code config/schema/conversione.schema.json}), dedupes it through a real
 * Redis with the seed article's rule ({@code SET dedupe:<id_cliente>:<timestamp rounded down to 5 min> 1 NX
 * EX 3600}, one round trip per event, as such handlers do) and counts it in {@link ConcurrentHashMap}
 * windows keyed by 5-minute window and canale ({@link LongAdder} counts, value summed as exact cents).
 *
 * <p>Why: it is the baseline the engine has to beat by a wide margin to be worth running. It is flattering
 * to the peer: no journal (Redis runs without persistence, {@code --save '' --appendonly no}), no time
 * checks, no campaign or evento cells, and Redis on loopback rather than across a network. Same traffic
 * as {@code PipelineThroughputBenchmark} ({@link SeededTraffic}); one operation = one event, processed
 * synchronously on the JMH thread. After the first pass over the 4096 bodies every event is a duplicate
 * (as in the engine run). {@code benchmarks/run.sh} starts {@code redis-server} on a free loopback port, names
 * it in the environment variable {@value #REDIS_PORT_ENV} and stops it at the end (or reports the peer as
 * skipped when redis-server is not installed); without that variable each trial starts its own as a child
 * process and stops it at teardown, and fails at once with PEER_REDIS_MISSING when there is none. Per-event latency (p50/p99) is
 * printed at the end of the trial; allocation per event is large by design ({@code -prof gc}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class JacksonRedisPeerBenchmark {
    /** Set by benchmarks/run.sh: the loopback port of the redis-server it started for this run. */
    static final String REDIS_PORT_ENV = "CONVERSIONI_PEER_REDIS_PORT";
    private static final long WINDOW_MILLIS = 300_000;
    private static final long DEDUPE_TTL_SECONDS = 3600;
    private static final SetParams SET_NX_EX = SetParams.setParams().nx().ex(DEDUPE_TTL_SECONDS);
    private static final int ACCEPTED = 1;
    private static final int DUPLICATE = 2;
    private static final int REJECTED = 3;

    /** One 5-minute window of one canale. */
    record WindowKey(long windowStartMillis, String canale) {
    }

    /** Counters of one window and canale, updated from any handler thread. */
    static final class WindowCounts {
        final LongAdder conversioni = new LongAdder();
        final LongAdder duplicati = new LongAdder();
        final LongAdder valoreCents = new LongAdder();
    }

    private final Map<WindowKey, WindowCounts> windows = new ConcurrentHashMap<>();
    private final LongAdder rejected = new LongAdder();
    private final Histogram latencyNanos = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private RedisServerProcess redisServer;
    private Jedis redis;
    private ObjectMapper jackson;
    private JsonSchema schema;
    private byte[][] bodies;
    private long next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        jackson = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(
            Files.readString(SeededTraffic.schemaPath()),
            SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
        bodies = SeededTraffic.bodies();
        final String scriptRedis = System.getenv(REDIS_PORT_ENV);
        redisServer = scriptRedis == null || scriptRedis.isBlank() ? RedisServerProcess.start() : null;
        redis = new Jedis("127.0.0.1", redisServer != null ? redisServer.port() : Integer.parseInt(scriptRedis.trim()));
        redis.flushAll();
        for (byte[] body : bodies) {
            if (!schema.validate(jackson.readTree(body)).isEmpty()) {
                throw new IllegalStateException("peer must accept every seeded event: " + new String(body,
                    java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }

    @Benchmark
    public int processOneEvent() throws IOException {
        final byte[] body = SeededTraffic.next(bodies, next++);
        final long startNanos = System.nanoTime();
        final int outcome = process(body);
        latencyNanos.recordValue(Math.min(System.nanoTime() - startNanos, latencyNanos.getHighestTrackableValue()));
        return outcome;
    }

    private int process(final byte[] body) throws IOException {
        final JsonNode event = jackson.readTree(body);
        if (!schema.validate(event).isEmpty()) {
            rejected.increment();
            return REJECTED;
        }
        final long eventMillis = OffsetDateTime.parse(event.get("timestamp").asText()).toInstant().toEpochMilli();
        final long windowStartMillis = Math.floorDiv(eventMillis, WINDOW_MILLIS) * WINDOW_MILLIS;
        final String dedupeKey = "dedupe:" + event.get("id_cliente").asText() + ":" + windowStartMillis;
        final boolean fresh = redis.set(dedupeKey, "1", SET_NX_EX) != null; // "OK", or null when the key exists
        final WindowCounts counts = windows.computeIfAbsent(
            new WindowKey(windowStartMillis, event.get("canale").asText()), k -> new WindowCounts());
        if (!fresh) {
            counts.duplicati.increment();
            return DUPLICATE;
        }
        counts.conversioni.increment();
        counts.valoreCents.add(event.get("valore").decimalValue().movePointRight(2).longValueExact());
        return ACCEPTED;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            long accepted = 0;
            long duplicates = 0;
            for (WindowCounts c : windows.values()) {
                accepted += c.conversioni.sum();
                duplicates += c.duplicati.sum();
            }
            System.out.printf("%n[jackson+networknt+redis] events accepted %d, duplicates %d, rejected %d; "
                    + "redis keys %d, windows x canali %d; per-event latency p50 %.1f us, p99 %.1f us, p99.9 %.1f us, "
                    + "max %.1f us%n", accepted, duplicates, rejected.sum(), redis.dbSize(), windows.size(),
                latencyNanos.getValueAtPercentile(50) / 1e3, latencyNanos.getValueAtPercentile(99) / 1e3,
                latencyNanos.getValueAtPercentile(99.9) / 1e3, latencyNanos.getMaxValue() / 1e3);
            redis.close();
        } finally {
            if (redisServer != null) {
                redisServer.close();
            }
        }
    }
}
