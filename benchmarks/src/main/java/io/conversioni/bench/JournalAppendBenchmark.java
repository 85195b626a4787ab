package io.conversioni.bench;

import io.conversioni.journal.JournalConfig;
import io.conversioni.journal.JournalDurability;
import io.conversioni.journal.JournalEntryDescriptor;
import io.conversioni.journal.JournalStatus;
import io.conversioni.journal.SingleWriterJournal;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One writer thread appending to a real Chronicle journal in a temp directory: a valid event (its
 * ~270-byte body), a quarantined event (body + violations to the quarantine queue, marker to the events
 * queue) and a heartbeat, with {@code durability} ASYNC (page cache) or SYNC (fdatasync per queue written).
 * Run with {@code -prof gc}: {@code gc.alloc.rate.norm} must be ~0 B/op.
 *
 * <p>The journal is recreated for every iteration so that a fast run does not fill the disk.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JournalAppendBenchmark {
    private static final byte[] BODY = ("{\"id_cliente\":\"CRM-000042871\",\"evento\":\"acquisto\","
        + "\"timestamp\":\"2026-03-14T10:21:07.312Z\",\"valore\":149.90,\"canale\":\"email\",\"stato\":\"completato\","
        + "\"campagna\":\"primavera-2026-newsletter-03\",\"dispositivo\":\"mobile\",\"localita\":\"Milano\","
        + "\"utm_source\":\"newsletter\",\"utm_medium\":\"email\"}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] VIOLATIONS = ("[{\"campo\":\"/valore\",\"codice\":\"type\","
        + "\"messaggio\":\"valore must be a number\"}]").getBytes(StandardCharsets.UTF_8);

    @Param({"ASYNC", "SYNC"})
    public JournalDurability durability;

    private Path directory;
    private SingleWriterJournal journal;
    private long sequence;
    private long receiveMillis;

    @Setup(Level.Iteration)
    public void open() throws IOException {
        directory = Files.createTempDirectory("journal-bench");
        journal = SingleWriterJournal.open(JournalConfig.defaults(directory).withDurability(durability));
        receiveMillis = System.currentTimeMillis();
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
        journal.close();
        try (Stream<Path> paths = Files.walk(directory)) {
            for (final Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
    }

    @Benchmark
    public JournalStatus appendEvent() {
        final long s = sequence++;
        return journal.appendEvent(s, receiveMillis + s, s, 202, BODY, 0, BODY.length);
    }

    @Benchmark
    public JournalStatus appendQuarantine() {
        final long s = sequence++;
        return journal.appendQuarantine(s, receiveMillis + s, s, 400, BODY, 0, BODY.length, VIOLATIONS, 0,
            VIOLATIONS.length);
    }

    @Benchmark
    public JournalStatus appendHeartbeat() {
        final long s = sequence++;
        return journal.appendHeartbeat(s, receiveMillis + s, JournalEntryDescriptor.NO_RECEIVE_NANOS);
    }
}
