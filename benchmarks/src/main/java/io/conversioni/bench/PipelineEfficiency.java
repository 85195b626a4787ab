package io.conversioni.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;

/**
 * The gap between the in-process pipeline and its parts, from the entries of one run ({@link ResultsReport}):
 * pipeline efficiency = the pipeline's events/s ÷ (1 / the sum of its stages' ns per event), where each stage's
 * cost is the benchmark that runs it on the pipeline's traffic and table fill ({@link #STAGES}; the choice is
 * argued in docs/performance.md), and the NDJSON batch rate against its target (1 M events/s, or 0.8 of the
 * pipeline's rate when that is lower). Each figure becomes an entry of {@code latest.json} (named
 * {@code ratio.*}, with its parts) and a line of {@code latest.md}; a missing input is named, never guessed.
 * Main thread, once; allocates freely.
 */
final class PipelineEfficiency {
    /** The efficiency the issue asks for. */
    static final double EFFICIENCY_TARGET = 0.8;
    /** The NDJSON batch target: this many events/s, or {@link #BATCH_SHARE_OF_PIPELINE} of the pipeline if lower. */
    static final double BATCH_TARGET_EVENTS_PER_S = 1_000_000;
    static final double BATCH_SHARE_OF_PIPELINE = 0.8;

    /**
     * Stage, benchmark (JMH name as {@link ResultsReport} writes it), the parameter that must match, and a fallback
     * benchmark for result files without the first (null: none). The dedupe row's mode is the shipped one.
     */
    private static final String[][] STAGES = {
        {"decode + validate", "DecodeValidateBenchmark.conversioniDecodeValidateSeeded", "", null},
        {"journal append", "JournalAppendBenchmark.appendEvent", "durability=ASYNC", null},
        {"dedupe, table full (131072 slots)", "DedupeFullTableBenchmark.isDuplicate", "mode=%s", null},
        {"window update + insight latency", "WindowUpdateBenchmark.onEventAndInsightLatency", "",
            "WindowUpdateBenchmark.onEvent"},
    };

    private final JsonNode results;
    private final JsonNode pipeline;
    private final String dedupeMode;

    /**
     * @param results    the run's entries
     * @param pipeline   the pipeline entry measured with the shipped wiring (null: not measured)
     * @param dedupeMode the shipped {@code dedupe.mode}, as the benchmark's parameter (PROXIMITY)
     */
    PipelineEfficiency(final JsonNode results, final JsonNode pipeline, final String dedupeMode) {
        this.results = results;
        this.pipeline = pipeline;
        this.dedupeMode = dedupeMode;
    }

    /** The {@code ratio.pipeline_efficiency} entry, or null when the pipeline or a stage was not measured. */
    ObjectNode efficiency() {
        if (pipeline == null || missingStages().length() > 0) {
            return null;
        }
        final ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", "ratio.pipeline_efficiency");
        o.set("params", pipeline.path("params").deepCopy());
        double sumNanos = 0;
        final var stages = JsonNodeFactory.instance.arrayNode();
        for (String[] s : STAGES) {
            final JsonNode entry = stage(s);
            final double nanos = entry.path("score").asDouble();
            sumNanos += nanos;
            stages.addObject().put("stage", s[0]).put("benchmark", entry.path("name").asText())
                .put("params", PeerRatios.params(entry)).put("ns_per_event", nanos);
        }
        final double bound = 1e9 / sumNanos;
        final double rate = pipeline.path("score").asDouble();
        o.put("score", rate / bound);
        o.put("unit", "ratio");
        o.putNull("error");
        o.putNull("alloc_bytes_per_op");
        o.set("stages", stages);
        o.put("stage_sum_ns_per_event", sumNanos);
        o.put("bound_events_per_s", bound);
        o.put("pipeline_events_per_s", rate);
        o.put("target", EFFICIENCY_TARGET);
        return o;
    }

    /**
     * The {@code ratio.batch_vs_target} entry (score: the batch rate ÷ its target), or null when the batch run or
     * the pipeline is missing.
     */
    ObjectNode batch() {
        final JsonNode batch = PeerRatios.firstPrefix(results, "http.conversioni-batch");
        if (batch == null || pipeline == null) {
            return null;
        }
        final double rate = batch.path("score").asDouble();
        final double pipelineRate = pipeline.path("score").asDouble();
        final double target = Math.min(BATCH_TARGET_EVENTS_PER_S, BATCH_SHARE_OF_PIPELINE * pipelineRate);
        final ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", "ratio.batch_vs_target");
        o.set("params", batch.path("params").deepCopy());
        o.put("score", rate / target);
        o.put("unit", "ratio");
        o.putNull("error");
        o.putNull("alloc_bytes_per_op");
        o.put("batch_events_per_s", rate);
        o.put("pipeline_events_per_s", pipelineRate);
        o.put("batch_vs_pipeline", rate / pipelineRate);
        o.put("target_events_per_s", target);
        return o;
    }

    /** The lines of the ratio table: what the two entries say, or what is missing. */
    String ratioLines() {
        final StringBuilder md = new StringBuilder();
        final ObjectNode e = efficiency();
        if (e == null) {
            md.append("| pipeline efficiency (events/s ÷ the bound of its stages' ns/event) | not measured: ")
                .append(pipeline == null ? "the pipeline" : missingStages()).append(" | ≥ 0.8 |\n");
        } else {
            md.append(String.format(Locale.ROOT, "| pipeline efficiency (%s) | %.2f: %s events/s of a bound of %s "
                    + "events/s (1 / %.0f ns, the sum of its stages, below) | ≥ %.1f |%n", PeerRatios.params(pipeline),
                e.path("score").asDouble(), ResultsReport.format(e.path("pipeline_events_per_s").asDouble()),
                ResultsReport.format(e.path("bound_events_per_s").asDouble()), e.path("stage_sum_ns_per_event").asDouble(),
                EFFICIENCY_TARGET));
        }
        final ObjectNode b = batch();
        if (b != null) {
            final boolean share = b.path("target_events_per_s").asDouble() < BATCH_TARGET_EVENTS_PER_S;
            md.append(String.format(Locale.ROOT, "| NDJSON batch ingest over HTTP (%s) vs its target | %.2f: %s events/s "
                    + "of %s events/s (%s); %.2f of the in-process pipeline's %s events/s | ≥ 1 (1 M events/s, or 0.8 "
                    + "of the in-process pipeline if that is lower) |%n", PeerRatios.params(b), b.path("score").asDouble(),
                ResultsReport.format(b.path("batch_events_per_s").asDouble()),
                ResultsReport.format(b.path("target_events_per_s").asDouble()),
                share ? "0.8 × the pipeline, lower than 1 M" : "1 M", b.path("batch_vs_pipeline").asDouble(),
                ResultsReport.format(b.path("pipeline_events_per_s").asDouble())));
        }
        return md.toString();
    }

    /** The efficiency's parts, a table of their own ("" when the efficiency was not measured). */
    String stageTable() {
        final ObjectNode e = efficiency();
        if (e == null) {
            return "";
        }
        final StringBuilder md = new StringBuilder("| pipeline stage (same traffic, same table fill) | benchmark | ns/event |\n"
            + "|---|---|---|\n");
        for (JsonNode s : e.path("stages")) {
            md.append("| ").append(s.path("stage").asText()).append(" | ").append(s.path("benchmark").asText())
                .append(s.path("params").asText().isEmpty() ? "" : " (" + s.path("params").asText() + ")").append(" | ")
                .append(ResultsReport.format(s.path("ns_per_event").asDouble())).append(" |\n");
        }
        md.append(String.format(Locale.ROOT, "| the sum: a bound of %s events/s on one stage thread; the pipeline: %s "
                + "events/s | | %s |%n", ResultsReport.format(e.path("bound_events_per_s").asDouble()),
            ResultsReport.format(e.path("pipeline_events_per_s").asDouble()),
            ResultsReport.format(e.path("stage_sum_ns_per_event").asDouble())));
        return md.toString();
    }

    /** The stages without a measurement in this run, comma-separated ("" when none). */
    private String missingStages() {
        final StringBuilder missing = new StringBuilder();
        for (String[] s : STAGES) {
            if (stage(s) == null) {
                missing.append(missing.length() > 0 ? ", " : "").append(s[1]).append(s[2].isEmpty() ? "" : " (" + params(s) + ")");
            }
        }
        return missing.toString();
    }

    private JsonNode stage(final String[] s) {
        final JsonNode found = find(s[1], params(s));
        return found != null || s[3] == null ? found : find(s[3], params(s));
    }

    private String params(final String[] s) {
        return String.format(Locale.ROOT, s[2], dedupeMode);
    }

    /** The entry of this benchmark whose params include {@code params} (one "k=v" or ""), or null. */
    private JsonNode find(final String name, final String params) {
        for (JsonNode r : results) {
            if (r.path("name").asText().equals(name) && r.path("score").asDouble() > 0
                && (params.isEmpty() || PeerRatios.params(r).contains(params))) {
                return r;
            }
        }
        return null;
    }
}
