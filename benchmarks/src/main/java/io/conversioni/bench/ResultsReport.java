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
 * Turns JMH's JSON output into {@code benchmarks/results/latest.json} (one object per benchmark: name,
 * params, score, unit, error, alloc_bytes_per_op) and a Markdown table, and enforces the one rule CI
 * gates on: no engine stage may allocate per event. Timings never fail a build (machines are noisy).
 * Usage: {@code ResultsReport JMH_JSON OUT_JSON OUT_MARKDOWN}; exit 1 when the allocation rule is broken.
 */
public final class ResultsReport {
    /**
     * At or above this many bytes per operation a zero-allocation claim is broken: one object per event is
     * at least 16 B/op, while JMH's and the JVM's background noise stays well under 1 B/op.
     */
    static final double ALLOCATION_LIMIT_BYTES = 4.0;

    /**
     * The whole-pipeline benchmark divides everything the JVM allocated (Chronicle mapping the next chunk
     * and logging it, heartbeats, JMH) by the events: it fails only at a whole object (16 B) per event.
     */
    static final double WHOLE_JVM_LIMIT_BYTES = 16.0;

    private ResultsReport() {
    }

    public static void main(final String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: ResultsReport JMH_JSON OUT_JSON OUT_MARKDOWN");
            System.exit(2);
        }
        final ObjectMapper json = new ObjectMapper();
        final JsonNode runs = json.readTree(Path.of(args[0]).toFile());
        final ArrayNode out = json.createArrayNode();
        final StringBuilder md = new StringBuilder("| benchmark | params | score | error | unit | alloc B/op |\n"
            + "|---|---|---|---|---|---|\n");
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
            o.put("score", primary.path("score").asDouble());
            o.put("unit", primary.path("scoreUnit").asText());
            o.put("error", primary.path("scoreError").asDouble());
            final double bytes = alloc.isMissingNode() ? Double.NaN : alloc.path("score").asDouble();
            if (alloc.isMissingNode()) {
                o.putNull("alloc_bytes_per_op");
            } else {
                o.put("alloc_bytes_per_op", bytes);
            }
            md.append("| ").append(name).append(" | ").append(params).append(" | ")
                .append(format(primary.path("score").asDouble())).append(" | ± ")
                .append(format(primary.path("scoreError").asDouble())).append(" | ").append(primary.path("scoreUnit").asText())
                .append(" | ").append(Double.isNaN(bytes) ? "n/a" : format(bytes)).append(" |\n");
            final double limit = name.startsWith("PipelineThroughput") ? WHOLE_JVM_LIMIT_BYTES : ALLOCATION_LIMIT_BYTES;
            if (gated(name, params.toString()) && !(bytes < limit)) {
                System.err.println("ALLOCATION: " + name + " (" + params + ") allocates " + format(bytes)
                    + " B/op; engine stages must allocate nothing per event");
                broken++;
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

    /**
     * Engine stages are gated; peers (Jackson/networknt, and everything in {@code peers.}) are not, and neither
     * are SYNC journal runs, whose few operations per second turn the JVM's background allocation into bytes
     * "per op".
     */
    static boolean gated(final String name, final String params) {
        if (name.startsWith("peers.") || name.contains("jackson") || name.contains("Networknt")) {
            return false;
        }
        return !params.contains("durability=SYNC");
    }

    private static String format(final double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3f", v);
    }
}
