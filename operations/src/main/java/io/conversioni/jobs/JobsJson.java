package io.conversioni.jobs;

import io.conversioni.reconcile.ReconciliationFormat;

import java.time.Instant;
import java.util.List;

/**
 * Renders {@code GET /api/v1/jobs}: {@code {"jobs":[{"nome","intervallo","ultima_esecuzione",
 * "prossima_esecuzione","esito","ultimo_errore"}]}}; instants are ISO strings or null, {@code intervallo} a
 * duration such as {@code 2m} (null: on demand or at a stop only). Stateless; allocates the text.
 */
public final class JobsJson {
    private JobsJson() {
    }

    public static String render(final List<JobStatus> jobs) {
        final StringBuilder sb = new StringBuilder(512).append("{\"jobs\":[");
        for (int i = 0; i < jobs.size(); i++) {
            final JobStatus j = jobs.get(i);
            sb.append(i > 0 ? "," : "").append("{\"nome\":").append(ReconciliationFormat.quote(j.nome()))
                .append(",\"intervallo\":").append(j.intervalMillis() > 0 ? "\"" + duration(j.intervalMillis()) + "\"" : "null")
                .append(",\"ultima_esecuzione\":").append(instant(j.lastRunMillis()))
                .append(",\"prossima_esecuzione\":").append(instant(j.nextRunMillis()))
                .append(",\"esito\":").append(ReconciliationFormat.quote(j.esito()))
                .append(",\"ultimo_errore\":").append(j.lastError() == null ? "null" : ReconciliationFormat.quote(j.lastError()))
                .append('}');
        }
        return sb.append("]}").toString();
    }

    private static String instant(final long millis) {
        return millis < 0 ? "null" : "\"" + Instant.ofEpochMilli(millis) + "\"";
    }

    static String duration(final long millis) {
        return io.conversioni.config.ConfigReader.formatMillis(millis);
    }
}
