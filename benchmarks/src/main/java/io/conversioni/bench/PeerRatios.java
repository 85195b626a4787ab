package io.conversioni.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.conversioni.config.ConfigException;
import io.conversioni.config.EngineConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The ratios of {@code latest.md}, from the entries {@link ResultsReport} collected: the pipeline against peer 2
 * (Jackson + networknt + Redis) per core, and against peer 3 (ArrayBlockingQueues); HTTP single-event against the
 * bare Undertow ceiling; insight p99 against peer 3 at the same paced rate; the pipeline's efficiency and batch ingest
 * against its target ({@link PipelineEfficiency}); half-rate latency. Each
 * line says when an input is missing (a skipped peer, a quick run). The engine entry is the pipeline benchmark run
 * with the shipped defaults ({@code pipeline.stage_threads}, {@code wait_strategy}), else the best one. Main
 * thread, once; allocates freely.
 */
final class PeerRatios {
    private final JsonNode results;
    private final int defaultThreads;
    private final String defaultWait;
    private final PipelineEfficiency efficiency;
    private final int cores = Runtime.getRuntime().availableProcessors();

    PeerRatios(final JsonNode results, final Path configDir) {
        this.results = results;
        int threads = 1;
        String wait = "blocking";
        String dedupeMode = "PROXIMITY";
        try {
            final EngineConfig defaults = EngineConfig.parse("", configDir);
            threads = defaults.stageThreads();
            wait = defaults.waitStrategy();
            dedupeMode = defaults.dedupe().mode().name();
        } catch (ConfigException e) {
            System.err.println("ratios: cannot read the default configuration (" + e.getMessage()
                + "); assuming 1/blocking, dedupe PROXIMITY");
        }
        this.defaultThreads = threads;
        this.defaultWait = wait;
        this.efficiency = new PipelineEfficiency(results, pipeline(), dedupeMode);
    }

    /** The pipeline's efficiency and the batch rate against its target, as entries of latest.json (see there). */
    PipelineEfficiency efficiency() {
        return efficiency;
    }

    String markdown() {
        final StringBuilder md = new StringBuilder("| ratio | value | target |\n|---|---|---|\n");
        final JsonNode engine = pipeline();
        final JsonNode peer2 = first("peers.JacksonRedisPeerBenchmark");
        final JsonNode peer3 = first("peers.BlockingQueuePipelineBenchmark");
        if (engine != null && peer2 != null) {
            final int engineThreads = Integer.parseInt(engine.path("params").path("stageThreads").asText("1"));
            // cores kept busy: the stage threads plus the publisher, and the peer's thread plus redis-server
            final double engineCores = Math.min(cores, engineThreads + 1);
            final double peerCores = Math.min(cores, 2);
            final double ratio = (score(engine) / engineCores) / (score(peer2) / peerCores);
            line(md, "pipeline per core vs peer 2 (Jackson + networknt + Redis)", String.format(Locale.ROOT,
                "%.1f× (%s / %.0f cores vs %s / %.0f)", ratio, rate(engine), engineCores, rate(peer2), peerCores), "≥ 10×");
        } else {
            line(md, "pipeline per core vs peer 2", missing(engine, peer2, "peer 2 (redis-server not installed?)"), "≥ 10×");
        }
        if (engine != null && peer3 != null) {
            line(md, "pipeline throughput vs peer 3 (ArrayBlockingQueue)", String.format(Locale.ROOT, "%.2f× (%s vs %s)",
                score(engine) / score(peer3), rate(engine), rate(peer3)), "(no target)");
        }
        if (engine != null) {
            line(md, "pipeline in-process, journal on (" + params(engine) + ")", rate(engine), "≥ 2 M events/s");
        }
        md.append(efficiency.ratioLines());
        final List<JsonNode[]> rounds = ceilingRounds();
        if (!rounds.isEmpty()) {
            line(md, "HTTP single-event max, conversioni vs bare Undertow", ceilingRatio(rounds), "≥ 0.85");
        } else {
            line(md, "HTTP single-event vs bare Undertow", "not measured: HTTP runs", "≥ 0.85");
        }
        final JsonNode half = first("http.conversioni-single-half");
        if (half != null) {
            final JsonNode floor = first("http.bare-single-half");
            line(md, "HTTP latency at half the max (" + rate(half) + ", open loop)", "p99 " + ms(half.path("latency_ms"), "p99")
                + ", p99.9 " + ms(half.path("latency_ms"), "p99.9") + (floor == null ? ""
                : "; bare Undertow at the same rate (this machine's floor): p99 " + ms(floor.path("latency_ms"), "p99")
                + ", p99.9 " + ms(floor.path("latency_ms"), "p99.9")), "p99 ≤ 1 ms");
        }
        // older result files carry the probe in the latency run itself
        final JsonNode ownRun = first("http.conversioni-insight-half");
        final JsonNode insight = ownRun != null ? ownRun : half;
        if (insight != null && insight.path("insight_latency_ms").has("p99")) {
            line(md, "time-to-insight at half the max (POST → visible in /api/v1/metriche)", "p50 "
                + ms(insight.path("insight_latency_ms"), "p50") + ", p99 " + ms(insight.path("insight_latency_ms"), "p99"),
                "p99 ≤ 1 ms (the article: < 90 s)");
        }
        final JsonNode batch = firstPrefix("http.conversioni-batch");
        if (batch != null && engine == null) { // else in the efficiency's lines, against its target
            line(md, "NDJSON batch ingest over HTTP (" + params(batch) + ")", rate(batch), "≥ 1 M events/s");
        }
        final JsonNode pacedEngine = firstPrefix("paced.engine");
        final JsonNode pacedPeer = firstPrefix("paced.peers");
        if (pacedEngine != null && pacedPeer != null) {
            line(md, "insight p99 at " + rate(pacedEngine) + " paced, engine vs peer 3", String.format(Locale.ROOT,
                "%s vs %s (%.2f×); p50 %s vs %s, p99.9 %s vs %s", ms(pacedEngine.path("insight_latency_ms"), "p99"),
                ms(pacedPeer.path("insight_latency_ms"), "p99"),
                pacedEngine.path("insight_latency_ms").path("p99").asDouble()
                    / Math.max(1e-9, pacedPeer.path("insight_latency_ms").path("p99").asDouble()),
                ms(pacedEngine.path("insight_latency_ms"), "p50"), ms(pacedPeer.path("insight_latency_ms"), "p50"),
                ms(pacedEngine.path("insight_latency_ms"), "p99.9"), ms(pacedPeer.path("insight_latency_ms"), "p99.9")),
                "lower than peer 3");
        }
        final String stages = efficiency.stageTable();
        md.append(stages.isEmpty() ? "" : "\n" + stages);
        md.append("\nMachine: ").append(cores).append(" cores, ").append(System.getProperty("java.vm.name")).append(' ')
            .append(System.getProperty("java.version")).append(". Timings on shared cores are noisy; compare ratios taken in one run.\n");
        return md.toString();
    }

    /**
     * The ceiling's (bare, conversioni) pairs in round order: {@code http.bare-single-max-N} beside
     * {@code http.conversioni-single-max-N} for N = 1, 2, ... while both exist; result files from before the
     * rounds hold one unnumbered pair.
     */
    List<JsonNode[]> ceilingRounds() {
        final List<JsonNode[]> rounds = new ArrayList<>();
        for (int n = 1; ; n++) {
            final JsonNode bare = first("http.bare-single-max-" + n);
            final JsonNode http = first("http.conversioni-single-max-" + n);
            if (bare == null || http == null) {
                break;
            }
            rounds.add(new JsonNode[] {bare, http});
        }
        if (rounds.isEmpty()) {
            final JsonNode bare = first("http.bare-single-max");
            final JsonNode http = first("http.conversioni-single-max");
            if (bare != null && http != null) {
                rounds.add(new JsonNode[] {bare, http});
            }
        }
        return rounds;
    }

    /**
     * The median of the rounds' ratios conversioni / bare (each round ran the two back to back, so the host's
     * drift between rounds cancels), then every round's ratio and rates.
     */
    static String ceilingRatio(final List<JsonNode[]> rounds) {
        final double[] ratios = new double[rounds.size()];
        final StringBuilder each = new StringBuilder();
        for (int i = 0; i < ratios.length; i++) {
            final JsonNode bare = rounds.get(i)[0];
            final JsonNode http = rounds.get(i)[1];
            ratios[i] = score(bare) > 0 ? score(http) / score(bare) : 0;
            each.append(i > 0 ? "; " : "").append(String.format(Locale.ROOT, "%.2f (%s vs %s)", ratios[i], rate(http), rate(bare)));
        }
        if (ratios.length == 1) {
            return each.toString();
        }
        return String.format(Locale.ROOT, "%.2f, the median of %d alternated rounds: %s", median(ratios), ratios.length, each);
    }

    static double median(final double[] values) {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The pipeline benchmark with the default wiring, else the fastest one. */
    private JsonNode pipeline() {
        JsonNode best = null;
        for (JsonNode r : results) {
            if (!r.path("name").asText().startsWith("PipelineThroughputBenchmark")) {
                continue;
            }
            final JsonNode p = r.path("params");
            if (p.path("stageThreads").asText().equals(Integer.toString(defaultThreads))
                && p.path("waitStrategy").asText().equals(defaultWait)) {
                return r;
            }
            if (best == null || score(r) > score(best)) {
                best = r;
            }
        }
        return best;
    }

    private JsonNode first(final String name) {
        for (JsonNode r : results) {
            if (r.path("name").asText().equals(name) || r.path("name").asText().startsWith(name + ".")) {
                return r;
            }
        }
        return null;
    }

    private JsonNode firstPrefix(final String prefix) {
        return firstPrefix(results, prefix);
    }

    /** The first entry of {@code results} whose name starts with {@code prefix}, or null. */
    static JsonNode firstPrefix(final JsonNode results, final String prefix) {
        for (JsonNode r : results) {
            if (r.path("name").asText().startsWith(prefix)) {
                return r;
            }
        }
        return null;
    }

    private static double score(final JsonNode r) {
        return r.path("score").asDouble();
    }

    private static String rate(final JsonNode r) {
        return ResultsReport.format(score(r)) + " " + r.path("unit").asText().replace("ops/s", "events/s");
    }

    /** An entry's JMH params as {@code k=v, k=v}, in their order. */
    static String params(final JsonNode r) {
        final StringBuilder sb = new StringBuilder();
        r.path("params").fields().forEachRemaining(e ->
            sb.append(sb.length() > 0 ? ", " : "").append(e.getKey()).append('=').append(e.getValue().asText()));
        return sb.toString();
    }

    private static String ms(final JsonNode h, final String key) {
        return h.has(key) ? String.format(Locale.ROOT, "%.3f ms", h.path(key).asDouble()) : "n/a";
    }

    private static String missing(final JsonNode a, final JsonNode b, final String what) {
        return a == null && b == null ? "not measured" : "not measured: " + what;
    }

    private static void line(final StringBuilder md, final String what, final String value, final String target) {
        md.append("| ").append(what).append(" | ").append(value).append(" | ").append(target).append(" |\n");
    }
}
