package io.conversioni.bench.peers;

import com.dslplatform.json.DslJson;
import com.dslplatform.json.JsonWriter;
import io.conversioni.bench.SeededTraffic;
import io.conversioni.config.EngineConfig;
import io.conversioni.dedupe.SingleWriterDedupeTable;
import io.conversioni.event.EventDecoder;
import io.conversioni.journal.JournalConfig;
import io.conversioni.journal.JournalStatus;
import io.conversioni.journal.SingleWriterJournal;
import io.conversioni.pipeline.Outcome;
import io.conversioni.window.SingleWriterWindowStore;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Peer 2: the engine's own stages wired the textbook way, with {@link ArrayBlockingQueue}s instead of the
 * Disruptor ring, to measure what the ring buys. Four stage threads, as a thread-per-stage design has them:
 *
 * <pre>
 *   publisher ─► decode + validate ─► journal ─► dedupe + window ─► respond ─► pool ─► publisher
 *              (EventDecoder)    (SingleWriterJournal, (SingleWriterDedupeTable +
 *                                  ASYNC, temp dir)     SingleWriterWindowStore)
 * </pre>
 *
 * Every arrow is an {@code ArrayBlockingQueue} of capacity {@value #QUEUE_CAPACITY} (blocking
 * {@code take}/{@code put}) carrying {@link QueueSlot}s from a preallocated pool of the same size, so the
 * comparison is about the hand-off, not allocation, and at most as many events are in flight as the
 * engine's default ring holds. The engine's configuration, decoder, journal, dedupe table, window store and
 * decision code ({@link QueueDedupeWindowDecision}) are the same; the traffic is {@link SeededTraffic}. One
 * operation publishes one event, parking 20 µs while the pool is empty (as {@code PipelineThroughputBenchmark}
 * does when the ring is full), so the score is the sustained drain rate. Insight latency (receive → window
 * updated) goes to an HdrHistogram on the window thread, printed at the end of the trial.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class BlockingQueuePipelineBenchmark {
    static final int QUEUE_CAPACITY = 16384;
    private static final long DRAIN_TIMEOUT_MS = 30_000;

    /** One stage's work on a slot; {@code endOfBatch} is true when its input queue is empty. */
    @FunctionalInterface
    private interface SlotHandler {
        void onSlot(QueueSlot slot, boolean endOfBatch);
    }

    private final ArrayBlockingQueue<QueueSlot> pool = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final ArrayBlockingQueue<QueueSlot> decodeQueue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final ArrayBlockingQueue<QueueSlot> journalQueue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final ArrayBlockingQueue<QueueSlot> windowQueue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final ArrayBlockingQueue<QueueSlot> respondQueue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Histogram insightLatencyNanos = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final JsonWriter violationsJson = new DslJson<>().newWriter(4096);
    private Thread[] stages;
    private Path dataDir;
    private SingleWriterJournal journal;
    private QueueDedupeWindowDecision decision;
    private long journalFailures;
    private byte[][] bodies;
    private int next;
    private long sequence;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        final EngineConfig config = EngineConfig.parse("", SeededTraffic.configDir());
        dataDir = Files.createTempDirectory("conversioni-peer-queues");
        journal = SingleWriterJournal.open(JournalConfig.of(dataDir.resolve("journal"), config.rollCycle(),
            config.retentionCycles(), "async"));
        journal.groupCommit(true);
        final EventDecoder decoder = config.schema().newDecoder(config.maxDepth());
        final SingleWriterWindowStore windows = new SingleWriterWindowStore(config.windows());
        decision = new QueueDedupeWindowDecision(new SingleWriterDedupeTable(config.dedupe()), windows,
            config.dedupeKeyFields());
        for (int i = 0; i < QUEUE_CAPACITY; i++) {
            pool.add(new QueueSlot());
        }
        bodies = SeededTraffic.bodies();
        // the wiring, in data-flow order
        stages = new Thread[] {
            stage("decode", decodeQueue, journalQueue,
                (slot, end) -> slot.valid = decoder.decode(slot.body, 0, slot.bodyLength, slot.event, slot.violations)),
            stage("journal", journalQueue, windowQueue, this::journal),
            stage("window", windowQueue, respondQueue, (slot, end) -> {
                decision.apply(slot);
                if (slot.outcome != Outcome.JOURNAL_FAILED) {
                    insightLatencyNanos.recordValue(Math.min(System.nanoTime() - slot.receiveNanos,
                        insightLatencyNanos.getHighestTrackableValue()));
                }
            }),
            stage("respond", respondQueue, pool, (slot, end) -> {
                // the engine hands the outcome to a listener here; the benchmark, like the engine's, has none
            }),
        };
        for (Thread t : stages) {
            t.start();
        }
    }

    @Benchmark
    public void publishOneEvent() throws InterruptedException {
        final byte[] body = bodies[next++ & (bodies.length - 1)];
        QueueSlot slot;
        while ((slot = pool.poll()) == null) {
            // every slot in flight: give the core to the stages, as an HTTP thread answering 503 would
            LockSupport.parkNanos(20_000);
        }
        slot.fill(body, body.length, sequence++, SeededTraffic.NOW_MILLIS, System.nanoTime());
        decodeQueue.put(slot); // never waits: no more slots exist than the queue holds
    }

    /** Journal thread: the engine's JournalStage, heartbeats aside. */
    private void journal(final QueueSlot slot, final boolean endOfBatch) {
        final JournalStatus status;
        if (slot.valid) {
            status = journal.appendEvent(slot.sequence, slot.receiveMillis, slot.receiveNanos, 0, slot.body, 0,
                slot.bodyLength);
        } else {
            violationsJson.reset();
            slot.violations.writeJson(violationsJson);
            status = journal.appendQuarantine(slot.sequence, slot.receiveMillis, slot.receiveNanos, Outcome.REJECTED,
                slot.body, 0, slot.bodyLength, violationsJson.getByteBuffer(), 0, violationsJson.size());
        }
        if (!status.isOk() && status != JournalStatus.SYNC_FAILED) {
            slot.outcome = Outcome.JOURNAL_FAILED;
            journalFailures++;
        }
        if (endOfBatch) {
            journal.syncPending(); // ASYNC: returns at once, as in the engine
        }
    }

    private static Thread stage(final String name, final ArrayBlockingQueue<QueueSlot> in,
                                final ArrayBlockingQueue<QueueSlot> out, final SlotHandler handler) {
        final Thread thread = new Thread(() -> {
            try {
                while (true) {
                    final QueueSlot slot = in.take();
                    try {
                        handler.onSlot(slot, in.isEmpty());
                    } catch (RuntimeException e) {
                        // a bug: report it and pass the slot on, so the pool never loses it
                        System.err.println("peer stage " + name + " failed on sequence " + slot.sequence + ": " + e);
                    }
                    out.put(slot);
                }
            } catch (InterruptedException stop) {
                // teardown: the queues are drained
            }
        }, "peer-queue-" + name);
        thread.setDaemon(true);
        return thread;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_TIMEOUT_MS);
        while (pool.size() < QUEUE_CAPACITY && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        for (Thread t : stages) {
            t.interrupt();
        }
        for (Thread t : stages) {
            t.join(5_000);
        }
        journal.close();
        // joining the stage threads orders their writes before these reads
        System.out.printf("%n[array-blocking-queue/4] events accepted %d, duplicates %d, refused %d, journal failures %d, "
                + "slots back in pool %d/%d; insight latency p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us%n",
            decision.accepted, decision.duplicates, decision.refused, journalFailures, pool.size(), QUEUE_CAPACITY,
            insightLatencyNanos.getValueAtPercentile(50) / 1e3, insightLatencyNanos.getValueAtPercentile(99) / 1e3,
            insightLatencyNanos.getValueAtPercentile(99.9) / 1e3, insightLatencyNanos.getMaxValue() / 1e3);
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
