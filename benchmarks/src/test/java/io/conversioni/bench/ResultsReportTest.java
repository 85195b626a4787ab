package io.conversioni.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules benchmarks/run.sh fails on: errors and per-event allocation, never slowness. */
class ResultsReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode http(final String statusCounts, final String errors, final long answered) throws Exception {
        return JSON.readTree("{\"name\":\"x\",\"throughput_rps\":10,\"requests_answered\":" + answered
            + ",\"status_counts\":" + statusCounts + ",\"errors\":" + errors + "}");
    }

    @Test
    void shouldPassASlowHttpRunWithBackpressureAndClientErrors() throws Exception {
        assertNull(ResultsReport.loadError(true, http("{\"202\":5,\"400\":2,\"503\":9}", "{\"not sent before the drain deadline\":40}", 16)));
    }

    @Test
    void shouldFailAnHttpRunWithAServerErrorAProtocolErrorOrNoAnswerAtAll() throws Exception {
        assertNotNull(ResultsReport.loadError(true, http("{\"202\":5,\"500\":1}", "{}", 6)));
        assertNotNull(ResultsReport.loadError(true, http("{\"202\":5}", "{\"protocol: bad status line\":1}", 5)));
        assertNotNull(ResultsReport.loadError(true, http("{}", "{}", 0)));
    }

    @Test
    void shouldFailAPacedRunThatLostEvents() throws Exception {
        assertNotNull(ResultsReport.loadError(false, JSON.readTree("{\"events\":100,\"insight_latency_ms\":{\"count\":99}}")));
        assertNull(ResultsReport.loadError(false, JSON.readTree("{\"events\":100,\"insight_latency_ms\":{\"count\":100}}")));
    }

    @Test
    void shouldGateEngineStagesButNotPeersSyncJournalsOrTheWholeJvmPipelineFigure() {
        assertTrue(ResultsReport.gated("DedupeBenchmark.isDuplicate", "mode=PROXIMITY"));
        assertTrue(ResultsReport.gated("JournalAppendBenchmark.appendEvent", "durability=ASYNC"));
        assertFalse(ResultsReport.gated("JournalAppendBenchmark.appendEvent", "durability=SYNC"));
        assertFalse(ResultsReport.gated("peers.JacksonRedisPeerBenchmark.processOneEvent", ""));
        assertFalse(ResultsReport.gated("DecodeValidateBenchmark.jacksonNetworkntDecodeValidate", ""));
        assertFalse(ResultsReport.gated("PipelineThroughputBenchmark.publishOneEvent", "stageThreads=1"));
        assertFalse(ResultsReport.gated("ReplayBenchmark.replayJournal", ""));
        assertTrue(ResultsReport.gated("WindowUpdateBenchmark.onEvent", ""));
    }

    private static String entry(final String name, final double score) {
        return "{\"name\":\"http." + name + "\",\"score\":" + score + ",\"unit\":\"req/s\"}";
    }

    @Test
    void shouldTakeTheHttpCeilingRatioAsTheMedianOfTheAlternatedRounds() throws Exception {
        // round 2 ran in a slow spell for the bare handler: its ratio is the outlier the median leaves out
        final JsonNode results = JSON.readTree("[" + entry("bare-single-max-1", 40_000) + ","
            + entry("conversioni-single-max-1", 34_000) + "," + entry("conversioni-single-max-2", 30_000) + ","
            + entry("bare-single-max-2", 20_000) + "," + entry("bare-single-max-3", 36_000) + ","
            + entry("conversioni-single-max-3", 27_000) + "," + entry("bare-single-max-4", 36_000) + "]");
        final PeerRatios ratios = new PeerRatios(results, Path.of("..", "config"));
        // round 4 has no conversioni run: three rounds
        assertEquals(3, ratios.ceilingRounds().size());
        final String line = PeerRatios.ceilingRatio(ratios.ceilingRounds());
        assertTrue(line.startsWith("0.85, the median of 3 alternated rounds: 0.85 "), line);
        assertTrue(line.contains("; 1.50 ") && line.contains("; 0.75 "), line);
        assertTrue(ratios.markdown().contains(line), "the ratio line of latest.md");
    }

    @Test
    void shouldReadTheSinglePairOfResultFilesFromBeforeTheRounds() throws Exception {
        final JsonNode results = JSON.readTree("[" + entry("bare-single-max", 40_000) + ","
            + entry("conversioni-single-max", 30_000) + "]");
        final PeerRatios ratios = new PeerRatios(results, Path.of("..", "config"));
        assertEquals(1, ratios.ceilingRounds().size());
        assertTrue(PeerRatios.ceilingRatio(ratios.ceilingRounds()).startsWith("0.75 ("));
        assertEquals(0.75, PeerRatios.median(new double[] {0.5, 1.0, 0.7, 0.8}), 1e-12);
    }
}
