package io.conversioni.pipeline;

import io.conversioni.config.EngineConfig;
import io.conversioni.pipeline.EngineFixtures.Collector;
import io.conversioni.testkit.LeakCheck;
import io.conversioni.window.WindowSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static io.conversioni.pipeline.EngineFixtures.CONFIG_DIR;
import static io.conversioni.pipeline.EngineFixtures.T0;
import static io.conversioni.pipeline.EngineFixtures.event;
import static io.conversioni.pipeline.EngineFixtures.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline (real Chronicle journal in a temp dir) against a straightforward model: seeded
 * random mixes of valid, invalid, re-delivered, near-duplicate, out-of-order, future and too-old
 * events. Outcomes, per-window counts and sums, and the state rebuilt from the journal must all agree,
 * for every stage wiring ({@code pipeline.stage_threads} 0, 1, 2 and 4) and with both journal durabilities.
 */
@Timeout(120)
@ExtendWith(LeakCheck.class)
class EngineAgainstModelTest {
    private static final long WINDOW = 300_000;
    private static final String[] EVENTI = {"richiesta_demo", "acquisto_concluso", "iscrizione_evento", "cancello_abbandono"};
    private static final String[] CANALI = {"email", "social_media", "webform", "sms"};

    @TempDir
    Path data;

    private final List<Engine> engines = new ArrayList<>();
    private final AtomicLong now = new AtomicLong();

    @AfterEach
    void closeEngines() {
        engines.forEach(Engine::close);
    }

    private Engine engine(final String yaml) throws Exception {
        final Engine engine = Engine.create(EngineConfig.parse(yaml, CONFIG_DIR), data, now::get);
        engines.add(engine);
        engine.start();
        return engine;
    }

    /** What the model expects of one event. */
    private record Expected(int outcome, long windowStart, long cents) {
    }

    /**
     * Every stage wiring with the page-cache journal and with a flush per batch; the default wiring (one
     * thread) with three seeds, the others with one (each run takes seconds on two cores).
     */
    static Stream<Arguments> wirings() {
        final List<Arguments> all = new ArrayList<>();
        for (int threads : new int[] {0, 1, 2, 4}) {
            for (long seed : threads == 1 ? new long[] {1L, 42L, 20261128L} : new long[] {42L}) {
                all.add(Arguments.of(seed, threads, "async"));
            }
            all.add(Arguments.of(7L + threads, threads, "sync"));
        }
        return all.stream();
    }

    @Tag("slow")
    @ParameterizedTest(name = "seed {0}, stage_threads {1}, durability {2}")
    @MethodSource("wirings")
    void shouldMatchAStraightforwardModelForRandomMixes(final long seed, final int stageThreads, final String durability)
        throws Exception {
        now.set(T0 + 30 * 60_000);
        final String yaml = "pipeline:\n  stage_threads: " + stageThreads + "\njournal:\n  durability: " + durability + "\n";
        final Engine engine = engine(yaml);
        final Random random = new Random(seed);
        final List<String> bodies = new ArrayList<>();
        final List<Expected> expected = new ArrayList<>();
        final Map<String, List<Long>> inserted = new HashMap<>();
        final List<String> sent = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            final double kind = random.nextDouble();
            final String id = String.format("CLIENTE-ROMA-%06d", random.nextInt(40));
            final String evento = EVENTI[random.nextInt(EVENTI.length)];
            final long cents = random.nextInt(100_000);
            final String valore = (cents / 100) + "." + String.format("%02d", cents % 100);
            long time = T0 + random.nextInt(8 * 60_000) - 4 * 60_000;
            if (i > 0 && kind < 0.10) {
                final int earlier = random.nextInt(sent.size());
                bodies.add(sent.get(earlier)); // a webhook re-delivery, byte for byte
                expected.add(null);
                continue;
            }
            String canale = CANALI[random.nextInt(CANALI.length)];
            if (i > 0 && kind < 0.18) {
                canale = "fax";
            } else if (i > 0 && kind < 0.22) {
                time = now.get() + 120_000 + random.nextInt(60_000);
            } else if (i > 0 && kind < 0.26) {
                time = T0 - 3L * 86_400_000;
            }
            final String body = event(id, evento, time, valore, canale);
            bodies.add(body);
            sent.add(body);
            expected.add(new Expected(0, time, cents));
        }
        // the model, in publish order
        final Map<Long, long[]> windows = new HashMap<>();
        final int[] outcomes = new int[Outcome.JOURNAL_FAILED + 1];
        final List<Integer> expectedOutcome = new ArrayList<>();
        final Map<String, Expected> bySentBody = new HashMap<>();
        for (int i = 0; i < bodies.size(); i++) {
            final String body = bodies.get(i);
            final Expected e = expected.get(i) != null ? expected.get(i) : bySentBody.get(body);
            bySentBody.putIfAbsent(body, e);
            final int outcome;
            if (body.contains("\"fax\"")) {
                outcome = Outcome.REJECTED;
            } else if (e.windowStart() - now.get() > 60_000) {
                outcome = Outcome.FUTURE;
            } else if (e.windowStart() < T0 - 86_400_000L) {
                outcome = Outcome.TOO_LATE;
            } else {
                final String key = body.substring(0, body.indexOf("\"timestamp\""));
                final List<Long> times = inserted.computeIfAbsent(key, k -> new ArrayList<>());
                final boolean duplicate = times.stream().anyMatch(t -> Math.abs(t - e.windowStart()) <= WINDOW);
                final long[] w = windows.computeIfAbsent(Math.floorDiv(e.windowStart(), WINDOW) * WINDOW, k -> new long[3]);
                if (duplicate) {
                    w[1]++;
                    outcome = Outcome.DUPLICATE;
                } else {
                    times.add(e.windowStart());
                    w[0]++;
                    w[2] += e.cents();
                    outcome = Outcome.ACCEPTED;
                }
            }
            outcomes[outcome]++;
            expectedOutcome.add(outcome);
        }
        // the engine
        final Collector c = new Collector();
        for (int i = 0; i < bodies.size(); i++) {
            assertTrue(publish(engine, bodies.get(i), c));
            assertEquals(expectedOutcome.get(i), c.next().outcome(), "event " + i + ": " + bodies.get(i));
        }
        for (int o = Outcome.ACCEPTED; o <= Outcome.FUTURE; o++) {
            assertEquals(outcomes[o], engine.counters().outcomes(o), "outcome " + Outcome.esito(o));
        }
        final WindowSnapshot snapshot = engine.windows().newSnapshot();
        for (Map.Entry<Long, long[]> w : windows.entrySet()) {
            assertTrue(engine.windows().readWindow(w.getKey(), snapshot));
            assertEquals(w.getValue()[0], snapshot.total().uniqueCount(), "unique in " + w.getKey());
            assertEquals(w.getValue()[1], snapshot.total().duplicateCount(), "duplicates in " + w.getKey());
            assertEquals(w.getValue()[2], snapshot.total().valueSumCents(), "cents in " + w.getKey());
        }
        assertTrue(outcomes[Outcome.DUPLICATE] > 50 && outcomes[Outcome.REJECTED] > 50 && outcomes[Outcome.FUTURE] > 20
            && outcomes[Outcome.TOO_LATE] > 20, "the mix exercises every outcome");
        // determinism: fresh stores fed only from the journal reach the same state (a full replay) ...
        engine.close();
        final OfflineReplay replayed = OfflineReplay.recorded(EngineConfig.parse(yaml, CONFIG_DIR), data);
        assertNull(engine.windows().stateDifference(replayed.windows()));
        for (int o = Outcome.ACCEPTED; o <= Outcome.FUTURE; o++) {
            assertEquals(engine.counters().outcomes(o), replayed.counters().outcomes(o));
        }
        // ... and so does a restart, from the snapshot written at the clean stop
        final Engine rebuilt = engine(yaml);
        assertNull(engine.windows().stateDifference(rebuilt.windows()));
        for (int o = Outcome.ACCEPTED; o <= Outcome.FUTURE; o++) {
            assertEquals(engine.counters().outcomes(o), rebuilt.counters().outcomes(o));
        }
        assertEquals(engine.dedupeEntries(), rebuilt.dedupeEntries());
    }
}
