package io.conversioni.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
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

    /** A JMH result as ResultsReport reads it. */
    private static String jmh(final String benchmark, final String params, final double score, final String unit) {
        return "{\"benchmark\":\"io.conversioni.bench." + benchmark + "\",\"params\":{" + params + "},\"primaryMetric\":"
            + "{\"score\":" + score + ",\"scoreError\":1.0,\"scoreUnit\":\"" + unit + "\"},\"secondaryMetrics\":"
            + "{\"gc.alloc.rate.norm\":{\"score\":0.0}}}";
    }

    /**
     * One run's stages: the seeded decode 400 ns (the single article body, 300, is not the pipeline's traffic), the
     * ASYNC journal 300 (not SYNC), the full table in the shipped mode (PROXIMITY) 280 (not BUCKET), the window
     * update with its latency record 20 (not without, 15): 1000 ns, a bound of 1 M events/s. The shipped wiring (1
     * thread, blocking) did 500k events/s, another wiring more.
     */
    private static String stagesFixture(final boolean withLatencyRecord) {
        return "[" + jmh("PipelineThroughputBenchmark.publishOneEvent", "\"stageThreads\":\"2\",\"waitStrategy\":\"blocking\"",
            900_000, "ops/s") + "," + jmh("PipelineThroughputBenchmark.publishOneEvent",
            "\"stageThreads\":\"1\",\"waitStrategy\":\"blocking\"", 500_000, "ops/s") + ","
            + jmh("DecodeValidateBenchmark.conversioniDecodeValidate", "", 300, "ns/op") + ","
            + jmh("DecodeValidateBenchmark.conversioniDecodeValidateSeeded", "", 400, "ns/op") + ","
            + jmh("JournalAppendBenchmark.appendEvent", "\"durability\":\"SYNC\"", 160_000, "ns/op") + ","
            + jmh("JournalAppendBenchmark.appendEvent", "\"durability\":\"ASYNC\"", 300, "ns/op") + ","
            + jmh("DedupeBenchmark.isDuplicate", "\"capacitySlots\":\"131072\",\"mode\":\"PROXIMITY\"", 60, "ns/op") + ","
            + jmh("DedupeFullTableBenchmark.isDuplicate", "\"mode\":\"BUCKET\"", 100, "ns/op") + ","
            + jmh("DedupeFullTableBenchmark.isDuplicate", "\"mode\":\"PROXIMITY\"", 280, "ns/op") + ","
            + jmh("WindowUpdateBenchmark.onEvent", "", 15, "ns/op")
            + (withLatencyRecord ? "," + jmh("WindowUpdateBenchmark.onEventAndInsightLatency", "", 20, "ns/op") : "") + "]";
    }

    private static final String BATCH_RUN = "{\"name\":\"conversioni-batch500-max\",\"throughput_rps\":600,"
        + "\"events_per_s\":300000,\"batch\":500,\"rate\":\"max\",\"connections\":4,\"duration_s\":10.0,"
        + "\"requests_answered\":6000,\"status_counts\":{\"202\":6000},\"errors\":{}}";

    private static JsonNode entry(final JsonNode results, final String name) {
        for (JsonNode r : results) {
            if (r.path("name").asText().equals(name)) {
                return r;
            }
        }
        return null;
    }

    @Test
    void shouldWriteThePipelineEfficiencyAndItsPartsFromTheStagesOfTheSameRun(@TempDir final Path dir) throws Exception {
        Files.writeString(dir.resolve("jmh.json"), stagesFixture(true));
        Files.writeString(dir.resolve("batch.json"), BATCH_RUN);
        ResultsReport.main(new String[] {dir.resolve("jmh.json").toString(), dir.resolve("latest.json").toString(),
            dir.resolve("latest.md").toString(), dir.resolve("batch.json").toString()});
        final JsonNode results = JSON.readTree(dir.resolve("latest.json").toFile());

        final JsonNode efficiency = entry(results, "ratio.pipeline_efficiency");
        assertNotNull(efficiency, results.toString());
        assertEquals(0.5, efficiency.path("score").asDouble(), 1e-9);
        assertEquals("ratio", efficiency.path("unit").asText());
        assertEquals(1000, efficiency.path("stage_sum_ns_per_event").asDouble(), 1e-9);
        assertEquals(1_000_000, efficiency.path("bound_events_per_s").asDouble(), 1e-3);
        assertEquals(500_000, efficiency.path("pipeline_events_per_s").asDouble(), 1e-9);
        assertEquals("1", efficiency.path("params").path("stageThreads").asText());
        assertEquals(4, efficiency.path("stages").size());
        assertEquals("DecodeValidateBenchmark.conversioniDecodeValidateSeeded",
            efficiency.path("stages").get(0).path("benchmark").asText());
        assertEquals("durability=ASYNC", efficiency.path("stages").get(1).path("params").asText());
        assertEquals(280, efficiency.path("stages").get(2).path("ns_per_event").asDouble(), 1e-9);
        assertEquals("WindowUpdateBenchmark.onEventAndInsightLatency", efficiency.path("stages").get(3).path("benchmark").asText());

        // 300k events/s against min(1 M, 0.8 × 500k) = 400k
        final JsonNode batch = entry(results, "ratio.batch_vs_target");
        assertNotNull(batch, results.toString());
        assertEquals(0.75, batch.path("score").asDouble(), 1e-9);
        assertEquals(400_000, batch.path("target_events_per_s").asDouble(), 1e-6);
        assertEquals(0.6, batch.path("batch_vs_pipeline").asDouble(), 1e-9);

        final String md = Files.readString(dir.resolve("latest.md"));
        assertTrue(md.contains("| pipeline efficiency (stageThreads=1, waitStrategy=blocking) | 0.50: 500000 events/s of a bound "
            + "of 1000000 events/s (1 / 1000 ns, the sum of its stages, below) | ≥ 0.8 |"), md);
        assertTrue(md.contains("| decode + validate | DecodeValidateBenchmark.conversioniDecodeValidateSeeded | 400 |"), md);
        assertTrue(md.contains("| journal append | JournalAppendBenchmark.appendEvent (durability=ASYNC) | 300 |"), md);
        assertTrue(md.contains("| dedupe, table full (131072 slots) | DedupeFullTableBenchmark.isDuplicate (mode=PROXIMITY) | 280 |"), md);
        assertTrue(md.contains("| window update + insight latency | WindowUpdateBenchmark.onEventAndInsightLatency | 20.000 |"), md);
        assertTrue(md.contains("| the sum: a bound of 1000000 events/s on one stage thread; the pipeline: 500000 events/s | | 1000 |"), md);
        assertTrue(md.contains("vs its target | 0.75: 300000 events/s of 400000 events/s (0.8 × the pipeline, lower than 1 M); "
            + "0.60 of the in-process pipeline's 500000 events/s |"), md);
    }

    @Test
    void shouldTakeTheWindowUpdateWithoutItsLatencyRecordFromAResultFileThatLacksIt() throws Exception {
        final PeerRatios ratios = new PeerRatios(toEntries(stagesFixture(false)), Path.of("..", "config"));
        final JsonNode efficiency = ratios.efficiency().efficiency();
        assertNotNull(efficiency);
        assertEquals(995, efficiency.path("stage_sum_ns_per_event").asDouble(), 1e-9);
        assertEquals("WindowUpdateBenchmark.onEvent", efficiency.path("stages").get(3).path("benchmark").asText());
    }

    @Test
    void shouldNameTheStageThatWasNotMeasuredInsteadOfARatio() throws Exception {
        final String withoutAsyncJournal = stagesFixture(true).replace("\"ASYNC\"", "\"SOMETHING_ELSE\"");
        final PeerRatios ratios = new PeerRatios(toEntries(withoutAsyncJournal), Path.of("..", "config"));
        assertNull(ratios.efficiency().efficiency());
        assertTrue(ratios.markdown().contains("| pipeline efficiency (events/s ÷ the bound of its stages' ns/event) | not measured: "
            + "JournalAppendBenchmark.appendEvent (durability=ASYNC) | ≥ 0.8 |"), ratios.markdown());
    }

    @Test
    void shouldHoldTheBatchToOneMillionEventsASecondWhenThePipelineIsFasterThanThat() throws Exception {
        final JsonNode results = JSON.readTree("[{\"name\":\"PipelineThroughputBenchmark.publishOneEvent\",\"params\":"
            + "{\"stageThreads\":\"1\",\"waitStrategy\":\"blocking\"},\"score\":2000000,\"unit\":\"ops/s\"},"
            + "{\"name\":\"http.conversioni-batch500-max\",\"score\":900000,\"unit\":\"events/s\"}]");
        final JsonNode batch = new PeerRatios(results, Path.of("..", "config")).efficiency().batch();
        assertEquals(1_000_000, batch.path("target_events_per_s").asDouble(), 1e-6);
        assertEquals(0.9, batch.path("score").asDouble(), 1e-9);
        assertEquals(0.45, batch.path("batch_vs_pipeline").asDouble(), 1e-9);
    }

    /** The JMH fixture as the entries ResultsReport makes of it (name without the package, score, params). */
    private static JsonNode toEntries(final String jmhFixture) throws Exception {
        final com.fasterxml.jackson.databind.node.ArrayNode out = JSON.createArrayNode();
        for (JsonNode run : JSON.readTree(jmhFixture)) {
            final com.fasterxml.jackson.databind.node.ObjectNode o = out.addObject();
            o.put("name", run.path("benchmark").asText().replace("io.conversioni.bench.", ""));
            o.set("params", run.path("params"));
            o.put("score", run.path("primaryMetric").path("score").asDouble());
            o.put("unit", run.path("primaryMetric").path("scoreUnit").asText());
        }
        return out;
    }
}
