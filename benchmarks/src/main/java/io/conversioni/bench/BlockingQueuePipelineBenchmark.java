package io.conversioni.bench;

import io.conversioni.config.EngineConfig;
import io.conversioni.dedupe.SingleWriterDedupeTable;
import io.conversioni.event.ConversionEvent;
import io.conversioni.event.EventDecoder;
import io.conversioni.journal.JournalConfig;
import io.conversioni.journal.SingleWriterJournal;
import io.conversioni.json.JsonCursor;
import io.conversioni.schema.Violations;
import io.conversioni.window.CampaignDictionary;
import io.conversioni.window.SingleWriterWindowStore;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Peer 3: the engine's own stages (decode + validate, Chronicle journal, dedupe, windows, respond)
 * wired with {@link ArrayBlockingQueue}s instead of the Disruptor, one thread per stage, with pooled
 * holders so that the comparison is about the hand-off, not allocation. Same traffic and clock as
 * {@link PipelineThroughputBenchmark}; compare with its {@code stageThreads=4}. One op = one event.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class BlockingQueuePipelineBenchmark {
    private static final long NOW = Instant.parse("2024-05-20T14:40:00Z").toEpochMilli();
    private static final int CAPACITY = 16384;
    private static final String[] EVENTI = {"richiesta_demo", "acquisto_concluso", "iscrizione_evento", "cancello_abbandono"};
    private static final String[] CANALI = {"email", "social_media", "webform", "sms"};

    /** A pooled unit of work travelling through the queues. */
    static final class Holder {
        final byte[] body = new byte[1024];
        int length;
        long sequence;
        final ConversionEvent event = new ConversionEvent();
        final Violations violations = new Violations();
        boolean valid;
        boolean stop;
    }

    private final ArrayBlockingQueue<Holder> free = new ArrayBlockingQueue<>(CAPACITY);
    private final ArrayBlockingQueue<Holder> toDecode = new ArrayBlockingQueue<>(CAPACITY);
    private final ArrayBlockingQueue<Holder> toJournal = new ArrayBlockingQueue<>(CAPACITY);
    private final ArrayBlockingQueue<Holder> toWindow = new ArrayBlockingQueue<>(CAPACITY);
    private final ArrayBlockingQueue<Holder> toRespond = new ArrayBlockingQueue<>(CAPACITY);
    private final List<Thread> threads = new ArrayList<>();
    private Path dataDir;
    private SingleWriterJournal journal;
    private byte[][] bodies;
    private int next;
    private long sequence;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dataDir = Files.createTempDirectory("conversioni-abq");
        final EngineConfig config = EngineConfig.parse("", ArticleEvent.schemaPath().getParent().getParent());
        journal = SingleWriterJournal.open(JournalConfig.of(dataDir.resolve("journal"), "HOURLY", 48, "async"));
        final EventDecoder decoder = config.schema().newDecoder();
        final SingleWriterDedupeTable dedupe = new SingleWriterDedupeTable(config.dedupe());
        final SingleWriterWindowStore windows = new SingleWriterWindowStore(config.windows());
        for (int i = 0; i < CAPACITY; i++) {
            free.add(new Holder());
        }
        bodies = new byte[4096][];
        for (int i = 0; i < bodies.length; i++) {
            final long t = NOW - 600_000 + (i * 7919L) % 600_000;
            bodies[i] = ("{\"id_cliente\":\"CLIENTE-ROMA-" + String.format("%06d", i) + "\",\"evento\":\""
                + EVENTI[i % 4] + "\",\"timestamp\":\"" + Instant.ofEpochMilli(t) + "\",\"valore\":" + (i % 500) + ".99,"
                + "\"canale\":\"" + CANALI[(i / 4) % 4] + "\",\"stato\":\"completato\",\"metadati\":{\"campagna\":"
                + "\"Campagna_" + (i % 16) + "\",\"dispositivo\":\"iPad_pro\",\"localita\":\"Roma\"}}")
                .getBytes(StandardCharsets.UTF_8);
        }
        stage("abq-decode", toDecode, toJournal, h -> h.valid = decoder.decode(h.body, 0, h.length, h.event, h.violations));
        stage("abq-journal", toJournal, toWindow, h -> journal.appendEvent(h.sequence, NOW, 0, 0, h.body, 0, h.length));
        stage("abq-window", toWindow, toRespond, h -> {
            if (!h.valid) {
                windows.onRejected(NOW);
                return;
            }
            final ConversionEvent e = h.event;
            final byte[] id = e.bytes(ConversionEvent.ID_CLIENTE);
            final int off = e.offset(ConversionEvent.ID_CLIENTE);
            final int len = e.length(ConversionEvent.ID_CLIENTE);
            final boolean duplicate = dedupe.isDuplicate(JsonCursor.hash(id, off, len, 1), JsonCursor.hash(id, off, len, 2),
                e.timestampMillis(), 0, h.sequence, NOW);
            final int campagna = e.has(ConversionEvent.CAMPAGNA) ? windows.campaigns().idOf(e.bytes(ConversionEvent.CAMPAGNA),
                e.offset(ConversionEvent.CAMPAGNA), e.length(ConversionEvent.CAMPAGNA), e.hash(ConversionEvent.CAMPAGNA))
                : CampaignDictionary.NONE_ID;
            windows.onEvent(h.sequence, NOW, e.timestampMillis(), e.eventoOrdinal(), e.canaleOrdinal(), e.statoOrdinal(),
                campagna, e.valoreCents(), duplicate);
        });
        stage("abq-respond", toRespond, free, h -> { });
    }

    @FunctionalInterface
    private interface Work {
        void on(Holder h);
    }

    private void stage(final String name, final ArrayBlockingQueue<Holder> in, final ArrayBlockingQueue<Holder> out,
                       final Work work) {
        final Thread t = new Thread(() -> {
            try {
                while (true) {
                    final Holder h = in.take();
                    if (!h.stop) {
                        work.on(h);
                    }
                    out.put(h);
                    if (h.stop) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        t.setDaemon(true);
        t.start();
        threads.add(t);
    }

    @Benchmark
    public void publishOneEvent() throws InterruptedException {
        final Holder h = free.take();
        final byte[] body = bodies[next++ & (bodies.length - 1)];
        System.arraycopy(body, 0, h.body, 0, body.length);
        h.length = body.length;
        h.sequence = sequence++;
        toDecode.put(h);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException, IOException {
        final Holder stop = free.take();
        stop.stop = true;
        toDecode.put(stop);
        for (Thread t : threads) {
            t.join(10_000);
        }
        journal.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
