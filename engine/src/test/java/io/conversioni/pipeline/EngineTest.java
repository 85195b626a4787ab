package io.conversioni.pipeline;

import io.conversioni.config.EngineConfig;
import io.conversioni.journal.JournalStatus;
import io.conversioni.journal.SingleWriterJournal;
import io.conversioni.pipeline.EngineFixtures.Collector;
import io.conversioni.pipeline.EngineFixtures.Seen;
import io.conversioni.testkit.Await;
import io.conversioni.testkit.LeakCheck;
import io.conversioni.window.WindowSnapshot;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.conversioni.pipeline.EngineFixtures.CONFIG_DIR;
import static io.conversioni.pipeline.EngineFixtures.T0;
import static io.conversioni.pipeline.EngineFixtures.event;
import static io.conversioni.pipeline.EngineFixtures.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
@ExtendWith(LeakCheck.class)
class EngineTest {
    @TempDir
    Path data;

    private final List<Engine> engines = new ArrayList<>();
    final AtomicLong now = new AtomicLong(T0 + 5_000);

    @AfterEach
    void closeEngines() {
        engines.forEach(Engine::close);
    }

    Engine engine(final String yaml) throws Exception {
        final Engine engine = Engine.create(EngineConfig.parse(yaml, CONFIG_DIR), data, now::get);
        engines.add(engine);
        engine.start();
        return engine;
    }

    @Test
    void shouldAcceptAnEventThenNameTheOriginalWhenItIsDeliveredAgain() throws Exception {
        final Engine engine = engine("");
        final Collector c = new Collector();
        final String body = event("CLIENTE-ITALIA-789456", "richiesta_demo", T0, "0.0", "email");
        assertTrue(publish(engine, body, c));
        final Seen first = c.next();
        assertEquals(Outcome.ACCEPTED, first.outcome());
        assertEquals(Instant.parse("2024-05-20T14:30:00Z").toEpochMilli(), first.windowStart());
        assertTrue(publish(engine, body, c));
        final Seen again = c.next();
        assertEquals(Outcome.DUPLICATE, again.outcome());
        assertEquals(first.sequence(), again.duplicateOf());
        final WindowSnapshot w = engine.windows().newSnapshot();
        assertTrue(engine.windows().readWindow(first.windowStart(), w));
        assertEquals(1, w.total().uniqueCount());
        assertEquals(1, w.total().duplicateCount());
        assertEquals(1, engine.counters().outcomes(Outcome.ACCEPTED));
        assertEquals(1, engine.counters().outcomes(Outcome.DUPLICATE));
    }

    @Test
    void shouldCloseAWindowThroughJournaledHeartbeatsWhenTrafficStops() throws Exception {
        final Engine engine = engine("pipeline:\n  heartbeat: 20ms\n");
        final Collector c = new Collector();
        assertTrue(publish(engine, event("CLIENTE-ROMA-000001", "acquisto_concluso", T0, "10", "sms"), c));
        final Seen accepted = c.next();
        final WindowSnapshot w = engine.windows().newSnapshot();
        assertTrue(engine.windows().readWindow(accepted.windowStart(), w));
        assertFalse(w.closed());
        now.set(T0 + 10 * 60_000); // no more events; only the heartbeats' receive time moves on
        // the window stage closes the window, then counts the heartbeat: wait for both (reading the count as soon
        // as the window showed closed raced that increment, and failed once under CI's load)
        Await.poll(Duration.ofSeconds(10), () -> engine.windows().readWindow(accepted.windowStart(), w) && w.closed()
            && engine.counters().heartbeats() > 0);
        assertTrue(w.closed(), "the window closes once heartbeats move the watermark past its end");
        assertTrue(engine.counters().heartbeats() > 0, "the heartbeats that closed it are counted");
        // and a replay of the journal, heartbeats included, closes it too
        engine.close();
        final Engine replayed = engine("");
        final WindowSnapshot again = replayed.windows().newSnapshot();
        assertTrue(replayed.windows().readWindow(accepted.windowStart(), again));
        assertTrue(again.closed());
    }

    @Test
    void shouldRejectAnInvalidEventWithItsViolationsAndCountItByCode() throws Exception {
        final Engine engine = engine("");
        final Collector c = new Collector();
        assertTrue(publish(engine, event("CLIENTE-ITALIA-789456", "richiesta_demo", T0, "1.234", "fax"), c));
        final Seen s = c.next();
        assertEquals(Outcome.REJECTED, s.outcome());
        assertEquals("multipleOf", s.firstCode());
        assertEquals(1, engine.counters().rejections(EngineCounters.REJECTION_CODES.indexOf("multipleOf")));
        assertTrue(publish(engine, "{\"id_cliente\": ", c));
        assertEquals("json", c.next().firstCode());
    }

    @Test
    void shouldRefuseEventsFromTheFutureAndOlderThanTheHorizon() throws Exception {
        final Engine engine = engine("");
        final Collector c = new Collector();
        assertTrue(publish(engine, event("CLIENTE-ROMA-000001", "acquisto_concluso", now.get() + 120_000, "10", "sms"), c));
        assertEquals(Outcome.FUTURE, c.next().outcome());
        assertTrue(publish(engine, event("CLIENTE-ROMA-000001", "acquisto_concluso", T0, "10", "sms"), c));
        assertEquals(Outcome.ACCEPTED, c.next().outcome());
        assertTrue(publish(engine, event("CLIENTE-ROMA-000002", "acquisto_concluso", T0 - 2 * 86_400_000L, "10", "sms"), c));
        assertEquals(Outcome.TOO_LATE, c.next().outcome());
    }

    @Test
    void shouldAnswerFullAtOnceWhenEveryRingSlotIsTakenAndRecoverAfterwards() throws Exception {
        final Engine engine = engine("pipeline:\n  ring_size: 64\n");
        final CountDownLatch release = new CountDownLatch(1);
        final Collector c = new Collector();
        final OutcomeListener blocking = (e, a) -> {
            try {
                release.await();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            c.onOutcome(e, a);
        };
        int accepted = 0;
        boolean refused = false;
        for (int i = 0; i < 200 && !refused; i++) {
            if (publish(engine, event("CLIENTE-ROMA-" + (100000 + i), "richiesta_demo", T0, "0", "email"), blocking)) {
                accepted++;
            } else {
                refused = true;
            }
        }
        assertTrue(refused, "the ring must report full");
        assertTrue(accepted <= 64, "no more than the ring holds: " + accepted);
        release.countDown();
        for (int i = 0; i < accepted; i++) {
            assertEquals(Outcome.ACCEPTED, c.next().outcome());
        }
        // the stages release their slots after the listener returns (at the end of a batch): poll, bounded
        final String next = event("CLIENTE-ROMA-999999", "richiesta_demo", T0, "0", "email");
        Await.until("the ring takes events again once the stages drained it", () -> publish(engine, next, c));
        assertEquals(Outcome.ACCEPTED, c.next().outcome());
    }

    @Test
    void shouldRestartFromASnapshotAndEqualAFullReplayEvenWhenTheNewestSnapshotIsCorrupt() throws Exception {
        final Collector c = new Collector();
        final Engine first = engine("");
        for (int i = 0; i < 20; i++) {
            assertTrue(publish(first, event("CLIENTE-ROMA-" + (100000 + i % 7), "richiesta_demo", T0 + i * 1000L, "1.5",
                i % 2 == 0 ? "email" : "fax"), c));
            c.next();
        }
        first.close(); // a clean stop writes a snapshot
        final java.nio.file.Path snapshots = data.resolve("snapshots");
        assertEquals(1, java.nio.file.Files.list(snapshots).count());

        final Engine second = engine("");
        assertNull(OfflineReplay.recorded(second.config(), data).windows().stateDifference(second.windows()));
        assertEquals(first.counters().outcomes(Outcome.REJECTED), second.counters().outcomes(Outcome.REJECTED));
        assertTrue(publish(second, event("CLIENTE-ROMA-200000", "acquisto_concluso", T0 + 60_000, "9.99", "sms"), c));
        assertEquals(Outcome.ACCEPTED, c.next().outcome());
        assertTrue(publish(second, event("CLIENTE-ROMA-100000", "richiesta_demo", T0, "1.5", "email"), c));
        assertEquals(Outcome.DUPLICATE, c.next().outcome(), "the dedupe table came back from the snapshot");
        second.close();
        final java.util.List<java.nio.file.Path> files;
        try (java.util.stream.Stream<java.nio.file.Path> list = java.nio.file.Files.list(snapshots)) {
            files = list.sorted().toList();
        }
        assertEquals(2, files.size());
        final java.nio.file.Path newest = files.get(files.size() - 1);
        final byte[] bytes = java.nio.file.Files.readAllBytes(newest);
        bytes[bytes.length / 2] ^= 0x5A;
        java.nio.file.Files.write(newest, bytes);

        final Engine third = engine("");
        assertNull(OfflineReplay.recorded(third.config(), data).windows().stateDifference(third.windows()),
            "an older snapshot plus the journal tail, or a full replay, never a corrupt state");
        assertEquals(second.counters().outcomes(Outcome.ACCEPTED), third.counters().outcomes(Outcome.ACCEPTED));
        assertEquals(second.counters().outcomes(Outcome.DUPLICATE), third.counters().outcomes(Outcome.DUPLICATE));
    }

    @Test
    void shouldWriteSnapshotsPeriodicallyWhileRunning() throws Exception {
        final Engine engine = engine("pipeline:\n  heartbeat: 20ms\njournal:\n  snapshot_interval: 100ms\n");
        final Collector c = new Collector();
        assertTrue(publish(engine, event("CLIENTE-ROMA-000001", "richiesta_demo", T0, "0", "email"), c));
        c.next();
        final java.nio.file.Path snapshots = data.resolve("snapshots");
        Await.until("a snapshot appears without a stop", () -> hasSnapshot(snapshots));
    }

    @Test
    @Timeout(30)
    void shouldDeleteCyclesPastRetentionAfterAPeriodicSnapshotWithoutAStop() throws Exception {
        final EngineConfig config = EngineConfig.parse(
            "pipeline:\n  heartbeat: 20ms\njournal:\n  retention_cycles: 2\n  snapshot_interval: 100ms\n", CONFIG_DIR);
        final long hourMillis = 3_600_000L;
        final SetTimeProvider past = new SetTimeProvider(
            TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis() - 72 * hourMillis));
        try (SingleWriterJournal old = SingleWriterJournal.open(Engine.journalConfig(config, data), past)) {
            for (int i = 0; i < 2; i++) {
                final byte[] body = event("CLIENTE-ROMA-00000" + i, "richiesta_demo", T0 + i, "0", "email")
                    .getBytes(StandardCharsets.UTF_8);
                assertEquals(JournalStatus.OK, old.appendEvent(i, past.currentTimeMillis(), 0, 202, body, 0,
                    body.length));
                past.advanceMillis(hourMillis);
            }
        }
        final Path events = Engine.journalConfig(config, data).eventsDirectory();
        assertEquals(2, cycleFiles(events), "two hourly cycles from three days ago");

        final Engine engine = Engine.create(config, data, now::get);
        engines.add(engine);
        engine.start();
        final Collector c = new Collector();
        assertTrue(publish(engine, event("CLIENTE-ROMA-000009", "richiesta_demo", T0 + 9, "0", "email"), c));
        c.next();
        Await.until("only the current cycle is left", () -> cycleFilesUnchecked(events) == 1);
        assertEquals(1, cycleFiles(events), "only the current cycle is left, and the engine never stopped");
        assertTrue(engine.isReady());
    }

    private static boolean hasSnapshot(final Path snapshots) {
        if (!java.nio.file.Files.isDirectory(snapshots)) {
            return false;
        }
        try (var files = java.nio.file.Files.list(snapshots)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".bin"));
        } catch (final java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long cycleFilesUnchecked(final Path directory) {
        try {
            return cycleFiles(directory);
        } catch (final java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long cycleFiles(final Path directory) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".cq4")).count();
        }
    }

    @Test
    void shouldRebuildIdenticalStateFromTheJournalAfterARestart() throws Exception {
        final Engine first = engine("");
        final Collector c = new Collector();
        final List<String> bodies = List.of(
            event("CLIENTE-ROMA-000001", "richiesta_demo", T0, "0", "email"),
            event("CLIENTE-ROMA-000001", "richiesta_demo", T0 + 1000, "0", "email"),
            event("CLIENTE-ROMA-000002", "acquisto_concluso", T0 - 400_000, "19.99", "sms"),
            event("CLIENTE-ROMA-000003", "acquisto_concluso", T0 + 3000, "1.5", "fax"),
            "not json");
        for (String b : bodies) {
            assertTrue(publish(first, b, c));
            c.next();
        }
        first.close();
        final Engine second = engine("");
        assertNull(first.windows().stateDifference(second.windows()));
        assertEquals(first.counters().outcomes(Outcome.ACCEPTED), second.counters().outcomes(Outcome.ACCEPTED));
        assertEquals(first.counters().outcomes(Outcome.REJECTED), second.counters().outcomes(Outcome.REJECTED));
        assertEquals(first.dedupeEntries(), second.dedupeEntries());
        // the restarted engine continues the sequence and still knows the old event
        final Collector c2 = new Collector();
        assertTrue(publish(second, bodies.get(0), c2));
        final Seen again = c2.next();
        assertEquals(Outcome.DUPLICATE, again.outcome());
        assertTrue(again.sequence() >= bodies.size(), "sequence continues after the journal: " + again.sequence());
        assertFalse(second.windows().stateDifference(first.windows()) == null, "the new event changed the state");
    }
}
