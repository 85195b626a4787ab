package io.conversioni.ingress;

import io.conversioni.alert.AlertLog;
import io.conversioni.alert.AlertSignal;
import io.conversioni.config.ConfigException;
import io.conversioni.config.ConfigReader;
import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.auth.Scopes;
import io.conversioni.jobs.JobScheduler;
import io.conversioni.jobs.JobStatus;
import io.conversioni.jobs.JobsJson;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.MaintenanceRecord;
import io.conversioni.reconcile.HttpCrmSource;
import io.conversioni.reconcile.ReconciliationJob;
import io.conversioni.reconcile.ReconciliationSettings;
import io.conversioni.report.ReportJob;
import io.undertow.server.HttpServerExchange;

import java.nio.file.Path;
import java.util.Deque;
import java.util.function.LongSupplier;

/**
 * The server's scheduled jobs in one piece: reconciliation ({@value ReconciliationJob#NAME}), the daily
 * report ({@value ReportJob#NAME}) and the engine's own snapshot and retention work, on one
 * {@link JobScheduler} thread, plus their routes: {@code GET /api/v1/jobs} and
 * {@code POST /api/v1/jobs/{nome}/esegui}. Start it after the engine is created, register its routes with
 * {@link IngressServer#addRoutes}, close it before the engine. Route handlers run on IO threads and only read
 * statuses or queue a run: they never block.
 */
public final class JobsRuntime implements AutoCloseable {
    private final JobScheduler scheduler;

    /** The {@code reconciliation:} and {@code reports:} settings, checked before anything starts. */
    public record Settings(ReconciliationSettings reconciliation, boolean reportsEnabled, long reportIntervalMillis) {
    }

    private JobsRuntime(final JobScheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** Reads and checks the settings (errors name the key); call with the rest of the configuration. */
    public static Settings settings(final EngineConfig config, final Path dataDir) throws ConfigException {
        final ReconciliationSettings reconciliation = ReconciliationSettings.read(config.reconciliation(), dataDir);
        final ConfigReader r = config.reports();
        final boolean enabled = r.bool("enabled", true);
        final long interval = r.durationMillis("interval", "1h", 60_000, 86_400_000);
        r.rejectUnknownKeys();
        return new Settings(reconciliation, enabled, interval);
    }

    /** Starts the jobs with the wall clock. */
    public static JobsRuntime start(final EngineConfig config, final Path dataDir, final Engine engine,
                                    final AlertSignal alertSignal, final AlertLog alertLog) throws ConfigException {
        return start(settings(config, dataDir), config, dataDir, engine, alertSignal, alertLog, System::currentTimeMillis);
    }

    public static JobsRuntime start(final Settings settings, final EngineConfig config, final Path dataDir,
                                    final Engine engine, final AlertSignal alertSignal, final AlertLog alertLog,
                                    final LongSupplier clock) {
        final JobScheduler scheduler = new JobScheduler(clock);
        final ReconciliationSettings rs = settings.reconciliation();
        if (!rs.source().equals("none")) {
            final ReconciliationJob job = new ReconciliationJob(config, dataDir, rs,
                rs.source().equals("http") ? HttpCrmSource.fromEnvironment(rs.http()) : null, alertSignal);
            scheduler.schedule(ReconciliationJob.NAME, rs.intervalMillis(), rs.intervalMillis(), job::run);
        }
        if (settings.reportsEnabled()) {
            final ReportJob report = new ReportJob(config, dataDir, alertLog);
            scheduler.schedule(ReportJob.NAME, settings.reportIntervalMillis(),
                Math.min(60_000, settings.reportIntervalMillis()), report::run);
        }
        scheduler.external("snapshot", () -> status(engine.snapshotRecord()), engine::requestSnapshot);
        // retention runs after each written snapshot, so running it now means asking for a snapshot
        scheduler.external("retention", () -> status(engine.retentionRecord()), engine::requestSnapshot);
        scheduler.start();
        return new JobsRuntime(scheduler);
    }

    private static JobStatus status(final MaintenanceRecord r) {
        return new JobStatus(r.name(), r.intervalMillis(), r.lastRunMillis(), r.nextRunMillis(), r.outcome(), r.lastError());
    }

    public JobScheduler scheduler() {
        return scheduler;
    }

    /** The routes, for {@link IngressServer#addRoutes}: {@code server.addRoutes(jobs::register)}. */
    public void register(final RouteTable routes, final IngressServer.Guard guard) {
        routes.get("/api/v1/jobs", guard.requiring(Scopes.METRICHE_LEGGI,
                ex -> Responses.send(ex, 200, JobsJson.render(scheduler.statuses()))))
            .post("/api/v1/jobs/{nome}/esegui", guard.requiring(Scopes.ADMIN, this::runNow));
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
            Responses.send(exchange, 202, "{\"esito\":\"avviato\",\"nome\":" + Responses.quote(name) + "}");
        }
    }

    /** Stops the job thread, waiting for a running job (bounded). */
    @Override
    public void close() {
        scheduler.close();
    }
}
