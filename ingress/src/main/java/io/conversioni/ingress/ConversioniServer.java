package io.conversioni.ingress;

import io.conversioni.cluster.ClusterException;
import io.conversioni.config.ConfigException;
import io.conversioni.config.EngineConfig;
import io.conversioni.files.OwnerOnlyFiles;
import io.conversioni.ingress.metrics.PrometheusExporter;
import io.conversioni.operations.AlertRuntime;
import io.conversioni.operations.JobsRuntime;
import io.conversioni.pipeline.Engine;
import io.conversioni.report.ReportJob;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * The whole server, wired in one place: the engine, the alert and delivery runtime (tapping the engine
 * before it starts), the Prometheus exporter, the HTTP(S) server and its routes, the scheduled jobs, the TLS
 * context, and the order they stop in. {@code serve} calls it: {@link #configure} (every setting read and
 * checked, nothing opened), {@link #listen} (engine created, ports bound: liveness), {@link #start} (journal
 * recovered, events taken: readiness), {@link #close} (from a shutdown hook).
 *
 * <p>Threading: the controlling thread calls configure, listen and start in that order; {@link #close} may
 * come from another thread (a shutdown hook) once {@link #listen} returned, or after it failed, and closes
 * what was opened (once: a second call returns). Allocates only at start.
 *
 * <p>Cluster mode (a {@code cluster:} section; docs/cluster.md): {@link #listen} also makes the Kafka topics exist and
 * starts the receiving side (valid events go to Kafka, answered with their owner's verdict), {@link #start} the
 * owner's consumer once the journal is recovered; readiness waits for both ({@link #addReadinessPart} for more).
 * Without the section no cluster class is loaded and no Kafka client started.
 */
public final class ConversioniServer implements AutoCloseable {
    private final EngineConfig config;
    private final Path dataDir;
    private final ServerSettings settings;
    private final AuthSetup auth;
    private final JobsRuntime.Settings jobsSettings;
    private final AlertRuntime.Settings alertSettings;
    private Engine engine;
    private AlertRuntime alerts;
    private IngressServer server;
    private JobsRuntime jobs;
    /** Null on a single node. */
    private final ClusterNode cluster;
    private boolean closed;

    private ConversioniServer(final EngineConfig config, final Path dataDir, final ServerSettings settings,
                              final AuthSetup auth, final JobsRuntime.Settings jobsSettings,
                              final AlertRuntime.Settings alertSettings, final ClusterNode cluster) {
        this.config = config;
        this.cluster = cluster;
        this.dataDir = dataDir;
        this.settings = settings;
        this.auth = auth;
        this.jobsSettings = jobsSettings;
        this.alertSettings = alertSettings;
    }

    /**
     * Reads and checks the {@code server:}, {@code auth:}, {@code reconciliation:}, {@code reports:} and
     * {@code cluster:} settings (creating the data folder, owner-only, where the development secret may be written). Opens no
     * port and no journal.
     *
     * @param httpsPort {@code --port}, or null for the configured one
     * @param httpPort  {@code --http-port}, or null for the configured one
     * @throws ConfigException on a bad setting (the message names the key)
     */
    public static ConversioniServer configure(final EngineConfig config, final Path dataDir, final Integer httpsPort,
                                              final Integer httpPort) throws ConfigException, IOException {
        final ServerSettings settings = ServerSettings.read(config.server(), httpsPort, httpPort);
        OwnerOnlyFiles.createDirectories(dataDir);
        final AuthSetup auth = AuthSetup.read(config.auth(), dataDir);
        final JobsRuntime.Settings jobsSettings = JobsRuntime.settings(config, dataDir);
        final AlertRuntime.Settings alertSettings = AlertRuntime.settings(config); // before the journal is opened
        // a single node loads no cluster class
        final ClusterNode cluster = config.cluster() == null ? null : ClusterNode.configure(config);
        return new ConversioniServer(config, dataDir, settings, auth, jobsSettings, alertSettings, cluster);
    }

    /**
     * Creates the engine, starts alerts and delivery (their tap is registered before the engine starts, so
     * events replayed during recovery are not seen by the rules), the exporter, the routes and the jobs, then
     * binds the ports: health answers from here on, ingest once {@link #start} has recovered the journal. In cluster
     * mode, before the ports are bound: the topics are made to exist and checked, and the receiving side connects.
     *
     * @throws IOException      when the keystore or its password cannot be read
     * @throws ClusterException cluster mode: the broker does not answer within {@code cluster.broker_timeout}, or a
     *                          topic does not fit the configuration (the code says which)
     */
    public void listen() throws ConfigException, IOException, ClusterException, InterruptedException {
        final SSLContext ssl = settings.httpsEnabled() ? tls() : null;
        engine = Engine.create(config, dataDir);
        alerts = cluster == null ? AlertRuntime.start(alertSettings, dataDir, engine) // taps the engine: before start
            : AlertRuntime.start(alertSettings, dataDir, engine, cluster.rulePlacement(), cluster.alertStates());
        final ClusterIngest clusterIngest = cluster == null ? null
            : cluster.connect(engine.ringSize(), settings.ioThreads, settings.retryAfterSeconds);
        final io.conversioni.cluster.ClusterWindows merged = cluster == null ? null : cluster.followCells(engine.windows());
        final PrometheusExporter exporter = (merged == null ? new PrometheusExporter(engine)
            : new PrometheusExporter(engine, merged, new PrometheusExporter.BusinessCounters() {
                @Override
                public long accepted(final int evento, final int canale) {
                    return merged.acceptedCount(evento, canale);
                }

                @Override
                public long valueCents(final int evento, final int canale) {
                    return merged.valueCents(evento, canale);
                }
            })).add(alerts::writeMetrics);
        server = new IngressServer(engine, settings, auth.authenticator(), exporter::scrape);
        if (merged != null) {
            server.queryWindows(merged, merged::coverageJson); // metriche, stream, dashboard: the whole cluster
        }
        server.addRoutes(AlertsHandler.routes(alerts.alerts()));
        exporter.add(server.httpRequests()::writeTo);
        // reconciliation, daily report, snapshot/retention status; mismatches become riconciliazione alerts
        jobs = JobsRuntime.start(jobsSettings, config, dataDir, engine, alerts.signal(), alerts.log(),
            System::currentTimeMillis, cluster == null ? JobsRuntime.ClusterPart.SINGLE_NODE
                : cluster.jobsPart(ReportJob.reportsDir(dataDir)));
        server.addRoutes(JobsHandler.routes(jobs.scheduler()));
        if (cluster != null) {
            server.routeToCluster(clusterIngest);
            server.addRoutes(ClusterHandler.routes(cluster::status));
            cluster.takeOverAlerts(alerts.alerts()); // the topics exist now; the engine has not started
            server.addReadinessPart(cluster::isRunning);
            exporter.add(cluster::writeMetrics);
        }
        server.start(ssl);
    }

    /**
     * Recovers the engine's state from the journal, then takes events; in cluster mode then starts reading the
     * owned partitions (ready from there on). Call after {@link #listen}.
     *
     * @throws ClusterException cluster mode: the broker gives no metadata within {@code cluster.broker_timeout}
     */
    public void start() throws ClusterException, InterruptedException {
        if (cluster != null) {
            cluster.prepare(engine);
        }
        engine.start();
        server.sampleEngine();
        if (cluster != null) {
            cluster.startOwner(engine);
            cluster.startClusterRules(alerts.alerts());
        }
    }

    /**
     * Adds a part of readiness ({@code /health/ready} and ingest wait until it holds too), such as a replacement
     * node's rebuild of its partitions. After {@link #listen}.
     */
    public void addReadinessPart(final BooleanSupplier part) {
        server.addReadinessPart(part);
    }

    /** Whether this node runs in cluster mode (a {@code cluster:} section). */
    public boolean clustered() {
        return cluster != null;
    }

    /** For the start banner: this node's name, partitions, topic and brokers; null on a single node. */
    public String clusterDescription() {
        return cluster == null ? null : cluster.settings().toString();
    }

    private SSLContext tls() throws IOException {
        if (settings.keystore().isEmpty()) {
            final Path keystore = DevelopmentTls.ensureDevelopmentKeystore(dataDir);
            return DevelopmentTls.context(keystore, DevelopmentTls.password(keystore));
        }
        final String password = System.getenv(settings.keystorePasswordEnv());
        if (password == null) {
            throw new IOException("server.keystore is set; put its password in the environment variable "
                + settings.keystorePasswordEnv());
        }
        return DevelopmentTls.context(Path.of(settings.keystore()), password.toCharArray());
    }

    public ServerSettings settings() {
        return settings;
    }

    public AuthSetup auth() {
        return auth;
    }

    /** The bound port for {@code "https"} or {@code "http"}; after {@link #listen}. */
    public int port(final String scheme) {
        return server.port(scheme);
    }

    public Engine engine() {
        return engine;
    }

    /**
     * Stops in the order that loses nothing: ingest answers 503, the jobs stop (a running one is waited for),
     * the ring drains and the journal is flushed and closed, then delivery and the rules stop (a message in
     * flight stays pending), then the listener closes. In cluster mode, before the engine: the requests waiting for a
     * verdict are answered (verdict, or 503 at the verdict timeout), then the owner's consumer stops once every
     * record it fed in was answered.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (server != null) {
            server.beginDrain();
        }
        if (jobs != null) {
            jobs.close();
        }
        if (cluster != null) {
            cluster.closePublisher();
            cluster.stopOwner();
        }
        if (engine != null) {
            engine.close();
        }
        if (alerts != null) {
            alerts.close();
        }
        if (cluster != null) {
            cluster.closeWriters();
        }
        if (server != null) {
            server.stop();
        }
    }
}
