package io.conversioni.cli;

import io.conversioni.cluster.ClusterException;
import io.conversioni.config.ConfigException;
import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.AuthSetup;
import io.conversioni.ingress.ConversioniServer;
import io.conversioni.ingress.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code conversioni serve}: the engine behind HTTPS. Starts listening at once (liveness), recovers the
 * engine's state from the journal (readiness follows), then takes events. SIGTERM: ingest answers 503,
 * the ring drains, the journal is flushed and closed, exit 0. The wiring is {@link ConversioniServer}'s; this
 * command parses the options, holds the data folder's lock, prints the banner and waits.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Run the engine behind HTTPS (and optionally plain HTTP).",
        "Uses the embedded defaults in config/ unless --config is given."})
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    /** Held for the life of the process: reachable, so the channel's cleaner never releases it early. */
    private static DataDirLock lock;

    @Mixin
    private DataFolderOptions folder = new DataFolderOptions();

    @Option(names = "--port", paramLabel = "N", description = "HTTPS port (default 8443; -1 disables HTTPS).")
    private Integer port;

    @Option(names = "--http-port", paramLabel = "N", description = "Also listen on plain HTTP (behind a TLS proxy).")
    private Integer httpPort;

    @Override
    public Integer call() throws Exception {
        final EngineConfig config;
        final ConversioniServer server;
        try {
            config = folder.config();
            server = ConversioniServer.configure(config, folder.dataDir(), port, httpPort);
        } catch (ConfigException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        lock = DataDirLock.tryAcquire(folder.dataDir());
        if (lock == null) {
            System.err.println("error: another conversioni process is using " + folder.dataDir()
                + " (serve or requeue); stop it first, or give this one its own --data-dir");
            return 2;
        }
        // the lock stays held until the process exits (the OS releases it, even after kill -9)
        DataFolderModes.tighten(folder.dataDir());
        config.warnings().forEach(w -> LOG.warn("schema: {}", w));
        try {
            server.listen();
        } catch (ConfigException | ClusterException e) {
            System.err.println("error: " + e.getMessage()); // a ClusterException's message starts with its code
            server.close();
            return 2;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        final AtomicBoolean running = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping: refusing new events, draining the ring, closing the journal");
            server.close();
            stopped.countDown();
            LOG.info("stopped cleanly");
            if (running.get()) {
                Runtime.getRuntime().halt(0); // SIGTERM after a clean drain is a success
            }
        }, "conversioni-shutdown"));
        try {
            server.start();
        } catch (ClusterException e) {
            System.err.println("error: " + e.getMessage());
            server.close(); // the shutdown hook's close then returns at once
            return 2;
        }
        running.set(true);
        banner(server);
        stopped.await();
        return 0;
    }

    private static void banner(final ConversioniServer server) {
        final ServerSettings settings = server.settings();
        final AuthSetup auth = server.auth();
        final boolean https = settings.httpsEnabled();
        final String base = https ? "https://localhost:" + server.port("https") : "http://localhost:" + server.port("http");
        final StringBuilder out = new StringBuilder();
        out.append("\nconversioni is ready: ").append(base).append('\n');
        if (settings.httpsEnabled() && settings.httpEnabled()) {
            out.append("  plain HTTP also on http://localhost:").append(server.port("http")).append('\n');
        }
        if (server.clustered()) {
            out.append("  ").append(server.clusterDescription()).append('\n');
        }
        if (auth.issuer() != null) {
            final String token = auth.issuer().issue("sviluppo", System.currentTimeMillis() / 1000, 24 * 3600);
            final String now = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
            out.append("\nDevelopment token (24 h; make more with ./conversioni token --sub NAME):\n  ").append(token)
                .append("\n\nTry it:\n  curl ").append(https ? "-k " : "").append("-H 'Authorization: Bearer ").append(token)
                .append("' -H 'Content-Type: application/json' \\\n    -d '{\"id_cliente\": \"CLIENTE-ITALIA-789456\", ")
                .append("\"evento\": \"richiesta_demo\", \"timestamp\": \"").append(now)
                .append("\", \"valore\": 0.0, \"canale\": \"email\", \"stato\": \"completato\", \"metadati\": ")
                .append("{\"campagna\": \"Campagna_Email_Verano2024\", \"dispositivo\": \"iPad_pro\", \"localita\": \"Roma\"}}' \\\n    ")
                .append(base).append("/api/v1/eventi/conversione\n");
            if (auth.generatedSecret()) {
                out.append("\n(A new HS256 secret was generated in the data folder; production: set CONVERSIONI_JWT_SECRET.)\n");
            }
        }
        out.append("\nDashboard: ").append(base).append("/  (paste the token once)\n");
        out.append("Metrics: ").append(base).append("/api/v1/metriche  Prometheus: ").append(base).append("/metrics\n");
        System.out.println(out);
        System.out.flush();
    }
}
