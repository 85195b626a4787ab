package io.conversioni.alert;

import io.conversioni.config.EngineConfig;
import io.conversioni.journal.TextRecordQueue;
import io.conversioni.pipeline.Outcome;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rule skips the percentile walk while too few values of the window lie above the threshold for the p99 to
 * be above it, and once the window's alert is known to be open; its alerts must be
 * exactly those of judging the p99 after every event, as a reference here does, over random skews near the
 * threshold, several canali and window ends.
 */
class DerivaOrologioRuleTest {
    private static final Path CONFIG_DIR = Path.of("..", "config").toAbsolutePath().normalize();
    private static final long THRESHOLD = 10;
    private static final long MIN_EVENTS = 5;
    private static final long WINDOW = 60_000;
    /** Per stretch of traffic, one event in this many is late (0: none). */
    private static final int[] LATE_ONE_IN = {0, 20, 0, 60, 90, 100, 110, 150};

    @TempDir
    Path data;

    @Test
    void shouldOpenAndResolveExactlyWhenTheP99JudgedAfterEveryEventSays() throws Exception {
        final EngineConfig config = EngineConfig.parse("alerts:\n  deriva_orologio:\n    threshold: " + THRESHOLD
            + "ms\n    min_events: " + MIN_EVENTS + "\n    window: 1m\n", CONFIG_DIR);
        final List<String> canali = config.schema().canali();
        final List<String> changes = new ArrayList<>();
        try (TextRecordQueue journal = TextRecordQueue.open(data.resolve("alerts"))) {
            final AlertBook book = new AlertBook(journal, a -> changes.add(a.chiave() + (a.aperto() ? " opened at "
                + a.apertoIl() : " resolved at " + a.risoltoIl())), 1000);
            final DerivaOrologioRule rule = new DerivaOrologioRule(book, AlertConfig.read(config.alerts()), canali);
            final List<String> expected = reference(canali.size(), canali, 20261201L, rule);
            assertTrue(expected.stream().anyMatch(s -> s.contains("opened")), "the traffic must cross the threshold");
            assertTrue(expected.stream().anyMatch(s -> s.contains("resolved")), "and fall back under it");
            assertEquals(expected, changes);
        }
    }

    /** Feeds the rule and returns the alert changes a p99 taken after every event predicts, in order. */
    private static List<String> reference(final int canaleCount, final List<String> canali, final long seed,
                                          final DerivaOrologioRule rule) {
        final SplittableRandom random = new SplittableRandom(seed);
        final Histogram[] window = new Histogram[canaleCount];
        final long[] windowStart = new long[canaleCount];
        final boolean[] open = new boolean[canaleCount];
        for (int c = 0; c < canaleCount; c++) {
            window[c] = new Histogram(86_400_000L, 2);
            windowStart[c] = Long.MIN_VALUE;
        }
        final List<String> expected = new ArrayList<>();
        final FeedRecord e = new FeedRecord();
        long now = 1_764_590_400_000L;
        for (int i = 0; i < 40_000; i++) {
            // busy stretches (hundreds of events a window: the p99 needs several late ones) and sparse ones
            // (a few dozen: one late event lifts it)
            now += (now / 400_000) % 2 == 0 ? random.nextInt(40) : random.nextInt(6000);
            final int c = random.nextInt(canaleCount);
            // mostly under the threshold; stretches with a share of late events from 5 % down to 0.7 %, around the
            // 1 % that decides the p99 (and the rule's shortcut that skips the walk below about 1 %)
            final int lateOneIn = LATE_ONE_IN[(int) ((now / 150_000) % LATE_ONE_IN.length)];
            final long skew = lateOneIn > 0 && random.nextInt(lateOneIn) == 0 ? 11 + random.nextInt(5000) : random.nextInt(11);
            final long start = Math.floorDiv(now, WINDOW) * WINDOW;
            if (windowStart[c] != start) {
                if (windowStart[c] != Long.MIN_VALUE && open[c] && (window[c].getTotalCount() < MIN_EVENTS
                    || window[c].getValueAtPercentile(99.0) <= THRESHOLD)) {
                    open[c] = false;
                    expected.add("canale=" + canali.get(c) + " resolved at " + now);
                }
                window[c].reset();
                windowStart[c] = start;
            }
            window[c].recordValue(skew);
            if (!open[c] && window[c].getTotalCount() >= MIN_EVENTS && window[c].getValueAtPercentile(99.0) > THRESHOLD) {
                open[c] = true;
                expected.add("canale=" + canali.get(c) + " opened at " + now);
            }
            e.outcome = Outcome.ACCEPTED;
            e.canale = c;
            e.receiveMillis = now;
            e.eventMillis = now - skew;
            rule.onEvent(e, now);
        }
        return expected;
    }
}
