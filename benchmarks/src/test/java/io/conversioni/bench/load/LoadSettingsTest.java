package io.conversioni.bench.load;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warm-up run a measured run starts with: same load, other events, no probe, no file, discarded. */
class LoadSettingsTest {
    private static LoadSettings parse(final String... extra) {
        final String[] base = {"--url", "http://127.0.0.1:9", "--token", "t", "--rate", "2000", "--duration", "10s",
            "--json", "out.json", "--insight-samples", "50", "--batch", "20"};
        final String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return LoadSettings.parse(args);
    }

    @Test
    void shouldHaveNoWarmupUnlessAsked() {
        assertEquals(0, parse().warmupNanos);
        assertEquals(0, parse("--warmup", "0s").warmupNanos);
        assertEquals(0, parse("--warmup", "0ms").warmupNanos);
        assertThrows(IllegalArgumentException.class, () -> parse("--duration", "0s"), "a run of nothing is refused");
    }

    @Test
    void shouldWarmUpWithTheSameLoadButOtherEventsAndNoProbeOrFile() {
        final LoadSettings measured = parse("--warmup", "3s", "--seed", "7");
        final LoadSettings warmup = measured.warmupRun();
        assertEquals(3_000_000_000L, warmup.durationNanos);
        assertEquals(0, warmup.warmupNanos, "a warm-up has no warm-up of its own");
        assertEquals(measured.ratePerSecond, warmup.ratePerSecond);
        assertEquals(measured.connections, warmup.connections);
        assertEquals(measured.batchEvents, warmup.batchEvents);
        assertEquals(measured.duplicateShare, warmup.duplicateShare);
        assertNotEquals(measured.seed, warmup.seed, "the warm-up's events would come back as the run's duplicates");
        assertEquals(0, warmup.insightSamples);
        assertNull(warmup.jsonFile);
        assertTrue(warmup.name.endsWith("-warmup"));
    }

    @Test
    void shouldRefuseAWarmupThatIsNotADuration() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--warmup", "soon"));
        assertTrue(e.getMessage().startsWith("--warmup"), e.getMessage());
    }

    @Test
    void shouldPrintStallsOnlyWhenAskedAndNeverInTheWarmup() {
        assertEquals(0, parse().stallNanos);
        final LoadSettings measured = parse("--stalls", "5ms", "--warmup", "2s");
        assertEquals(5_000_000L, measured.stallNanos);
        assertEquals(0, measured.warmupRun().stallNanos, "the warm-up's stalls are not the run's");
        assertThrows(IllegalArgumentException.class, () -> parse("--stalls", "soon"));
    }

    @Test
    void shouldSpreadTheLoadOverEveryUrlAndProbeTheFirstUnlessToldOtherwise() {
        final LoadSettings one = parse();
        assertEquals(1, one.targets.length);
        assertEquals(one.target, one.insightTarget, "by default the probe polls the server it posts to");
        assertEquals(LoadSettings.DEFAULT_INSIGHT_POLL_NANOS, one.insightPollNanos);
        assertEquals(2_000_000_000L, one.insightTimeoutNanos);

        final LoadSettings cluster = LoadSettings.parse(new String[] {"--url", "http://127.0.0.1:9, http://127.0.0.1:10",
            "--token", "t", "--rate", "100", "--duration", "1s", "--insight-url", "http://127.0.0.1:11",
            "--insight-poll", "10ms", "--insight-timeout", "5s"});
        assertEquals(2, cluster.targets.length);
        assertEquals(9, cluster.target.getPort(), "the probe posts to the first --url");
        assertEquals(10, cluster.targets[1].getPort());
        assertEquals(11, cluster.insightTarget.getPort());
        assertEquals(10_000_000L, cluster.insightPollNanos);
        assertEquals(5_000_000_000L, cluster.insightTimeoutNanos);
        assertEquals(cluster.targets, cluster.warmupRun().targets, "the warm-up loads the same servers");
    }

    @Test
    void shouldRefuseANonLoopbackUrlAnywhereInTheList() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> parse("--url", "http://127.0.0.1:9,http://192.0.2.1:9"));
        assertTrue(e.getMessage().startsWith("--url must be a loopback"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> parse("--insight-url", "http://192.0.2.1:9"));
        assertThrows(IllegalArgumentException.class, () -> parse("--insight-timeout", "0s"));
    }
}
