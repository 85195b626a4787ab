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
}
