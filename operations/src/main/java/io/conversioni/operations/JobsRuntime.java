package io.conversioni.operations;

import io.conversioni.alert.AlertLog;
import io.conversioni.alert.AlertSignal;
import io.conversioni.config.ConfigException;
import io.conversioni.config.ConfigReader;
import io.conversioni.config.EngineConfig;
import io.conversioni.jobs.JobScheduler;
import io.conversioni.jobs.JobStatus;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.MaintenanceRecord;
import io.conversioni.reconcile.HttpCrmSource;
import io.conversioni.reconcile.ReconciliationJob;
import io.conversioni.reconcile.ReconciliationSettings;
import io.conversioni.report.Coverage;
import io.conversioni.report.ReportJob;

import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * The server's scheduled jobs in one piece: reconciliation ({@value ReconciliationJob#NAME}), the daily
 * report ({@value ReportJob#NAME}) and the engine's own snapshot and retention work, on one
 * {@link JobScheduler} thread, whose statuses and run-now the server exposes
 * ({@code GET /api/v1/jobs}, {@code POST /api/v1/jobs/{nome}/esegui}) through {@link #scheduler()}. Start it
 * after the engine is created, close it before the engine. Controlling thread.
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
        return start(settings, config, dataDir, engine, alertSignal, alertLog, clock, ClusterPart.SINGLE_NODE);
    }

    /**
     * A cluster node's share of the jobs: the id_cliente it reconciles, what its reports cover, and what it does with
     * each report written (publish it; the elected node also writes the cluster's sum).
     */
    public record ClusterPart(ReconciliationJob.Scope scope, Coverage coverage, ReportJob.Listener reports) {
        public static final ClusterPart SINGLE_NODE = new ClusterPart(ReconciliationJob.Scope.ALL, null,
            ReportJob.Listener.NONE);
    }

    /**
     * The jobs of a cluster node: reconciliation limited to {@code scope} (the {@code id_cliente}s of the partitions
     * it owns), so that the owners' results add up to one node's; each daily report names the node and partitions it
     * covers and is shared ({@link ClusterPart}).
     */
    public static JobsRuntime start(final Settings settings, final EngineConfig config, final Path dataDir,
                                    final Engine engine, final AlertSignal alertSignal, final AlertLog alertLog,
                                    final LongSupplier clock, final ClusterPart cluster) {
        final JobScheduler scheduler = new JobScheduler(clock);
        final ReconciliationSettings rs = settings.reconciliation();
        if (!rs.source().equals("none")) {
            final ReconciliationJob job = new ReconciliationJob(config, dataDir, rs,
                rs.source().equals("http") ? HttpCrmSource.fromEnvironment(rs.http()) : null, alertSignal, cluster.scope());
            scheduler.schedule(ReconciliationJob.NAME, rs.intervalMillis(), rs.intervalMillis(), job::run);
        }
        if (settings.reportsEnabled()) {
            final ReportJob report = new ReportJob(config, dataDir, alertLog, cluster.coverage(), cluster.reports());
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

    /** Stops the job thread, waiting for a running job (bounded). */
    @Override
    public void close() {
        scheduler.close();
    }
}
