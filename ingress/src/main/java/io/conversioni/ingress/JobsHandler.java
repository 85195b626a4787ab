package io.conversioni.ingress;

import io.conversioni.ingress.auth.Scopes;
import io.conversioni.jobs.JobScheduler;
import io.conversioni.jobs.JobsJson;
import io.conversioni.json.JsonBuilder;
import io.conversioni.operations.JobsRuntime;
import io.undertow.server.HttpServerExchange;

import java.util.Deque;

/**
 * The scheduled jobs over HTTP: {@code GET /api/v1/jobs} (every job's status) and
 * {@code POST /api/v1/jobs/{nome}/esegui} (queue a run now) for a {@link JobScheduler} that runs elsewhere
 * ({@link JobsRuntime}). Handlers run on the server's threads and only read statuses or queue a
 * run: they never block. Allocates each answer.
 */
public final class JobsHandler {
    private final JobScheduler scheduler;

    private JobsHandler(final JobScheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** The routes, for {@link IngressServer#addRoutes}: {@code server.addRoutes(JobsHandler.routes(jobs.scheduler()))}. */
    public static IngressServer.Routes routes(final JobScheduler scheduler) {
        final JobsHandler jobs = new JobsHandler(scheduler);
        return (routes, guard) -> routes.get("/api/v1/jobs", guard.requiring(Scopes.METRICHE_LEGGI,
                ex -> Responses.send(ex, 200, JobsJson.render(scheduler.statuses()))))
            .post("/api/v1/jobs/{nome}/esegui", guard.requiring(Scopes.ADMIN, jobs::runNow));
    }

    private void runNow(final HttpServerExchange exchange) {
        final Deque<String> values = exchange.getQueryParameters().get("nome");
        final String name = values == null || values.isEmpty() ? "" : values.peekFirst();
        if (!scheduler.has(name)) {
            Responses.error(exchange, 404, "job_sconosciuto", "no job named '" + name + "'; GET /api/v1/jobs lists them");
        } else if (!scheduler.runNow(name)) {
            exchange.getResponseHeaders().put(Responses.RETRY_AFTER, 1);
            Responses.error(exchange, 503, "job_non_avviato", "job '" + name + "' could not start now (the engine is "
                + "not running or its ring is full); try again");
        } else {
            Responses.send(exchange, 202, new JsonBuilder(64).beginObject().field("esito", "avviato").field("nome", name)
                .endObject().toBytes());
        }
    }
}
