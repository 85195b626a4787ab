package io.conversioni.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Turns JMH's JSON output, plus the load tests' reports (the HTTP runs of {@code benchmarks/http.sh} and the paced
 * in-process run of {@link PacedInsightLatency}), into {@code benchmarks/results/latest.json} (one object per
 * benchmark: name, params, score, unit, error, alloc_bytes_per_op, and for load tests their latency and
 * insight-latency percentiles; then the {@code ratio.*} entries of {@link PipelineEfficiency}, each with its parts)
 * and a Markdown summary: the table, then the ratios against each peer and the pipeline's efficiency
 * ({@link PeerRatios}). It enforces the rules CI gates on: no engine stage may allocate per event, and no
 * benchmark may error (a JMH benchmark that produced no score, an HTTP run with a 5xx other than 503, a protocol
 * error or nothing answered, a paced run that lost events). Timings never fail a build (machines are noisy).
 * Usage: {@code ResultsReport JMH_JSON OUT_JSON OUT_MARKDOWN [LOAD_JSON...]}; exit 1 when a rule is broken.
 * Runs once after the benchmarks; allocates freely.
 */
public final class ResultsReport {
    /**
     * At or above this many bytes per operation a zero-allocation claim is broken: one object per event is
     * at least 16 B/op, while JMH's and the JVM's background noise stays well under 1 B/op.
     */
    static final double ALLOCATION_LIMIT_BYTES = 4.0;

    private ResultsReport() {
    }

    public static void main(final String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: ResultsReport JMH_JSON OUT_JSON OUT_MARKDOWN [LOAD_JSON...]");
            System.exit(2);
        }
        final ObjectMapper json = new ObjectMapper();
        final ArrayNode out = json.createArrayNode();
        final StringBuilder md = new StringBuilder("| benchmark | params | score | error | unit | alloc B/op "
            + "| latency p50 / p90 / p99 / p99.9 / max (ms) | insight p50 / p99 / p99.9 (ms) |\n|---|---|---|---|---|---|---|---|\n");
        int broken = jmh(json.readTree(Path.of(args[0]).toFile()), out, md);
        for (int i = 3; i < args.length; i++) {
            final JsonNode load = json.readTree(Path.of(args[i]).toFile());
            if (load.isArray()) {
                for (JsonNode one : load) {
                    broken += loadRun(one, out, md);
                }
            } else {
                broken += loadRun(load, out, md);
            }
        }
        final PeerRatios ratios = new PeerRatios(out, SeededTraffic.configDir());
        md.append('\n').append(ratios.markdown());
        for (ObjectNode entry : new ObjectNode[] {ratios.efficiency().efficiency(), ratios.efficiency().batch()}) {
            if (entry != null) {
                out.add(entry);
            }
        }
        Files.createDirectories(Path.of(args[1]).toAbsolutePath().getParent());
        json.writerWithDefaultPrettyPrinter().writeValue(Path.of(args[1]).toFile(), out);
        Files.writeString(Path.of(args[2]), md.toString());
        System.out.print(md);
        if (broken > 0) {
            System.exit(1);
        }
    }

    /** The JMH runs; returns how many broke a rule. */
    private static int jmh(final JsonNode runs, final ArrayNode out, final StringBuilder md) {
        int broken = 0;
        for (JsonNode run : runs) {
            final String name = run.path("benchmark").asText().replace("io.conversioni.bench.", "");
            final JsonNode primary = run.path("primaryMetric");
            final JsonNode alloc = run.path("secondaryMetrics").path("gc.alloc.rate.norm");
            final ObjectNode o = out.addObject();
            o.put("name", name);
            final StringBuilder params = new StringBuilder();
            final Iterator<Map.Entry<String, JsonNode>> p = run.path("params").fields();
            while (p.hasNext()) {
                final Map.Entry<String, JsonNode> e = p.next();
                o.withObject("/params").put(e.getKey(), e.getValue().asText());
                params.append(params.length() > 0 ? ", " : "").append(e.getKey()).append('=').append(e.getValue().asText());
            }
            final double score = primary.path("score").asDouble(Double.NaN);
            o.put("score", score);
            o.put("unit", primary.path("scoreUnit").asText());
            o.put("error", primary.path("scoreError").asDouble());
            final double bytes = alloc.isMissingNode() ? Double.NaN : alloc.path("score").asDouble();
            if (alloc.isMissingNode()) {
                o.putNull("alloc_bytes_per_op");
            } else {
                o.put("alloc_bytes_per_op", bytes);
            }
            md.append("| ").append(name).append(" | ").append(params).append(" | ").append(format(score)).append(" | ± ")
                .append(format(primary.path("scoreError").asDouble())).append(" | ").append(primary.path("scoreUnit").asText())
                .append(" | ").append(Double.isNaN(bytes) ? "n/a" : format(bytes)).append(" | | |\n");
            if (!(score > 0)) {
                System.err.println("ERROR: " + name + " (" + params + ") produced no score");
                broken++;
            }
            if (gated(name, params.toString()) && !(bytes < ALLOCATION_LIMIT_BYTES)) {
                System.err.println("ALLOCATION: " + name + " (" + params + ") allocates " + format(bytes)
                    + " B/op; engine stages must allocate nothing per event");
                broken++;
            }
        }
        return broken;
    }

    /**
     * One load report: a LoadGenerator JSON (HTTP; named {@code http.<name>}) or a paced entry (already in the
     * output shape). Returns 1 when it errored.
     */
    private static int loadRun(final JsonNode run, final ArrayNode out, final StringBuilder md) {
        final ObjectNode o = out.addObject();
        final boolean http = run.has("throughput_rps");
        final String name = http ? "http." + run.path("name").asText() : run.path("name").asText();
        o.put("name", name);
        final double score;
        final String unit;
        if (http) {
            final boolean batch = run.path("batch").asInt() > 0;
            score = batch ? run.path("events_per_s").asDouble() : run.path("throughput_rps").asDouble();
            unit = batch ? "events/s" : "req/s";
            o.withObject("/params").put("rate", run.path("rate").asText()).put("connections", run.path("connections").asInt())
                .put("batch", run.path("batch").asInt()).put("duration_s", run.path("duration_s").asDouble());
        } else {
            score = run.path("score").asDouble();
            unit = run.path("unit").asText();
        }
        o.put("score", score);
        o.put("unit", unit);
        o.putNull("error");
        o.putNull("alloc_bytes_per_op");
        for (String key : new String[] {"latency_ms", "insight_latency_ms", "status_counts", "errors", "requests_failed",
            "insight_not_visible", "events", "refusals", "publisher_max_lag_ms"}) {
            if (run.has(key)) {
                o.set(key, run.get(key).deepCopy());
            }
        }
        md.append("| ").append(name).append(" | ").append(o.path("params").isMissingNode() ? "" : params(o.path("params")))
            .append(" | ").append(format(score)).append(" | | ").append(unit).append(" | n/a | ")
            .append(percentiles(run.path("latency_ms"), "p50", "p90", "p99", "p99.9", "max")).append(" | ")
            .append(percentiles(run.path("insight_latency_ms"), "p50", "p99", "p99.9")).append(" |\n");
        final String error = loadError(http, run);
        if (error != null) {
            System.err.println("ERROR: " + name + ": " + error);
            return 1;
        }
        return 0;
    }

    /** Why a load run counts as errored, or null: server errors and broken runs, never slowness. */
    static String loadError(final boolean http, final JsonNode run) {
        if (!http) {
            return run.path("insight_latency_ms").path("count").asLong() < run.path("events").asLong()
                ? "fewer events reached the windows than were published" : null;
        }
        if (run.path("requests_answered").asLong() == 0) {
            return "no request was answered";
        }
        final Iterator<Map.Entry<String, JsonNode>> statuses = run.path("status_counts").fields();
        while (statuses.hasNext()) {
            final Map.Entry<String, JsonNode> s = statuses.next();
            if (s.getKey().startsWith("5") && !"503".equals(s.getKey()) || "other".equals(s.getKey())) {
                return s.getValue().asLong() + " answers with status " + s.getKey();
            }
        }
        final Iterator<String> errors = run.path("errors").fieldNames();
        while (errors.hasNext()) {
            final String e = errors.next();
            if (e.startsWith("protocol:") || e.startsWith("connect:") || e.contains("reconnect budget")) {
                return e;
            }
        }
        return null;
    }

    private static String params(final JsonNode params) {
        final StringBuilder sb = new StringBuilder();
        final Iterator<Map.Entry<String, JsonNode>> p = params.fields();
        while (p.hasNext()) {
            final Map.Entry<String, JsonNode> e = p.next();
            sb.append(sb.length() > 0 ? ", " : "").append(e.getKey()).append('=').append(e.getValue().asText());
        }
        return sb.toString();
    }

    private static String percentiles(final JsonNode h, final String... keys) {
        if (h.isMissingNode() || h.path("count").asLong() == 0) {
            return "";
        }
        final StringBuilder sb = new StringBuilder();
        for (String k : keys) {
            sb.append(sb.length() > 0 ? " / " : "").append(String.format(Locale.ROOT, "%.3f", h.path(k).asDouble()));
        }
        return sb.toString();
    }

    /**
     * Engine stages are gated; peers (Jackson/networknt, and everything in {@code peers.}) are not, and neither
     * are SYNC journal runs, whose few operations per second turn the JVM's background allocation into bytes
     * "per op". Nor is the whole pipeline: its gc.alloc.rate.norm is the whole JVM's allocation (Chronicle, JMH,
     * heartbeats) over the events, which a slow machine inflates; it gates itself on its stage threads' own
     * per-thread allocation counters and errors (so this report fails) above 4 B per event. Nor is replay: each
     * operation builds fresh stores and a journal reader (about 1.3 MB for the 200k events of one replay, 6.7 B
     * per event), a per-run cost the per-event stage code it replays through is gated for elsewhere.
     */
    static boolean gated(final String name, final String params) {
        if (name.startsWith("PipelineThroughput") || name.startsWith("ReplayBenchmark") || name.startsWith("peers.")
            || name.contains("jackson") || name.contains("Networknt")) {
            return false;
        }
        return !params.contains("durability=SYNC");
    }

    static String format(final double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3f", v);
    }
}
