package io.conversioni.cli.cluster;

import io.conversioni.ingress.DevelopmentTls;
import io.conversioni.ingress.TestTls;
import io.conversioni.testkit.Await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code conversioni serve} node as a child JVM, exactly as an operator starts it: the pom's JVM flags,
 * this test's class path, {@code serve --config F --data-dir D --port N} (HTTPS with the data folder's
 * development certificate), a config file that holds only a {@code cluster:} section, the HS256 secret in
 * {@code CONVERSIONI_JWT_SECRET}. {@link #kill()} (SIGKILL), {@link #terminate()} (SIGTERM), {@link #restart()}
 * (same port, same data folder) and {@link #replaceWithEmptyDataFolder()} are for failure tests; readiness is {@code /health/ready} answering 200, never a
 * sleep. The node's stdout and stderr are appended to {@code <root>/<name>.out}.
 *
 * <p>Driven from one test thread; {@link #client()} is thread-safe and trusts exactly this node's certificate
 * (it is read from the data folder once the node made it). A shutdown hook kills the child if the test JVM
 * dies first. Allocates freely: test code.
 */
final class NodeProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final long STOP_TIMEOUT_S = 60;

    private final String name;
    private final Path config;
    private final Path dataDir;
    private final Path log;
    private final int port;
    private final String secret;
    private final Thread shutdownHook;
    private Process process;
    private HttpClient client;

    private NodeProcess(final String name, final Path config, final Path dataDir, final Path log, final int port,
                        final String secret) {
        this.name = name;
        this.config = config;
        this.dataDir = dataDir;
        this.log = log;
        this.port = port;
        this.secret = secret;
        this.shutdownHook = new Thread(this::destroyNow, "node-" + name + "-stopper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Writes {@code <root>/<name>.yaml} (the {@code cluster:} section alone, {@code extraClusterLines} added to it,
     * each {@code "key: value"}), starts the node on a free port with data folder {@code <root>/<name>-data} and
     * returns once it is ready.
     */
    static NodeProcess start(final Path root, final String name, final String bootstrapServers, final int partitions,
                             final String owns, final String secret, final String... extraClusterLines)
        throws IOException {
        final StringBuilder yaml = new StringBuilder("cluster:\n")
            .append("  bootstrap_servers: ").append(bootstrapServers).append('\n')
            .append("  topic: conversioni_eventi\n")
            .append("  partitions: ").append(partitions).append('\n')
            .append("  node: ").append(name).append('\n')
            .append("  owns: \"").append(owns).append("\"\n");
        for (String line : extraClusterLines) {
            yaml.append("  ").append(line).append('\n');
        }
        final Path config = root.resolve(name + ".yaml");
        Files.writeString(config, yaml.toString(), StandardCharsets.UTF_8);
        return start(root, name, config, root.resolve(name + "-data"), secret);
    }

    /** Starts a node on {@code config} and {@code dataDir} (created if absent) and waits until it is ready. */
    static NodeProcess start(final Path root, final String name, final Path config, final Path dataDir,
                             final String secret) throws IOException {
        final NodeProcess node = new NodeProcess(name, config, dataDir, root.resolve(name + ".out"), freePort(), secret);
        try {
            node.launch();
            node.awaitReady();
            return node;
        } catch (IOException | RuntimeException | Error e) {
            node.close();
            throw e;
        }
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    Path dataDir() {
        return dataDir;
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    URI uri(final String pathAndQuery) {
        return URI.create("https://127.0.0.1:" + port + pathAndQuery);
    }

    /** A client that trusts this node's development certificate; shared by the test's threads. */
    HttpClient client() {
        return client;
    }

    /** POST {@code body} with the token; the exchange's answer, or an {@link IOException} if none came. */
    HttpResponse<String> post(final String path, final String contentType, final String body, final String token)
        throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(final String pathAndQuery, final String token) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGKILL: no shutdown hook, no drain, no flush beyond what the OS already has. Waits for the end. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(STOP_TIMEOUT_S, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM: the node drains and stops by itself; returns its exit status (fails if it does not stop). */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT_S, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(STOP_TIMEOUT_S, TimeUnit.SECONDS);
            throw new AssertionError("node " + name + " did not stop within " + STOP_TIMEOUT_S + " s of SIGTERM:\n"
                + logTail());
        }
        return process.exitValue();
    }

    /** Starts the node again on the same port, config and data folder (after a kill or stop) and waits until ready. */
    void restart() throws IOException {
        if (isAlive()) {
            throw new IllegalStateException("node " + name + " is running; kill or stop it first");
        }
        launch();
        awaitReady();
    }

    /**
     * A replacement node: SIGKILL, the data folder deleted (its disk is lost: journal, snapshots, certificate), then
     * started again on the same port and config with an empty one; waits until ready. The client is made anew for
     * the new certificate.
     */
    void replaceWithEmptyDataFolder() throws IOException, InterruptedException {
        kill();
        try (java.util.stream.Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
        client = null;
        launch();
        awaitReady();
    }

    /** The last lines of the node's output, for a failing assertion's message. */
    String logTail() {
        try {
            final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no node log: " + e.getMessage() + ")";
        }
    }

    String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /**
     * The node's certificate as a PEM file (for python3's {@code ssl.create_default_context(cafile=...)}), written
     * beside its log.
     */
    Path certificatePem() throws Exception {
        final Path keystore = dataDir.resolve("tls").resolve("dev-keystore.p12");
        final KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keystore)) {
            store.load(in, DevelopmentTls.password(keystore));
        }
        final String alias = store.aliases().nextElement();
        final String pem = "-----BEGIN CERTIFICATE-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(
                store.getCertificate(alias).getEncoded())
            + "\n-----END CERTIFICATE-----\n";
        final Path file = log.resolveSibling(name + "-cert.pem");
        Files.writeString(file, pem, StandardCharsets.US_ASCII);
        return file;
    }

    /** SIGKILL if running, then forgets the shutdown hook. Idempotent. */
    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            destroyNow();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway; the process ends either way
            }
        }
    }

    private void launch() throws IOException {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String flag : Files.readString(Path.of("target", "jvm.options")).trim().split("\\s+")) {
            command.add(flag);
        }
        command.add("-Xmx384m");
        // the shipped logging (ingress' logback.xml), not the test class path's logback-test.xml: a node logs as in production
        command.add("-Dlogback.configurationFile=logback.xml");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.conversioni.cli.ConversioniCommand");
        command.addAll(List.of("serve", "--config", config.toString(), "--data-dir", dataDir.toString(),
            "--port", Integer.toString(port)));
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectErrorStream(true);
        builder.environment().put("CONVERSIONI_JWT_SECRET", secret);
        builder.environment().put("CONVERSIONI_LOG_LEVEL", "INFO");
        process = builder.start();
    }

    private void awaitReady() {
        final Path keystore = dataDir.resolve("tls").resolve("dev-keystore.p12");
        final Process started = process;
        Await.until("node " + name + " made its development certificate", READY_TIMEOUT,
            () -> Files.isRegularFile(keystore) || !started.isAlive(), this::logTail);
        if (!started.isAlive()) {
            throw new AssertionError("node " + name + " exited with " + started.exitValue() + " before it was ready:\n"
                + logTail());
        }
        if (client == null) {
            try {
                client = HttpClient.newBuilder().sslContext(TestTls.trusting(keystore))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            } catch (Exception e) {
                throw new AssertionError("node " + name + ": its certificate cannot be read: " + e + "\n" + logTail(), e);
            }
        }
        Await.until("node " + name + " answers /health/ready with 200", READY_TIMEOUT, () -> {
            if (!started.isAlive()) {
                throw new AssertionError("node " + name + " exited with " + started.exitValue()
                    + " before it was ready:\n" + logTail());
            }
            return ready();
        }, this::logTail);
    }

    private boolean ready() {
        try {
            return client.send(HttpRequest.newBuilder(uri("/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
            return false; // not listening yet, or the TLS listener is still starting
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for node " + name, e);
        }
    }

    private void destroyNow() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
