package io.conversioni.ingress.metrics;

import io.conversioni.json.JsonBuilder;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.EngineCounters;
import io.conversioni.pipeline.Outcome;
import org.HdrHistogram.Histogram;

import java.util.function.LongSupplier;

/**
 * The {@code motore} object the server adds to its metriche JSON: insight latency quantiles, the ingest rate
 * over the last sampling interval and the ring's occupancy, for the dashboard.
 *
 * <p>Threading: {@link #sample()} from one timer thread (the server's stream timer, once a second; concurrent
 * callers take turns on this object's lock); {@link #json()} from any thread, a volatile read of the last
 * published text. Allocation: the histogram copy is made once; each sample allocates its small string.
 */
public final class EngineSampler {
    private static final int[] OUTCOMES = {Outcome.ACCEPTED, Outcome.DUPLICATE, Outcome.REJECTED, Outcome.TOO_LATE,
        Outcome.FUTURE, Outcome.JOURNAL_FAILED};
    private static final double NANOS_PER_MICRO = 1e3;
    private static final double NANOS_PER_SECOND = 1e9;

    private final Engine engine;
    private final EngineCounters counters;
    private final LongSupplier nanoClock;
    private final Histogram latencyNanos;
    private long lastEvents;
    private long lastSampleNanos;
    private double eventsPerSecond;
    /** Whether the engine was ready at the last sample: until then its counters climb by replay, not ingest. */
    private boolean ingesting;
    private volatile String json;

    /** @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime} outside tests) */
    public EngineSampler(final Engine engine, final LongSupplier nanoClock) {
        this.engine = engine;
        this.counters = engine.counters();
        this.nanoClock = nanoClock;
        this.latencyNanos = engine.windows().newInsightLatencyHistogram();
        this.lastEvents = publishedEvents();
        this.lastSampleNanos = nanoClock.getAsLong();
        this.ingesting = engine.isReady();
        this.json = render();
    }

    /**
     * Takes a sample: the rate since the previous one, the latency as of the last heartbeat, the ring now. While the
     * engine recovers (not ready yet), and at the first sample once it is, the rate is 0: the events its counters
     * gain then are replayed from the journal, not taken in.
     */
    public synchronized void sample() {
        final long now = nanoClock.getAsLong();
        final long events = publishedEvents();
        final long elapsedNanos = now - lastSampleNanos;
        final boolean ready = engine.isReady();
        if (!ready || !ingesting) {
            eventsPerSecond = 0;
            ingesting = ready;
        } else if (elapsedNanos > 0) {
            eventsPerSecond = (events - lastEvents) * NANOS_PER_SECOND / elapsedNanos;
        }
        lastEvents = events;
        lastSampleNanos = now;
        json = render();
    }

    /**
     * The last sample as a JSON object: {@code {"latenza_insight_p50_us","latenza_insight_p99_us",
     * "latenza_insight_campioni","eventi_al_secondo","eventi_totali","anello_occupati","anello_capacita"}};
     * the quantiles are null before the first event.
     */
    public String json() {
        return json;
    }

    private long publishedEvents() {
        long sum = 0;
        for (final int outcome : OUTCOMES) {
            sum += counters.outcomes(outcome);
        }
        return sum;
    }

    private String render() {
        engine.windows().copyInsightLatencyInto(latencyNanos);
        final long samples = latencyNanos.getTotalCount();
        final JsonBuilder out = new JsonBuilder(224).beginObject();
        micros(out.name("latenza_insight_p50_us"), samples, 50);
        micros(out.name("latenza_insight_p99_us"), samples, 99);
        return out.field("latenza_insight_campioni", samples)
            .name("eventi_al_secondo").value(Math.round(eventsPerSecond * 10) / 10.0)
            .field("eventi_totali", lastEvents)
            .field("anello_occupati", engine.ringOccupancy())
            .field("anello_capacita", engine.ringSize()).endObject().toString();
    }

    private void micros(final JsonBuilder out, final long samples, final double percentile) {
        if (samples == 0) {
            out.nullValue();
        } else {
            out.value(Math.round(latencyNanos.getValueAtPercentile(percentile) / NANOS_PER_MICRO * 10) / 10.0);
        }
    }
}
