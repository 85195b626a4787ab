package io.conversioni.bench.peers;

import com.dslplatform.json.DslJson;
import com.dslplatform.json.JsonWriter;
import io.conversioni.config.EngineConfig;
import io.conversioni.dedupe.SingleWriterDedupeTable;
import io.conversioni.event.EventDecoder;
import io.conversioni.journal.JournalConfig;
import io.conversioni.journal.JournalStatus;
import io.conversioni.journal.SingleWriterJournal;
import io.conversioni.pipeline.Outcome;
import io.conversioni.window.SingleWriterWindowStore;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Peer 3: the engine's own stages wired the textbook way, with {@link ArrayBlockingQueue}s instead of the
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
 * decision code ({@link QueueDedupeWindowDecision}) are the same. Insight latency (receive → window updated)
 * goes to an HdrHistogram on the window thread, as the engine's does.
 *
 * <p>Threads: {@link #tryPublish} from one publisher thread; {@link #close()} from that thread too, after
 * which the counters and {@link #insightLatencyNanos()} may be read. Allocates nothing per event.
 */
public final class BlockingQueuePipeline implements AutoCloseable {
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
    private final Thread[] stages;
    private final Path dataDir;
    private final SingleWriterJournal journal;
    private final QueueDedupeWindowDecision decision;
    private long journalFailures;
    private long sequence;

    /** Builds and starts the four stage threads over a fresh journal in a temp folder. */
    public BlockingQueuePipeline(final EngineConfig config) throws IOException {
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
                // the engine hands the outcome to a listener here; the benchmarks, like the engine's, have none
            }),
        };
        for (Thread t : stages) {
            t.start();
        }
    }

    /** Takes a slot from the pool and hands the event to decode; false at once when every slot is in flight. */
    public boolean tryPublish(final byte[] body, final int length, final long receiveMillis) throws InterruptedException {
        final QueueSlot slot = pool.poll();
        if (slot == null) {
            return false;
        }
        slot.fill(body, length, sequence++, receiveMillis, System.nanoTime());
        decodeQueue.put(slot); // never waits: no more slots exist than the queue holds
        return true;
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
                // close(): the queues are drained
            }
        }, "peer-queue-" + name);
        thread.setDaemon(true);
        return thread;
    }

    /** Insight latency (receive → window updated); read it only after {@link #close()}. */
    public Histogram insightLatencyNanos() {
        return insightLatencyNanos;
    }

    /** One line with the counts and the latency percentiles; after {@link #close()}. */
    public String summary() {
        return String.format(Locale.ROOT, "[array-blocking-queue/4] events accepted %d, duplicates %d, refused %d, "
                + "journal failures %d, slots back in pool %d/%d; insight latency p50 %.1f us, p99 %.1f us, "
                + "p99.9 %.1f us, max %.1f us",
            decision.accepted, decision.duplicates, decision.refused, journalFailures, pool.size(), QUEUE_CAPACITY,
            insightLatencyNanos.getValueAtPercentile(50) / 1e3, insightLatencyNanos.getValueAtPercentile(99) / 1e3,
            insightLatencyNanos.getValueAtPercentile(99.9) / 1e3, insightLatencyNanos.getMaxValue() / 1e3);
    }

    /** Waits until every slot is back in the pool (at most 30 s), stops the stages, deletes the journal. */
    @Override
    public void close() throws IOException {
        try {
            drainAndStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            journal.close();
            // joining the stage threads orders their writes before the readers' reads
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void drainAndStop() throws InterruptedException {
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
    }
}
