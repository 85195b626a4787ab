package io.conversioni.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

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
}
