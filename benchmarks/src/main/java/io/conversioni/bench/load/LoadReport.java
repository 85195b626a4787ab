package io.conversioni.bench.load;

import io.conversioni.json.JsonBuilder;

import org.HdrHistogram.Histogram;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one run measured: filled by the selector thread and the insight probe (each its own fields), read by the
 * main thread after both are done; renders the readable summary and the JSON object for
 * {@code benchmarks/results}. Not thread-safe; allocates freely (it runs once, after the load).
 */
final class LoadReport {
    static final int STATUS_SLOTS = 600;

    final LoadSettings settings;
    Histogram latencyMicros;
    final long[] statusCounts = new long[STATUS_SLOTS];
    final Map<String, Long> errors = new LinkedHashMap<>();
    long failedRequests;
    long sentRequests;
    long sentEvents;
    long completedRequests;
    long completedEvents;
    long lastCompletionNanos;
    long maxQueued;
    Histogram insightMicros;
    long insightNotVisible;
    long insightFailed;
    String insightLastError;

    LoadReport(final LoadSettings settings) {
        this.settings = settings;
    }

    /** Counts one error kind; {@code failedRequests} of the schedule's requests ended with it (0: a connection event). */
    void error(final String reason, final long failed) {
        errors.merge(reason, Math.max(1, failed), Long::sum);
        failedRequests += failed;
    }

    /** Seconds the throughput is divided by: the schedule's length, or longer when answers came late. */
    double elapsedSeconds() {
        return Math.max(settings.durationNanos, lastCompletionNanos) / 1e9;
    }

    double throughputRps() {
        return completedRequests / elapsedSeconds();
    }

    double eventsPerSecond() {
        return completedEvents / elapsedSeconds();
    }

    long count(final int status) {
        return statusCounts[status];
    }

    String summary() {
        final StringBuilder sb = new StringBuilder(1024);
        sb.append(String.format(Locale.ROOT, "%s: %s, %s for %.1f s over %d connections%s%n", settings.name,
            settings.target, settings.closedLoop ? "closed loop (max)" : String.format(Locale.ROOT, "%.0f req/s",
                settings.ratePerSecond), settings.durationNanos / 1e9, settings.connections,
            settings.batchEvents > 0 ? ", batches of " + settings.batchEvents : ""));
        sb.append(String.format(Locale.ROOT, "  requests  %d scheduled, %d sent, %d answered, %d failed (max queued %d)%n",
            settings.totalRequests(), sentRequests, completedRequests, failedRequests, maxQueued));
        sb.append(String.format(Locale.ROOT, "  achieved  %.1f req/s, %.1f events/s%n", throughputRps(), eventsPerSecond()));
        sb.append("  latency   ").append(percentiles(latencyMicros))
            .append(settings.closedLoop ? " (service time, from the actual send)\n" : " (from intended send time)\n");
        sb.append("  status   ");
        for (int s = 0; s < STATUS_SLOTS; s++) {
            if (statusCounts[s] > 0) {
                sb.append(' ').append(s == 0 ? "other" : Integer.toString(s)).append(':').append(statusCounts[s]);
            }
        }
        sb.append('\n');
        for (final Map.Entry<String, Long> e : errors.entrySet()) {
            sb.append("  error     ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        if (insightMicros != null) {
            sb.append(String.format(Locale.ROOT, "  insight   %d samples: %s; %d not visible within %s s, %d failed%s%n",
                insightMicros.getTotalCount(), percentiles(insightMicros), insightNotVisible,
                number(settings.insightTimeoutNanos / 1e9), insightFailed,
                insightLastError == null ? "" : " (last: " + insightLastError + ")"));
        }
        return sb.toString();
    }

    String json() {
        final StringBuilder sb = new StringBuilder(1024);
        sb.append("{\"name\":").append(JsonBuilder.quote(settings.name))
            .append(",\"rate\":").append(settings.closedLoop ? "\"max\"" : number(settings.ratePerSecond))
            .append(",\"duration_s\":").append(number(settings.durationNanos / 1e9))
            .append(",\"connections\":").append(settings.connections)
            .append(",\"batch\":").append(settings.batchEvents)
            .append(",\"seed\":").append(settings.seed)
            .append(",\"requests_scheduled\":").append(settings.totalRequests())
            .append(",\"requests_sent\":").append(sentRequests)
            .append(",\"requests_answered\":").append(completedRequests)
            .append(",\"requests_failed\":").append(failedRequests)
            .append(",\"max_queued\":").append(maxQueued)
            .append(",\"throughput_rps\":").append(number(throughputRps()))
            .append(",\"events_per_s\":").append(number(eventsPerSecond()))
            .append(",\"latency_ms\":").append(percentilesJson(latencyMicros))
            .append(",\"status_counts\":{");
        boolean first = true;
        for (int s = 0; s < STATUS_SLOTS; s++) {
            if (statusCounts[s] > 0) {
                sb.append(first ? "" : ",").append('"').append(s == 0 ? "other" : Integer.toString(s)).append("\":").append(statusCounts[s]);
                first = false;
            }
        }
        sb.append("},\"errors\":{");
        first = true;
        for (final Map.Entry<String, Long> e : errors.entrySet()) {
            sb.append(first ? "" : ",").append(JsonBuilder.quote(e.getKey())).append(':').append(e.getValue());
            first = false;
        }
        sb.append('}');
        if (insightMicros != null) {
            sb.append(",\"insight_latency_ms\":").append(percentilesJson(insightMicros))
                .append(",\"insight_not_visible\":").append(insightNotVisible)
                .append(",\"insight_failed\":").append(insightFailed);
        }
        return sb.append("}\n").toString();
    }

    private static String percentiles(final Histogram h) {
        if (h.getTotalCount() == 0) {
            return "no samples";
        }
        return String.format(Locale.ROOT, "p50 %.3f ms, p90 %.3f, p99 %.3f, p99.9 %.3f, max %.3f", ms(h, 50), ms(h, 90),
            ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1000.0);
    }

    private static String percentilesJson(final Histogram h) {
        if (h.getTotalCount() == 0) {
            return "{\"count\":0}";
        }
        return "{\"count\":" + h.getTotalCount() + ",\"p50\":" + number(ms(h, 50)) + ",\"p90\":" + number(ms(h, 90))
            + ",\"p99\":" + number(ms(h, 99)) + ",\"p99.9\":" + number(ms(h, 99.9)) + ",\"max\":"
            + number(h.getMaxValue() / 1000.0) + ",\"mean\":" + number(h.getMean() / 1000.0) + "}";
    }

    private static double ms(final Histogram h, final double percentile) {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static String number(final double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

}
