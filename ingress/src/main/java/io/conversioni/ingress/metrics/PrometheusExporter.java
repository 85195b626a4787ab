package io.conversioni.ingress.metrics;

import io.conversioni.metrics.PrometheusTextWriter;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.EngineCounters;
import io.conversioni.pipeline.Outcome;
import io.conversioni.window.CampaignDictionary;
import io.conversioni.window.CampaignNames;
import io.conversioni.window.WindowView;
import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * The engine's counters, gauges and latency histograms, plus JVM metrics and the sections other parts add
 * (alerts, delivery, HTTP), as one Prometheus text exposition (format 0.0.4) for {@code GET /metrics}, served
 * with {@link #CONTENT_TYPE}. The series are listed in {@code docs/monitoring.md}.
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
    private static final double NANOS_PER_SECOND = 1e9;
    private static final double MILLIS_PER_SECOND = 1e3;
    private static final double CENTS_PER_UNIT = 100.0;
    private static final int RESERVED_CAMPAIGN_IDS = 2; // (nessuna) and (altre)

    private final Engine engine;
    private final EngineCounters counters;
    private final BusinessCounters business;
    private final WindowView windows;
    private final List<String> canali;
    private final List<String> eventi;
    /** Bit i set when evento ordinal i is a conversion. */
    private final long conversionEventi;
    private final Histogram latencyNanos;
    private final Histogram skewMs;
    private final JvmMetrics jvm = new JvmMetrics();
    private final StringBuilder text = new StringBuilder(16 * 1024);
    private final PrometheusTextWriter w = new PrometheusTextWriter(text);
    private final java.util.List<java.util.function.Consumer<PrometheusTextWriter>> sections =
        new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Where the business series ({@code conversioni_accepted_events_total}, {@code _conversions_total},
     * {@code _value_total}) come from: the engine's own counters on one node; in cluster mode the sum of the owners'
     * (the cluster module's {@code ClusterWindows.acceptedCount}/{@code valueCents}). Any thread.
     */
    public interface BusinessCounters {
        long accepted(int evento, int canale);

        long valueCents(int evento, int canale);
    }

    public PrometheusExporter(final Engine engine) {
        this(engine, engine.windows(), null);
    }

    /**
     * Cluster mode: the watermark, campaign and business series read {@code windows} (the merged view) and
     * {@code business} (the owners' counters) instead of this node's engine; ring, dedupe, journal and the latency
     * histograms stay this node's. A null {@code business} reads the engine's counters.
     */
    public PrometheusExporter(final Engine engine, final WindowView windows, final BusinessCounters business) {
        this.engine = engine;
        this.counters = engine.counters();
        this.business = business != null ? business : new BusinessCounters() {
            @Override
            public long accepted(final int evento, final int canale) {
                return counters.accepted(evento, canale);
            }

            @Override
            public long valueCents(final int evento, final int canale) {
                return counters.valueCents(evento, canale);
            }
        };
        this.windows = windows;
        this.canali = List.copyOf(engine.config().schema().canali());
        this.eventi = List.copyOf(engine.config().schema().eventi());
        this.conversionEventi = engine.config().windows().numeratorEventoMask();
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
        writeBusiness();
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
        counter("conversioni_journal_pretouched_bytes_total", "Journal file bytes read into the page cache ahead of "
            + "the writer (journal.pretouch), since this process started.", engine.journalPretouchedBytes());
        counter("conversioni_journal_dropped_bytes_total", "Journal file bytes written back and dropped from the page "
            + "cache behind the writer (journal.drop_behind), since this process started.", engine.journalDroppedBytes());
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
        final CampaignNames campaigns = windows.campaigns();
        gauge("conversioni_campaigns", "Distinct campaign names in the dictionary (the reserved "
            + CampaignDictionary.NONE_NAME + " and " + CampaignDictionary.OTHER_NAME + " not counted).",
            campaigns.sizeAcquire() - RESERVED_CAMPAIGN_IDS);
        counter("conversioni_campaign_overflow_total", "Campaign lookups that found the dictionary full and were "
            + "counted under " + CampaignDictionary.OTHER_NAME + ".", campaigns.overflowCountAcquire());

        windows.copyInsightLatencyInto(latencyNanos);
        w.family("conversioni_insight_latency_seconds", PrometheusTextWriter.HISTOGRAM, "From receive to window "
            + "updated, as of the last heartbeat; buckets and _sum from the engine's HdrHistogram (3 significant digits).");
        HistogramBuckets.LATENCY_SECONDS.writeFrom(w, "conversioni_insight_latency_seconds", null, null, latencyNanos,
            NANOS_PER_SECOND);

        w.family("conversioni_clock_skew_seconds", PrometheusTextWriter.HISTOGRAM, "Receive time minus event time by "
            + "canale (events ahead count as 0), as of the last heartbeat; from the engine's HdrHistogram (ms).");
        for (int canale = 0; canale < canali.size(); canale++) {
            windows.copySkewInto(canale, skewMs);
            HistogramBuckets.SKEW_SECONDS.writeFrom(w, "conversioni_clock_skew_seconds", "canale", canali.get(canale),
                skewMs, MILLIS_PER_SECOND);
        }
    }

    /** Business counters by canale and evento (both bounded by the schema's enums; campaigns stay out). */
    private void writeBusiness() {
        w.family("conversioni_accepted_events_total", PrometheusTextWriter.COUNTER,
            "Accepted events (esito accettato, duplicates not counted) by canale and evento.");
        for (int evento = 0; evento < eventi.size(); evento++) {
            for (int canale = 0; canale < canali.size(); canale++) {
                w.sample("conversioni_accepted_events_total").label("canale", canali.get(canale))
                    .label("evento", eventi.get(evento)).value(business.accepted(evento, canale));
            }
        }
        w.family("conversioni_conversions_total", PrometheusTextWriter.COUNTER, "Accepted events whose evento counts "
            + "as a conversion (windows.conversion_rate.conversioni), by canale and evento.");
        for (int evento = 0; evento < eventi.size(); evento++) {
            if ((conversionEventi >>> evento & 1) == 0) {
                continue;
            }
            for (int canale = 0; canale < canali.size(); canale++) {
                w.sample("conversioni_conversions_total").label("canale", canali.get(canale))
                    .label("evento", eventi.get(evento)).value(business.accepted(evento, canale));
            }
        }
        w.family("conversioni_value_total", PrometheusTextWriter.COUNTER,
            "Sum of valore (currency units, exact to the cent) of the accepted events, by canale and evento.");
        for (int evento = 0; evento < eventi.size(); evento++) {
            for (int canale = 0; canale < canali.size(); canale++) {
                w.sample("conversioni_value_total").label("canale", canali.get(canale))
                    .label("evento", eventi.get(evento)).value(business.valueCents(evento, canale) / CENTS_PER_UNIT);
            }
        }
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
