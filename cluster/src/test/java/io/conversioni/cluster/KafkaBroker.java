package io.conversioni.cluster;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) as a child JVM on two
 * free loopback ports, with its log dir under a folder the test owns. {@link #start(Path)} formats the
 * folder and starts it; {@link #stop()} (SIGTERM), {@link #kill()} (SIGKILL) and {@link #restart()} (same
 * ports, same log dir, same cluster id) are for "broker down / broker back" tests, {@link #freeze()} and
 * {@link #thaw()} for a broker that hangs. Readiness is a
 * condition, never a sleep: the broker's own "Kafka Server started" line, then an answered
 * {@code describeCluster}. The broker's class path is {@code target/broker-classpath.txt}, written by the
 * build (maven-dependency-plugin) for this fixture and for {@code cluster/kafka-broker.sh}.
 *
 * <p>Drive it from one test thread. A JVM shutdown hook kills the child if the test JVM dies first.
 * Allocates only at start and stop.
 */
public final class KafkaBroker implements AutoCloseable {
    /**
     * Written by the cluster module's build; a test of another module (run from its own folder, beside
     * {@code cluster/}) finds it there.
     */
    static final Path CLASSPATH_FILE = Files.isRegularFile(Path.of("target", "broker-classpath.txt"))
        ? Path.of("target", "broker-classpath.txt") : Path.of("..", "cluster", "target", "broker-classpath.txt");
    private static final String STARTED = "Kafka Server started";
    private static final long START_TIMEOUT_MS = 60_000;
    private static final long STOP_TIMEOUT_MS = 30_000;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

    private final Path folder;
    private final int port;
    private final int controllerPort;
    private final String classpath;
    private final Thread shutdownHook;
    private Process process;

    private KafkaBroker(final Path folder, final int port, final int controllerPort, final String classpath) {
        this.folder = folder;
        this.port = port;
        this.controllerPort = controllerPort;
        this.classpath = classpath;
        this.shutdownHook = new Thread(this::destroyNow, "kafka-broker-stopper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Formats a fresh log dir under {@code folder} and starts the broker; returns once it answers. */
    public static KafkaBroker start(final Path folder) throws IOException, InterruptedException {
        if (!Files.isRegularFile(CLASSPATH_FILE)) {
            throw new IllegalStateException(CLASSPATH_FILE.toAbsolutePath() + " is missing: it is written by the "
                + "build; run the tests with 'mvn -pl cluster -am test'");
        }
        final String classpath = Files.readString(CLASSPATH_FILE, StandardCharsets.UTF_8).strip();
        final int[] ports = freeLoopbackPorts(2);
        final KafkaBroker broker = new KafkaBroker(folder, ports[0], ports[1], classpath);
        try {
            broker.writeConfiguration();
            broker.format();
            broker.launch();
            return broker;
        } catch (IOException | InterruptedException | RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** SIGTERM (a controlled shutdown), waiting for the process to end; SIGKILL if it does not in 30 s. */
    public void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        process = null;
    }

    /** SIGKILL: no controlled shutdown, no flush beyond what the OS already has. Waits for the process to end. */
    public void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly().waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        process = null;
    }

    /**
     * SIGSTOP: the broker stays connected but answers nothing (a hung broker, a long GC pause, a network
     * partition that keeps connections open). {@link #thaw()} resumes it.
     */
    public void freeze() throws IOException, InterruptedException {
        signal("-STOP");
        // kill returns once the signal is sent; each of the broker's threads stops when the kernel next reaches it:
        // wait until every one of them is stopped ('T' in /proc), so that nothing is answered after freeze()
        io.conversioni.testkit.Await.until("every thread of broker " + process.pid() + " stopped",
            () -> allThreadsStopped(process.pid()));
    }

    private static boolean allThreadsStopped(final long pid) {
        try (java.util.stream.Stream<java.nio.file.Path> tasks = java.nio.file.Files.list(
                java.nio.file.Path.of("/proc", Long.toString(pid), "task"))) {
            for (java.nio.file.Path task : tasks.toList()) {
                final String stat;
                try {
                    stat = java.nio.file.Files.readString(task.resolve("stat"));
                } catch (final java.nio.file.NoSuchFileException gone) {
                    continue; // a thread that ended meanwhile
                }
                final char state = stat.charAt(stat.lastIndexOf(')') + 2);
                if (state != 'T' && state != 't') {
                    return false;
                }
            }
            return true;
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** SIGCONT after {@link #freeze()}. */
    public void thaw() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(final String signal) throws IOException, InterruptedException {
        if (!isRunning()) {
            throw new IllegalStateException("the broker is not running");
        }
        final Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    /** Starts the broker again on the same ports and log dir (after {@link #stop()} or {@link #kill()}). */
    public void restart() throws IOException, InterruptedException {
        if (isRunning()) {
            throw new IllegalStateException("the broker is running; stop or kill it first");
        }
        launch();
    }

    /** Stops the broker (as {@link #stop()}; SIGKILL if interrupted); the folder is the caller's. Idempotent. */
    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            destroyNow();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or will run; the process is stopped either way
            }
        }
    }

    /** The broker's log from this folder, for a failing test's message. */
    public String logTail() {
        try {
            final List<String> lines = Files.readAllLines(log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no broker log: " + e.getMessage() + ")";
        }
    }

    private void writeConfiguration() throws IOException {
        Files.createDirectories(folder.resolve("data"));
        final String properties = String.join("\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs=" + folder.resolve("data").toAbsolutePath(),
            // topics are the node's to create (ClusterTopics), with the configured count: never by a first produce
            "auto.create.topics.enable=false",
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "");
        Files.writeString(folder.resolve("server.properties"), properties, StandardCharsets.UTF_8);
        // WARN and above, plus the one INFO line that says the broker is up: a small file to scan
        final String logback = "<configuration>\n"
            + "  <appender name=\"FILE\" class=\"ch.qos.logback.core.FileAppender\">\n"
            + "    <file>" + log().toAbsolutePath() + "</file>\n"
            + "    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{20} %msg%n</pattern></encoder>\n"
            + "  </appender>\n"
            + "  <logger name=\"kafka.server.KafkaRaftServer\" level=\"INFO\"/>\n"
            + "  <root level=\"WARN\"><appender-ref ref=\"FILE\"/></root>\n"
            + "</configuration>\n";
        Files.writeString(folder.resolve("logback.xml"), logback, StandardCharsets.UTF_8);
    }

    private void format() throws IOException, InterruptedException {
        final Process storageTool = new ProcessBuilder(javaCommand("kafka.tools.StorageTool", "format",
            "-t", Uuid.randomUuid().toString(), "-c", folder.resolve("server.properties").toString()))
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
        if (!storageTool.waitFor(START_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            storageTool.destroyForcibly().waitFor();
            throw new IllegalStateException("kafka StorageTool format did not finish in " + START_TIMEOUT_MS + " ms");
        }
        if (storageTool.exitValue() != 0) {
            throw new IllegalStateException("kafka StorageTool format exited " + storageTool.exitValue() + ":\n" + logTail());
        }
    }

    private void launch() throws IOException, InterruptedException {
        final long logStart = Files.exists(log()) ? Files.size(log()) : 0;
        process = new ProcessBuilder(javaCommand("kafka.Kafka", folder.resolve("server.properties").toString()))
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
        awaitStarted(logStart);
        awaitDescribeCluster();
    }

    private List<String> javaCommand(final String mainClass, final String... args) {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xms128m", "-Xmx512m",
            // the C1 compiler only: a third of the start-up CPU on two shared cores; a test broker is never hot
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Djava.awt.headless=true",
            "-Dlogback.configurationFile=" + folder.resolve("logback.xml").toAbsolutePath(),
            "-cp", classpath, mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /** Waits for "Kafka Server started" written after {@code fromByte} of the log, or the process's end. */
    private void awaitStarted(final long fromByte) throws IOException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        long offset = fromByte;
        final StringBuilder pending = new StringBuilder();
        while (System.nanoTime() < deadline) {
            try (RandomAccessFile file = new RandomAccessFile(log().toFile(), "r")) {
                if (file.length() > offset) {
                    final byte[] bytes = new byte[(int) (file.length() - offset)];
                    file.seek(offset);
                    file.readFully(bytes);
                    offset += bytes.length;
                    pending.append(new String(bytes, StandardCharsets.UTF_8));
                    if (pending.indexOf(STARTED) >= 0) {
                        return;
                    }
                    pending.delete(0, Math.max(0, pending.lastIndexOf("\n")));
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited with " + process.exitValue()
                    + " before it started:\n" + logTail());
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        throw new IllegalStateException("the Kafka broker did not log '" + STARTED + "' within " + START_TIMEOUT_MS
            + " ms:\n" + logTail());
    }

    private void awaitDescribeCluster() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) START_TIMEOUT_MS))) {
            final int nodes = admin.describeCluster().nodes().get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS).size();
            if (nodes != 1) {
                throw new IllegalStateException("the broker describes a cluster of " + nodes + " nodes, expected 1");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the Kafka broker started but does not answer describeCluster: " + e
                + "\n" + logTail(), e);
        }
    }

    private Path log() {
        return folder.resolve("broker.log");
    }

    private void destroyNow() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private static int[] freeLoopbackPorts(final int count) throws IOException {
        final ServerSocket[] sockets = new ServerSocket[count];
        try {
            final int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }
}
