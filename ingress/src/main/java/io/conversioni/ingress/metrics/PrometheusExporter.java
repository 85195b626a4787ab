package io.conversioni.ingress.metrics;

import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.EngineCounters;
import io.conversioni.pipeline.Outcome;
import io.conversioni.window.CampaignDictionary;
import io.conversioni.window.SingleWriterWindowStore;
import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * The engine's counters, gauges and latency summaries, plus JVM metrics, as one Prometheus text
 * exposition (format 0.0.4) for {@code GET /metrics}, served with {@link #CONTENT_TYPE}.
 *
 * <p>Threading: {@link #scrape()} from any thread; concurrent scrapes take turns on this object's lock.
 * Every value is a racy-but-whole read of the engine's published state, so the pipeline never waits for a
 * scrape. Allocation: the histogram copies and the text buffer are made once and reused; a scrape allocates
 * the returned {@code String} (and the JDK's memory-usage records). Growth: the buffer keeps its largest size.
 */
public final class PrometheusExporter {
    /** What {@code GET /metrics} answers with. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final int[] OUTCOMES = {Outcome.ACCEPTED, Outcome.DUPLICATE, Outcome.REJECTED, Outcome.TOO_LATE,
        Outcome.FUTURE, Outcome.JOURNAL_FAILED};
    private static final double[] LATENCY_QUANTILES = {0.5, 0.9, 0.99, 0.999};
    private static final String[] LATENCY_QUANTILE_LABELS = {"0.5", "0.9", "0.99", "0.999"};
    private static final double[] SKEW_QUANTILES = {0.5, 0.99};
    private static final String[] SKEW_QUANTILE_LABELS = {"0.5", "0.99"};
    private static final double NANOS_PER_SECOND = 1e9;
    private static final double MILLIS_PER_SECOND = 1e3;
    private static final int RESERVED_CAMPAIGN_IDS = 2; // (nessuna) and (altre)

    private final Engine engine;
    private final EngineCounters counters;
    private final SingleWriterWindowStore windows;
    private final List<String> canali;
    private final Histogram latencyNanos;
    private final Histogram skewMs;
    private final JvmMetrics jvm = new JvmMetrics();
    private final StringBuilder text = new StringBuilder(16 * 1024);
    private final PrometheusTextWriter w = new PrometheusTextWriter(text);
    private final java.util.List<java.util.function.Consumer<PrometheusTextWriter>> sections =
        new java.util.concurrent.CopyOnWriteArrayList<>();

    public PrometheusExporter(final Engine engine) {
        this.engine = engine;
        this.counters = engine.counters();
        this.windows = engine.windows();
        this.canali = List.copyOf(engine.config().schema().canali());
        this.latencyNanos = windows.newInsightLatencyHistogram();
        this.skewMs = windows.newSkewHistogram();
    }

    /** Adds families written by another part (alerts, delivery) after the engine's own, on every scrape. */
    public PrometheusExporter add(final java.util.function.Consumer<PrometheusTextWriter> section) {
        sections.add(section);
        return this;
    }

    /** The whole exposition, every line ended by a newline. Any thread; concurrent callers take turns. */
    public synchronized String scrape() {
        text.setLength(0);
        writeEvents();
        writePipeline();
        writeWindows();
        sections.forEach(section -> section.accept(w));
        jvm.writeTo(w);
        return text.toString();
    }

    private void writeEvents() {
        w.family("conversioni_events_total", PrometheusTextWriter.COUNTER,
            "Published events by outcome (esito), since the journal began.");
        for (final int outcome : OUTCOMES) {
            w.sample("conversioni_events_total").label("esito", Outcome.esito(outcome)).value(counters.outcomes(outcome));
        }
        counter("conversioni_duplicates_total", "Valid events already seen (esito duplicato).",
            counters.outcomes(Outcome.DUPLICATE));

        w.family("conversioni_rejections_total", PrometheusTextWriter.COUNTER,
            "Rejected events by the code (codice) of their first violation; unlisted codes count as other.");
        final List<String> codes = EngineCounters.REJECTION_CODES;
        for (int i = 0; i < codes.size(); i++) {
            w.sample("conversioni_rejections_total").label("codice", codes.get(i)).value(counters.rejections(i));
        }
        counter("conversioni_late_revisions_total",
            "Accepted or duplicate events that landed in an already closed window, each a new revision.",
            counters.lateRevisions());
        counter("conversioni_heartbeats_total", "Heartbeats processed by the window stage.", counters.heartbeats());
        counter("conversioni_body_bytes_total", "Body bytes of all processed events.", counters.bodyBytes());
    }

    private void writePipeline() {
        final long occupancy = engine.ringOccupancy();
        gauge("conversioni_ring_occupancy", "Ring slots claimed but not yet answered.", occupancy);
        gauge("conversioni_ring_capacity", "Ring slots in all.", engine.ringSize());
        gauge("conversioni_journal_lag_events", "Events not yet journaled. The engine does not expose journal "
            + "progress apart, so this is the ring occupancy (claimed, not yet answered): an upper bound.", occupancy);
        gauge("conversioni_dedupe_entries", "Live entries in the dedupe table.", engine.dedupeEntries());
        gauge("conversioni_dedupe_capacity", "Dedupe table slots in all (dedupe.capacity).",
            engine.dedupeCapacitySlots());
        counter("conversioni_dedupe_evictions_total", "Live dedupe entries overwritten because the table was full "
            + "around their slot; a rising count means dedupe.capacity is too small.", engine.dedupeEvictions());
        gauge("conversioni_ready", "1 once recovery finished and the engine takes events, else 0.",
            engine.isReady() ? 1 : 0);
    }

    private void writeWindows() {
        final long watermarkMillis = windows.watermarkMillis();
        w.family("conversioni_watermark_timestamp_seconds", PrometheusTextWriter.GAUGE,
            "Event-time watermark (Unix time); no sample before the first event or heartbeat.");
        if (watermarkMillis != Long.MIN_VALUE) {
            w.sample("conversioni_watermark_timestamp_seconds").value(watermarkMillis / MILLIS_PER_SECOND);
        }
        final CampaignDictionary campaigns = windows.campaigns();
        gauge("conversioni_campaigns", "Distinct campaign names in the dictionary (the reserved "
            + CampaignDictionary.NONE_NAME + " and " + CampaignDictionary.OTHER_NAME + " not counted).",
            campaigns.sizeAcquire() - RESERVED_CAMPAIGN_IDS);
        counter("conversioni_campaign_overflow_total", "Campaign lookups that found the dictionary full and were "
            + "counted under " + CampaignDictionary.OTHER_NAME + ".", campaigns.overflowCountAcquire());

        windows.copyInsightLatencyInto(latencyNanos);
        w.family("conversioni_insight_latency_seconds", PrometheusTextWriter.SUMMARY, "From receive to window "
            + "updated, as of the last heartbeat; _sum is rebuilt from the histogram (3 significant digits).");
        summary("conversioni_insight_latency_seconds", null, null, latencyNanos, LATENCY_QUANTILES,
            LATENCY_QUANTILE_LABELS, NANOS_PER_SECOND);

        w.family("conversioni_clock_skew_seconds", PrometheusTextWriter.SUMMARY, "Receive time minus event time by "
            + "canale (events ahead count as 0), as of the last heartbeat; _sum is rebuilt from the histogram.");
        for (int canale = 0; canale < canali.size(); canale++) {
            windows.copySkewInto(canale, skewMs);
            summary("conversioni_clock_skew_seconds", "canale", canali.get(canale), skewMs, SKEW_QUANTILES,
                SKEW_QUANTILE_LABELS, MILLIS_PER_SECOND);
        }
    }

    /** Quantiles (NaN while empty), then _sum and _count; {@code labelName} null for an unlabelled summary. */
    private void summary(final String name, final String labelName, final String labelValue, final Histogram h,
                         final double[] quantiles, final String[] quantileLabels, final double unitsPerSecond) {
        final long count = h.getTotalCount();
        for (int i = 0; i < quantiles.length; i++) {
            w.sample(name);
            if (labelName != null) {
                w.label(labelName, labelValue);
            }
            w.label("quantile", quantileLabels[i]);
            w.value(count == 0 ? Double.NaN : h.getValueAtPercentile(quantiles[i] * 100) / unitsPerSecond);
        }
        w.sample(name, "_sum");
        if (labelName != null) {
            w.label(labelName, labelValue);
        }
        w.value(count == 0 ? 0.0 : h.getMean() * count / unitsPerSecond);
        w.sample(name, "_count");
        if (labelName != null) {
            w.label(labelName, labelValue);
        }
        w.value(count);
    }

    private void counter(final String name, final String help, final long value) {
        w.family(name, PrometheusTextWriter.COUNTER, help);
        w.sample(name).value(value);
    }

    private void gauge(final String name, final String help, final long value) {
        w.family(name, PrometheusTextWriter.GAUGE, help);
        w.sample(name).value(value);
    }
}
