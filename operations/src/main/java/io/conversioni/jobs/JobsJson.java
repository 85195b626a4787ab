package io.conversioni.jobs;

import io.conversioni.json.JsonBuilder;

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
        final JsonBuilder out = new JsonBuilder(512).beginObject().name("jobs").beginArray();
        for (JobStatus j : jobs) {
            out.beginObject().field("nome", j.nome())
                .field("intervallo", j.intervalMillis() > 0 ? duration(j.intervalMillis()) : null);
            instant(out.name("ultima_esecuzione"), j.lastRunMillis());
            instant(out.name("prossima_esecuzione"), j.nextRunMillis());
            out.field("esito", j.esito()).field("ultimo_errore", j.lastError()).endObject();
        }
        return out.endArray().endObject().toString();
    }

    private static void instant(final JsonBuilder out, final long millis) {
        if (millis < 0) {
            out.nullValue();
        } else {
            out.instant(millis);
        }
    }

    static String duration(final long millis) {
        return io.conversioni.config.ConfigReader.formatMillis(millis);
    }
}
