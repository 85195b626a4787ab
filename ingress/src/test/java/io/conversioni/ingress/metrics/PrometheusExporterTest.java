package io.conversioni.ingress.metrics;

import io.conversioni.config.EngineConfig;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.EventView;
import io.conversioni.pipeline.OutcomeListener;
import io.conversioni.pipeline.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(60)
class PrometheusExporterTest {
    private static final Path CONFIG_DIR = Path.of("..", "config");
    private static final long T0 = Instant.parse("2024-05-20T14:32:45.123Z").toEpochMilli();

    @TempDir
    Path data;

    private final List<Engine> engines = new ArrayList<>();
    private final BlockingQueue<Integer> outcomes = new ArrayBlockingQueue<>(1_000);
    private final OutcomeListener collector = (EventView e, Object attachment) -> outcomes.add(e.outcome());

    @AfterEach
    void closeEngines() {
        engines.forEach(Engine::close);
    }

    @Test
    void shouldCountEventsByEsitoDuplicatesAndRejectionsByCodice() throws Exception {
        final Engine engine = startedEngineWithAFewEvents();
        final String text = new PrometheusExporter(engine).scrape();
        assertTrue(text.contains("\nconversioni_events_total{esito=\"accettato\"} 1\n"), text);
        assertTrue(text.contains("\nconversioni_events_total{esito=\"duplicato\"} 1\n"), text);
        assertTrue(text.contains("\nconversioni_events_total{esito=\"rifiutato\"} 2\n"), text);
        assertTrue(text.contains("\nconversioni_events_total{esito=\"nel_futuro\"} 1\n"), text);
        assertTrue(text.contains("\nconversioni_events_total{esito=\"troppo_vecchio\"} 0\n"), text);
        assertTrue(text.contains("\nconversioni_events_total{esito=\"non_disponibile\"} 0\n"), text);
        assertTrue(text.contains("\nconversioni_duplicates_total 1\n"), text);
        assertTrue(text.contains("\nconversioni_rejections_total{codice=\"multipleOf\"} 1\n"), text);
        assertTrue(text.contains("\nconversioni_rejections_total{codice=\"json\"} 1\n"), text);
        assertTrue(text.contains("\nconversioni_rejections_total{codice=\"other\"} 0\n"), text);
        assertTrue(text.contains("\nconversioni_campaigns 1\n"), text);
        assertTrue(text.contains("\nconversioni_dedupe_entries 1\n"), text);
        assertTrue(text.contains("\nconversioni_dedupe_capacity " + engine.dedupeCapacitySlots() + "\n"), text);
        assertTrue(text.contains("\nconversioni_dedupe_evictions_total 0\n"), text);
        assertTrue(text.contains("\nconversioni_ring_capacity " + engine.ringSize() + "\n"), text);
        assertTrue(text.contains("\nconversioni_ready 1\n"), text);
        assertEquals((T0 - engine.config().windows().allowedLatenessMs()) / 1e3,
            value(text, "conversioni_watermark_timestamp_seconds"), 1.0, "the watermark follows the event (or a heartbeat)");
        assertTrue(value(text, "conversioni_body_bytes_total") > 0, text);
        assertTrue(value(text, "jvm_memory_used_bytes{area=\"heap\"}") > 0, text);
        assertTrue(value(text, "jvm_threads_live") > 0, text);
        assertTrue(value(text, "process_uptime_seconds") > 0, text);
        assertTrue(text.contains("\njvm_gc_collection_seconds_total{gc=\""), text);
    }

    @Test
    void shouldSummariseInsightLatencyAndClockSkewInSecondsOnceTheEngineHasClosed() throws Exception {
        final Engine engine = startedEngineWithAFewEvents();
        final PrometheusExporter exporter = new PrometheusExporter(engine);
        engine.close();
        final String text = exporter.scrape();
        final double latencyCount = value(text, "conversioni_insight_latency_seconds_count");
        assertTrue(latencyCount > 0, text);
        final double median = value(text, "conversioni_insight_latency_seconds{quantile=\"0.5\"}");
        assertTrue(median > 0 && median < 10, "a latency in seconds, not nanoseconds: " + median);
        assertTrue(value(text, "conversioni_insight_latency_seconds{quantile=\"0.999\"}") >= median, text);
        assertTrue(value(text, "conversioni_insight_latency_seconds_sum") > 0, text);
        // both email events (the original and its duplicate) were received 5 s after their event time
        assertEquals(2, value(text, "conversioni_clock_skew_seconds_count{canale=\"email\"}"), text);
        assertEquals(5.0, value(text, "conversioni_clock_skew_seconds{canale=\"email\",quantile=\"0.5\"}"), 0.05, text);
        assertEquals(10.0, value(text, "conversioni_clock_skew_seconds_sum{canale=\"email\"}"), 0.1, text);
        assertEquals(0, value(text, "conversioni_clock_skew_seconds_count{canale=\"sms\"}"), text);
        assertTrue(text.contains("\nconversioni_clock_skew_seconds{canale=\"sms\",quantile=\"0.99\"} NaN\n"), text);
        assertTrue(text.contains("\nconversioni_ready 0\n"), text);
        assertEquals(List.of(), ExpositionFormat.problems(text));
    }

    @Test
    void shouldWriteOnlyLinesThatFollowTheExpositionFormat() throws Exception {
        final Engine engine = startedEngineWithAFewEvents();
        final String text = new PrometheusExporter(engine).scrape();
        assertEquals(List.of(), ExpositionFormat.problems(text), text);
        for (final String family : List.of("conversioni_events_total", "conversioni_duplicates_total",
            "conversioni_rejections_total", "conversioni_late_revisions_total", "conversioni_heartbeats_total",
            "conversioni_body_bytes_total", "conversioni_ring_occupancy", "conversioni_ring_capacity",
            "conversioni_journal_lag_events", "conversioni_insight_latency_seconds", "conversioni_clock_skew_seconds",
            "conversioni_watermark_timestamp_seconds", "conversioni_dedupe_entries", "conversioni_campaigns",
            "conversioni_campaign_overflow_total", "conversioni_ready", "jvm_memory_used_bytes", "jvm_threads_live",
            "jvm_gc_collection_seconds_total", "process_uptime_seconds")) {
            assertTrue(text.contains("\n# TYPE " + family + " "), family);
            assertTrue(text.contains("# HELP " + family + " "), family);
        }
    }

    @Test
    void shouldPassPromtoolCheckMetrics() throws Exception {
        final File promtool = onPath("promtool");
        assumeTrue(promtool != null, "promtool is not on the PATH");
        final Engine engine = startedEngineWithAFewEvents();
        final String text = new PrometheusExporter(engine).scrape();
        final Process process = new ProcessBuilder(promtool.getPath(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(text.getBytes(StandardCharsets.UTF_8));
        }
        final String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, process.exitValue(), said + "\n" + text);
    }

    @Test
    void shouldOmitTheWatermarkAndReportNotReadyBeforeTheEngineStarts() throws Exception {
        final Engine engine = engine();
        final String text = new PrometheusExporter(engine).scrape();
        assertTrue(text.contains("\nconversioni_ready 0\n"), text);
        assertTrue(text.contains("# TYPE conversioni_watermark_timestamp_seconds gauge\n"), text);
        assertFalse(text.contains("\nconversioni_watermark_timestamp_seconds "), text);
        assertTrue(text.contains("\nconversioni_insight_latency_seconds_count 0\n"), text);
        assertTrue(text.contains("\nconversioni_insight_latency_seconds{quantile=\"0.9\"} NaN\n"), text);
        assertEquals(List.of(), ExpositionFormat.problems(text));
    }

    @Test
    void shouldAnswerConcurrentScrapesWithWholeExpositions() throws Exception {
        final Engine engine = startedEngineWithAFewEvents();
        final PrometheusExporter exporter = new PrometheusExporter(engine);
        final ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            final List<Future<List<String>>> scrapes = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                scrapes.add(pool.submit(() -> ExpositionFormat.problems(exporter.scrape())));
            }
            for (final Future<List<String>> scrape : scrapes) {
                assertEquals(List.of(), scrape.get(10, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** Publishes a valid event, its duplicate, two invalid bodies and one from the future; waits for all five. */
    private Engine startedEngineWithAFewEvents() throws Exception {
        final Engine engine = engine();
        engine.start();
        final String valid = event("CLIENTE-ITALIA-789456", T0, "0.0", "email");
        for (final String body : List.of(valid, valid, event("CLIENTE-ITALIA-789457", T0, "1.234", "fax"), "not json",
            event("CLIENTE-ITALIA-789458", T0 + 600_000, "1", "sms"))) {
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            assertTrue(engine.tryPublish(bytes, 0, bytes.length, collector, null), "the ring took it");
            assertNotNull(outcomes.poll(10, TimeUnit.SECONDS), "no outcome within 10 s");
        }
        assertEquals(1, engine.counters().outcomes(Outcome.ACCEPTED));
        return engine;
    }

    private Engine engine() throws Exception {
        final Engine engine = Engine.create(EngineConfig.parse("", CONFIG_DIR), data, () -> T0 + 5_000);
        engines.add(engine);
        return engine;
    }

    private static String event(final String id, final long time, final String valore, final String canale) {
        return "{\"id_cliente\":\"" + id + "\",\"evento\":\"richiesta_demo\",\"timestamp\":\"" + Instant.ofEpochMilli(time)
            + "\",\"valore\":" + valore + ",\"canale\":\"" + canale
            + "\",\"stato\":\"completato\",\"metadati\":{\"campagna\":\"Campagna_Email_Verano2024\"}}";
    }

    /** The value of the one sample whose name and labels are exactly {@code series}. */
    private static double value(final String text, final String series) {
        for (final String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        throw new AssertionError("no sample " + series + " in\n" + text);
    }

    private static File onPath(final String command) throws IOException {
        final String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (final String dir : path.split(File.pathSeparator)) {
            final Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate.toFile();
            }
        }
        return null;
    }
}
