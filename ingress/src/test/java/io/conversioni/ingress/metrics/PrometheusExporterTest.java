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
    void shouldReadTheBusinessSeriesFromTheCountersItIsGivenInClusterMode() throws Exception {
        final Engine engine = startedEngineWithAFewEvents();
        final PrometheusExporter.BusinessCounters cluster = new PrometheusExporter.BusinessCounters() {
            @Override
            public long accepted(final int evento, final int canale) {
                return 1000 + 10L * evento + canale;
            }

            @Override
            public long valueCents(final int evento, final int canale) {
                return 12_345;
            }
        };
        final String text = new PrometheusExporter(engine, engine.windows(), cluster).scrape();
        assertTrue(text.contains("\nconversioni_accepted_events_total{canale=\"sms\",evento=\"acquisto_concluso\"} 1013\n"),
            text);
        assertTrue(text.contains("\nconversioni_value_total{canale=\"email\",evento=\"richiesta_demo\"} 123.45\n"), text);
        assertTrue(text.contains("\nconversioni_events_total{esito=\"accettato\"} 1\n"), "outcomes stay this node's");
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
    void shouldExposeInsightLatencyAndClockSkewAsCumulativeHistogramsInSecondsOnceTheEngineHasClosed() throws Exception {
        final Engine engine = startedEngineWithAFewEvents();
        final PrometheusExporter exporter = new PrometheusExporter(engine);
        engine.close();
        final String text = exporter.scrape();
        assertTrue(text.contains("\n# TYPE conversioni_insight_latency_seconds histogram\n"), text);
        final double latencyCount = value(text, "conversioni_insight_latency_seconds_count");
        assertTrue(latencyCount > 0, text);
        assertEquals(latencyCount, value(text, "conversioni_insight_latency_seconds_bucket{le=\"+Inf\"}"), text);
        assertEquals(latencyCount, value(text, "conversioni_insight_latency_seconds_bucket{le=\"10\"}"),
            "a latency in seconds, not nanoseconds: every one is under 10 s");
        assertCumulative(text, "conversioni_insight_latency_seconds_bucket{le=");
        assertTrue(value(text, "conversioni_insight_latency_seconds_sum") > 0, text);
        // both email events (the original and its duplicate) were received 5 s after their event time
        assertEquals(2, value(text, "conversioni_clock_skew_seconds_count{canale=\"email\"}"), text);
        assertEquals(0, value(text, "conversioni_clock_skew_seconds_bucket{canale=\"email\",le=\"2.5\"}"), text);
        assertEquals(2, value(text, "conversioni_clock_skew_seconds_bucket{canale=\"email\",le=\"5\"}"), text);
        assertEquals(2, value(text, "conversioni_clock_skew_seconds_bucket{canale=\"email\",le=\"+Inf\"}"), text);
        assertEquals(10.0, value(text, "conversioni_clock_skew_seconds_sum{canale=\"email\"}"), 0.1, text);
        assertCumulative(text, "conversioni_clock_skew_seconds_bucket{canale=\"email\",le=");
        assertEquals(0, value(text, "conversioni_clock_skew_seconds_count{canale=\"sms\"}"), text);
        assertEquals(0, value(text, "conversioni_clock_skew_seconds_bucket{canale=\"sms\",le=\"+Inf\"}"), text);
        assertFalse(text.contains("quantile="), "no summaries left: " + text);
        assertTrue(text.contains("\nconversioni_ready 0\n"), text);
        assertEquals(List.of(), ExpositionFormat.problems(text));
    }

    @Test
    void shouldCountAcceptedEventsConversionsAndValueByCanaleAndEventoButNotDuplicates() throws Exception {
        final Engine engine = engine();
        engine.start();
        final String purchase = event("CLIENTE-ITALIA-100001", T0, "19.99", "webform", "acquisto_concluso");
        for (final String body : List.of(purchase, purchase,
            event("CLIENTE-ITALIA-100002", T0, "0.01", "webform", "acquisto_concluso"),
            event("CLIENTE-ITALIA-100003", T0, "5", "sms", "iscrizione_evento"),
            event("CLIENTE-ITALIA-100004", T0, "1.234", "sms", "iscrizione_evento"))) {
            publish(engine, body);
        }
        final String text = new PrometheusExporter(engine).scrape();
        assertEquals(2, value(text, "conversioni_accepted_events_total{canale=\"webform\",evento=\"acquisto_concluso\"}"));
        assertEquals(1, value(text, "conversioni_accepted_events_total{canale=\"sms\",evento=\"iscrizione_evento\"}"));
        assertEquals(0, value(text, "conversioni_accepted_events_total{canale=\"email\",evento=\"richiesta_demo\"}"));
        assertEquals(2, value(text, "conversioni_conversions_total{canale=\"webform\",evento=\"acquisto_concluso\"}"));
        assertFalse(text.contains("\nconversioni_conversions_total{canale=\"sms\",evento=\"iscrizione_evento\"}"),
            "only the eventi of windows.conversion_rate.conversioni are conversions: " + text);
        assertEquals(20.0, value(text, "conversioni_value_total{canale=\"webform\",evento=\"acquisto_concluso\"}"), 1e-9);
        assertEquals(5.0, value(text, "conversioni_value_total{canale=\"sms\",evento=\"iscrizione_evento\"}"), 1e-9);
        assertFalse(text.contains("campagna="), "campaigns are unbounded: never a label");
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
            "conversioni_journal_lag_events", "conversioni_journal_pretouched_bytes_total",
            "conversioni_journal_dropped_bytes_total", "conversioni_insight_latency_seconds", "conversioni_clock_skew_seconds",
            "conversioni_watermark_timestamp_seconds", "conversioni_dedupe_entries", "conversioni_campaigns",
            "conversioni_campaign_overflow_total", "conversioni_ready", "conversioni_accepted_events_total",
            "conversioni_conversions_total", "conversioni_value_total", "jvm_memory_used_bytes", "jvm_threads_live",
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
        assertTrue(text.contains("\nconversioni_insight_latency_seconds_bucket{le=\"+Inf\"} 0\n"), text);
        assertFalse(text.contains("NaN"), "nothing reads NaN before the first event: " + text);
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
            publish(engine, body);
        }
        assertEquals(1, engine.counters().outcomes(Outcome.ACCEPTED));
        return engine;
    }

    private void publish(final Engine engine, final String body) throws InterruptedException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertTrue(engine.tryPublish(bytes, 0, bytes.length, collector, null), "the ring took it");
        assertNotNull(outcomes.poll(10, TimeUnit.SECONDS), "no outcome within 10 s");
    }

    private Engine engine() throws Exception {
        final Engine engine = Engine.create(EngineConfig.parse("", CONFIG_DIR), data, () -> T0 + 5_000);
        engines.add(engine);
        return engine;
    }

    private static String event(final String id, final long time, final String valore, final String canale) {
        return event(id, time, valore, canale, "richiesta_demo");
    }

    private static String event(final String id, final long time, final String valore, final String canale,
                                final String evento) {
        return "{\"id_cliente\":\"" + id + "\",\"evento\":\"" + evento + "\",\"timestamp\":\"" + Instant.ofEpochMilli(time)
            + "\",\"valore\":" + valore + ",\"canale\":\"" + canale
            + "\",\"stato\":\"completato\",\"metadati\":{\"campagna\":\"Campagna_Email_Verano2024\"}}";
    }

    /** The value of the one sample whose name and labels are exactly {@code series}. */
    static double value(final String text, final String series) {
        for (final String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        throw new AssertionError("no sample " + series + " in\n" + text);
    }

    /** The samples starting with {@code prefix} (one histogram's buckets, in order) never decrease. */
    private static void assertCumulative(final String text, final String prefix) {
        double previous = 0;
        int buckets = 0;
        for (final String line : text.split("\n")) {
            if (line.startsWith(prefix)) {
                final double count = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                assertTrue(count >= previous, "buckets must be cumulative: " + line + " after " + previous);
                previous = count;
                buckets++;
            }
        }
        assertTrue(buckets > 2, "no buckets " + prefix);
    }

    static File onPath(final String command) throws IOException {
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
