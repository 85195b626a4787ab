package io.conversioni.pipeline;

import io.conversioni.config.EngineConfig;
import io.conversioni.journal.JournalConfig;
import io.conversioni.journal.JournalReader;
import io.conversioni.journal.JournalRecord;
import io.conversioni.journal.JournalRecordKind;
import io.conversioni.journal.JournalResumePoints;
import io.conversioni.pipeline.EngineFixtures.Collector;
import io.conversioni.pipeline.EngineFixtures.Seen;
import io.conversioni.testkit.Await;
import io.conversioni.testkit.LeakCheck;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.conversioni.pipeline.EngineFixtures.CONFIG_DIR;
import static io.conversioni.pipeline.EngineFixtures.T0;
import static io.conversioni.pipeline.EngineFixtures.event;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Engine#tryPublishRecord}: a Kafka record's body goes through the same ring and decision code as an
 * event of this node, at the receive time the record carries (never the owner's clock), is journaled with its
 * partition and offset, and {@link Engine#resumeOffsets} finds the offset after each partition's newest record
 * again after a restart; a journal written before records existed still recovers.
 */
@Timeout(60)
@ExtendWith(LeakCheck.class)
class EngineRecordTest {
    /** No heartbeat within a test: every decision follows from the published times alone. */
    private static final String QUIET = "pipeline:\n  heartbeat: 60s\n";
    /** The owner's clock, an hour behind the receive times: a decision that read it would say nel_futuro. */
    private static final long OWNER_CLOCK = T0 - 3_600_000;

    @TempDir
    Path data;
    private final List<Engine> engines = new ArrayList<>();

    @AfterEach
    void closeEngines() {
        engines.forEach(Engine::close);
    }

    private Engine engine(final Path dir, final Engine.Clock clock) throws Exception {
        final Engine engine = Engine.create(EngineConfig.parse(QUIET, CONFIG_DIR), dir, clock);
        engines.add(engine);
        engine.start();
        return engine;
    }

    private static List<String> bodies() {
        return List.of(
            event("CLIENTE-ROMA-000001", "richiesta_demo", T0, "0", "email"),
            event("CLIENTE-ROMA-000001", "richiesta_demo", T0 + 1000, "0", "email"),
            event("CLIENTE-ROMA-000002", "acquisto_concluso", T0 - 400_000, "19.99", "sms"),
            event("CLIENTE-ROMA-000003", "acquisto_concluso", T0 + 3000, "1.5", "fax"),
            event("CLIENTE-ROMA-000004", "acquisto_concluso", T0 + 600_000, "1.5", "email"),
            "not json",
            event("CLIENTE-ROMA-000005", "acquisto_concluso", T0 + 4000, "7.25", "email"));
    }

    @Test
    void shouldDecideARecordAsTheSameBodyPublishedHereAtTheReceiveTimeTheRecordCarries() throws Exception {
        final long[] now = {0};
        final Engine local = engine(data.resolve("local"), () -> now[0]);
        final Engine owner = engine(data.resolve("owner"), () -> OWNER_CLOCK);
        final Collector localSeen = new Collector();
        final Collector ownerSeen = new Collector();
        final List<String> bodies = bodies();
        final List<Seen> expected = new ArrayList<>();
        final List<Seen> actual = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            final byte[] b = bodies.get(i).getBytes(StandardCharsets.UTF_8);
            now[0] = T0 + 100L * i;
            assertTrue(local.tryPublish(b, 0, b.length, localSeen, null));
            expected.add(localSeen.next());
            assertTrue(owner.tryPublishRecord(b, 0, b.length, T0 + 100L * i, 3, 500L + i, ownerSeen, null));
            actual.add(ownerSeen.next());
        }
        assertEquals(expected, actual);
        assertEquals(Outcome.DUPLICATE, actual.get(1).outcome());
        assertEquals(Outcome.FUTURE, actual.get(4).outcome());
        assertEquals(Outcome.REJECTED, actual.get(5).outcome());
        assertNull(local.windows().stateDifference(owner.windows()));
        for (int outcome = Outcome.ACCEPTED; outcome <= Outcome.JOURNAL_FAILED; outcome++) {
            assertEquals(local.counters().outcomes(outcome), owner.counters().outcomes(outcome), Outcome.esito(outcome));
        }

        owner.close();
        final List<Long> offsets = new ArrayList<>();
        final List<Long> receiveTimes = new ArrayList<>();
        try (JournalReader reader = JournalReader.openEvents(Engine.journalConfig(owner.config(), data.resolve("owner")))) {
            final JournalRecord record = new JournalRecord();
            while (reader.next(record)) {
                if (record.kind() != JournalRecordKind.HEARTBEAT) {
                    assertEquals(3, record.sourcePartition(), record.toString());
                    offsets.add(record.sourceOffset());
                    receiveTimes.add(record.receiveMillis());
                }
            }
        }
        assertEquals(List.of(500L, 501L, 502L, 503L, 504L, 505L, 506L), offsets);
        assertEquals(List.of(T0, T0 + 100, T0 + 200, T0 + 300, T0 + 400, T0 + 500, T0 + 600), receiveTimes);
    }

    @Test
    void shouldResumeEachPartitionAfterItsNewestJournaledRecordAfterARestart() throws Exception {
        final Engine first = engine(data, () -> T0);
        final Collector seen = new Collector();
        final List<String> bodies = bodies();
        for (int i = 0; i < bodies.size(); i++) {
            final byte[] b = bodies.get(i).getBytes(StandardCharsets.UTF_8);
            assertTrue(first.tryPublishRecord(b, 0, b.length, T0, i % 2 == 0 ? 0 : 2, 10L * i, seen, null));
            seen.next();
        }
        final byte[] http = bodies.get(6).replace("CLIENTE-ROMA-000005", "CLIENTE-ROMA-000009").getBytes(StandardCharsets.UTF_8);
        assertTrue(first.tryPublish(http, 0, http.length, seen, null));
        seen.next();
        assertArrayEquals(new long[] {61L, JournalResumePoints.NONE, 51L}, first.resumeOffsets(new int[] {0, 1, 2}));
        first.close();

        final Engine second = engine(data, () -> T0);
        assertArrayEquals(new long[] {51L, 61L}, second.resumeOffsets(new int[] {2, 0}));
        final byte[] again = bodies.get(0).getBytes(StandardCharsets.UTF_8);
        assertTrue(second.tryPublishRecord(again, 0, again.length, T0, 0, 61L, seen, null));
        assertEquals(Outcome.DUPLICATE, seen.next().outcome(), "the state came back with the journal");
        assertArrayEquals(new long[] {62L}, second.resumeOffsets(new int[] {0}));
        assertThrows(IllegalArgumentException.class,
            () -> second.tryPublishRecord(again, 0, again.length, T0, -1, 0L, seen, null));
        assertThrows(IllegalArgumentException.class,
            () -> second.tryPublishRecord(again, 0, again.length, T0, 0, -5L, seen, null));
    }

    @Test
    void shouldRecoverAJournalWrittenBeforeRecordsExistedAndCountOnFromIt() throws Exception {
        final EngineConfig config = EngineConfig.parse(QUIET, CONFIG_DIR);
        final JournalConfig journal = Engine.journalConfig(config, data);
        final byte[] body = bodies().get(0).getBytes(StandardCharsets.UTF_8);
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(journal.eventsDirectory())
            .rollCycle(journal.rollCycle().chronicle()).build();
             ExcerptAppender appender = queue.createAppender()) {
            // an EVENT entry in the first layout, byte for byte as the journal wrote them before version 2
            try (DocumentContext document = appender.writingDocument()) {
                document.wire().bytes().writeByte((byte) 1).writeByte(JournalRecordKind.EVENT.code()).writeShort((short) 0)
                    .writeInt(0).writeLong(41).writeLong(T0).writeLong(0).writeLong(-1L)
                    .writeInt(body.length).writeInt(0).write(body);
            }
        }
        final Engine engine = engine(data, () -> T0 + 1000);
        assertEquals(1, engine.counters().outcomes(Outcome.ACCEPTED));
        assertArrayEquals(new long[] {JournalResumePoints.NONE}, engine.resumeOffsets(new int[] {0}));
        final Collector seen = new Collector();
        assertTrue(engine.tryPublishRecord(body, 0, body.length, T0 + 1000, 0, 0L, seen, null));
        final Seen again = seen.next();
        assertEquals(Outcome.DUPLICATE, again.outcome());
        assertEquals(41, again.duplicateOf());
        assertEquals(42, again.sequence(), "the sequence goes on after the old journal's");
    }

    @Test
    void shouldMoveTheWatermarkOnlyByHeartbeatRecordsWhenHeartbeatsComeFromTheTopic() throws Exception {
        // a 10 ms timer and an owner's clock ten hours ahead: one heartbeat of its own would close every window
        final Engine owner = Engine.create(EngineConfig.parse("pipeline:\n  heartbeat: 10ms\n", CONFIG_DIR), data,
            () -> T0 + 36_000_000L);
        engines.add(owner);
        owner.heartbeatsFromRecords();
        owner.start();
        assertThrows(IllegalStateException.class, owner::heartbeatsFromRecords, "chosen before start only");
        final Collector seen = new Collector();
        final byte[] b = bodies().get(0).getBytes(StandardCharsets.UTF_8);
        assertTrue(owner.tryPublishRecord(b, 0, b.length, T0 + 500, 1, 6L, seen, null));
        assertEquals(Outcome.ACCEPTED, seen.next().outcome());
        final org.HdrHistogram.Histogram latency = owner.windows().newInsightLatencyHistogram();
        Await.until("the timer's tick published the insight latency", () -> {
            owner.windows().copyInsightLatencyInto(latency);
            return latency.getTotalCount() == 1;
        });
        final long lateness = owner.config().windows().allowedLatenessMs();
        assertEquals(T0 - lateness, owner.windows().watermarkMillis(), "moved by the event alone");
        assertEquals(0, owner.counters().heartbeats());

        final long heartbeatAt = T0 + 600_000;
        assertTrue(owner.tryPublishHeartbeatRecord(heartbeatAt, 1, 7L, seen, null));
        final Seen tick = seen.next();
        assertTrue(tick.sequence() > 0);
        assertEquals(heartbeatAt - lateness - owner.config().windows().idleAllowanceMs(), owner.windows().watermarkMillis(),
            "as this engine's own heartbeat at that time would");
        assertEquals(1, owner.counters().heartbeats());
        assertArrayEquals(new long[] {8L}, owner.resumeOffsets(new int[] {1}), "a heartbeat record is a resume point");
        assertThrows(IllegalArgumentException.class, () -> owner.tryPublishHeartbeatRecord(heartbeatAt, -1, 7L, seen, null));
        owner.close();

        final List<String> heartbeats = new ArrayList<>();
        try (JournalReader reader = JournalReader.openEvents(Engine.journalConfig(owner.config(), data))) {
            final JournalRecord record = new JournalRecord();
            while (reader.next(record)) {
                if (record.kind() == JournalRecordKind.HEARTBEAT) {
                    heartbeats.add(record.sourcePartition() + "@" + record.sourceOffset() + " " + record.receiveMillis());
                }
            }
        }
        assertEquals(List.of("1@7 " + heartbeatAt), heartbeats, "the timer journaled nothing");

        final Engine again = engine(data, () -> T0);
        assertEquals(heartbeatAt - lateness - again.config().windows().idleAllowanceMs(), again.windows().watermarkMillis(),
            "recovery replays the heartbeat record");
    }

    @Test
    void shouldKeepAPartitionsResumePointInTheSnapshotOnceRetentionDeletedItsJournalEntries() throws Exception {
        final EngineConfig config = EngineConfig.parse("pipeline:\n  heartbeat: 20ms\n"
            + "journal:\n  retention_cycles: 2\n  snapshot_interval: 100ms\n", CONFIG_DIR);
        final long hourMillis = 3_600_000L;
        final net.openhft.chronicle.core.time.SetTimeProvider past = new net.openhft.chronicle.core.time.SetTimeProvider(
            java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis() - 72 * hourMillis));
        // partition 0's records, three days old, in two hourly cycles that retention will delete
        try (io.conversioni.journal.SingleWriterJournal old = io.conversioni.journal.SingleWriterJournal.open(
            Engine.journalConfig(config, data), past)) {
            for (int i = 0; i < 2; i++) {
                final byte[] b = bodies().get(i).getBytes(StandardCharsets.UTF_8);
                assertEquals(io.conversioni.journal.JournalStatus.OK,
                    old.appendEvent(i, T0 + i, 0, 0, 0, 10L + i, b, 0, b.length));
                past.advanceMillis(hourMillis);
            }
        }
        final Engine engine = Engine.create(config, data, () -> T0);
        engines.add(engine);
        engine.heartbeatsFromRecords();
        engine.start();
        final Collector seen = new Collector();
        final byte[] b = bodies().get(2).getBytes(StandardCharsets.UTF_8);
        assertTrue(engine.tryPublishRecord(b, 0, b.length, T0, 1, 5L, seen, null));
        seen.next();
        final java.nio.file.Path events = Engine.journalConfig(config, data).eventsDirectory();
        Await.until("retention deleted the old cycles", () -> {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(events)) {
                return files.filter(f -> f.getFileName().toString().endsWith(".cq4")).count() == 1;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertArrayEquals(new long[] {JournalResumePoints.NONE, 6L},
            JournalResumePoints.scan(Engine.journalConfig(config, data), new int[] {0, 1}),
            "partition 0 is gone from the journal");
        assertArrayEquals(new long[] {12L, 6L}, engine.resumeOffsets(new int[] {0, 1}), "the state still has it");
        engine.close();

        final Engine again = engine(data, () -> T0);
        assertArrayEquals(new long[] {12L, 6L, JournalResumePoints.NONE}, again.resumeOffsets(new int[] {0, 1, 2}),
            "from the snapshot");
    }

    @Test
    void shouldStillJournalASingleNodesOwnHeartbeatsInTheFirstLayout() throws Exception {
        final Engine single = Engine.create(EngineConfig.parse("pipeline:\n  heartbeat: 10ms\n", CONFIG_DIR), data,
            () -> T0);
        engines.add(single);
        single.start();
        Await.until("the timer's heartbeats", () -> single.counters().heartbeats() >= 3);
        single.close();
        int heartbeats = 0;
        try (JournalReader reader = JournalReader.openEvents(Engine.journalConfig(single.config(), data))) {
            final JournalRecord record = new JournalRecord();
            while (reader.next(record)) {
                assertEquals(JournalRecordKind.HEARTBEAT, record.kind());
                assertEquals(-1, record.sourcePartition(), "version 1: no source record");
                assertEquals(T0, record.receiveMillis(), "the engine's clock");
                heartbeats++;
            }
        }
        assertTrue(heartbeats >= 3, heartbeats + " heartbeats journaled");
    }
}
