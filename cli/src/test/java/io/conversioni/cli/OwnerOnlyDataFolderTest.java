package io.conversioni.cli;

import com.sun.net.httpserver.HttpServer;
import io.conversioni.config.EngineConfig;
import io.conversioni.files.OwnerOnlyFiles;
import io.conversioni.ingress.AlertsHandler;
import io.conversioni.ingress.AuthSetup;
import io.conversioni.ingress.DevelopmentTls;
import io.conversioni.ingress.IngressServer;
import io.conversioni.ingress.ServerSettings;
import io.conversioni.ingress.TestTls;
import io.conversioni.ingress.metrics.PrometheusExporter;
import io.conversioni.operations.AlertRuntime;
import io.conversioni.pipeline.Engine;
import io.conversioni.report.ReportJob;
import io.conversioni.testkit.Await;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The data folder after a real run wired as {@code serve} wires it (lock, JWT secret, development keystore,
 * events and a quarantined one over HTTPS, a duplicate alert, a dead letter, a daily report, the stop's
 * snapshot), and a folder made by an older version with the umask's modes, tightened at start.
 */
@Timeout(120)
class OwnerOnlyDataFolderTest {
    private static final long T0 = Instant.parse("2024-05-20T14:32:45.123Z").toEpochMilli();
    private static final String EVENT = "{\"id_cliente\": \"CLIENTE-ITALIA-789456\", \"evento\": \"richiesta_demo\", "
        + "\"timestamp\": \"2024-05-20T14:32:45.123Z\", \"valore\": 0.0, \"canale\": \"email\", \"stato\": \"completato\"}";

    @TempDir
    Path dir;

    @BeforeEach
    void posixOnly() {
        assumeTrue(OwnerOnlyFiles.isPosix(dir), "needs a POSIX file system");
    }

    private static String mode(final Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    /** Every path under {@code root} (itself included) whose mode is not 0700 (directory) or 0600 (file). */
    /**
     * Chronicle tells its store listener of a new cycle file on its background releaser thread, so a file's mode
     * is set shortly after it is created (in a 0700 folder meanwhile): wait for that, bounded.
     */
    private static void awaitOwnerOnly(final Path root) {
        Await.poll(java.time.Duration.ofSeconds(10), () -> {
            net.openhft.chronicle.core.io.BackgroundResourceReleaser.releasePendingResources();
            try {
                return notOwnerOnly(root).isEmpty();
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static List<String> notOwnerOnly(final Path root) throws Exception {
        final List<String> wrong = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                final String mode = mode(p);
                if (!mode.equals(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------")) {
                    wrong.add(root.relativize(p) + " " + mode);
                }
            }
        }
        return wrong;
    }

    private static boolean holds(final Path folder, final String suffix) throws Exception {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(suffix));
        }
    }

    private static void await(final String what, final BooleanSupplier condition) {
        Await.until(what, java.time.Duration.ofSeconds(30), condition);
    }

    @Test
    void shouldLeaveTheDataFolder0700AndEveryFileIn0600AfterARunThatWritesEachKindOfFile() throws Exception {
        final HttpServer refusing = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        refusing.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(500, -1);
            ex.close();
        });
        refusing.start();
        final Path data = dir.resolve("data");
        try (DataDirLock lock = DataDirLock.tryAcquire(data)) {
            assertNotNull(lock);
            run(data, "http://127.0.0.1:" + refusing.getAddress().getPort() + "/");
        } finally {
            refusing.stop(0);
        }
        final String[] replay = CliRun.run("replay", "--data-dir", data.toString(), "--format", "csv", "--output",
            dir.resolve("finestre.csv").toString());
        assertEquals("0", replay[0], replay[2]);
        assertEquals("rw-------", mode(dir.resolve("finestre.csv")), "replay --output");

        for (String[] expected : new String[][] {{"journal/events", ".cq4"}, {"journal/quarantine", ".cq4"},
            {"snapshots", ""}, {"reports", ".json"}, {"alerts", ".cq4"}, {"delivery/deadletters", ".cq4"},
            {"tls", "dev-keystore.p12"}, {"tls", "dev-keystore.password"}, {"", "jwt-secret"}, {"", "LOCK"}}) {
            assertTrue(holds(data.resolve(expected[0]), expected[1]), "the run wrote " + String.join("/", expected));
        }
        awaitOwnerOnly(data);
        assertEquals(List.of(), notOwnerOnly(data));
    }

    private static void run(final Path data, final String refusingSink) throws Exception {
        final EngineConfig config = EngineConfig.parse("alerts:\n  duplicati:\n    threshold: 3\ndelivery:\n"
            + "  first_retry: 20ms\n  max_attempts: 2\n  sinks:\n    rotto:\n      url: " + refusingSink + "\n",
            Path.of("..", "config"));
        final ServerSettings settings = ServerSettings.read(config.server(), 0, -1);
        final AuthSetup auth = AuthSetup.read(config.auth(), data);
        final Engine engine = Engine.create(config, data, () -> T0 + 5_000);
        final AlertRuntime alerts = AlertRuntime.start(config, data, engine);
        final IngressServer server = new IngressServer(engine, settings, auth.authenticator(),
            new PrometheusExporter(engine)::scrape);
        try {
            server.addRoutes(AlertsHandler.routes(alerts.alerts()));
            final Path keystore = DevelopmentTls.ensureDevelopmentKeystore(data);
            server.start(DevelopmentTls.context(keystore, DevelopmentTls.password(keystore)));
            engine.start();
            final HttpClient client = HttpClient.newBuilder().sslContext(TestTls.trusting(keystore))
                .connectTimeout(Duration.ofSeconds(5)).build();
            final String token = auth.issuer().issue("test-files", System.currentTimeMillis() / 1000, 3600);
            final URI uri = URI.create("https://localhost:" + server.port("https") + "/api/v1/eventi/conversione");
            for (String body : List.of(EVENT, EVENT, EVENT, EVENT, EVENT, EVENT.replace("\"email\"", "\"fax\""))) {
                final HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertTrue(r.statusCode() == 202 || r.statusCode() == 400, r.statusCode() + " " + r.body());
            }
            await("a dead letter for the refusing sink", () -> alerts.alerts().alerts("aperto").stream()
                .anyMatch(a -> a.chiave().equals("sink=rotto")));
            new ReportJob(config, data, alerts.log()).run(System.currentTimeMillis());
        } finally {
            server.beginDrain();
            engine.close(); // writes the stop's snapshot
            alerts.close();
            server.stop();
        }
    }

    @Test
    void shouldTightenAFolderAnOlderVersionMadeWithTheUmasksModesAndLeaveOtherFilesAlone() throws Exception {
        final Path data = Files.createDirectories(dir.resolve("data").resolve("journal").resolve("events")).getParent()
            .getParent();
        final Path cycle = Files.writeString(data.resolve("journal/events/20240520.cq4"), "x");
        final Path secret = Files.writeString(data.resolve("jwt-secret"), "s");
        final Path mine = Files.writeString(data.resolve("appunti.txt"), "not conversioni's");
        for (Path p : List.of(data, data.resolve("journal"), data.resolve("journal/events"))) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        for (Path p : List.of(cycle, secret, mine)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        }
        final List<Path> changed = DataFolderModes.tighten(data);
        assertEquals(5, changed.size(), changed.toString());
        assertEquals(List.of("appunti.txt rw-r--r--"), notOwnerOnly(data));
        assertEquals(List.of(), DataFolderModes.tighten(data), "nothing left to change");
    }
}
