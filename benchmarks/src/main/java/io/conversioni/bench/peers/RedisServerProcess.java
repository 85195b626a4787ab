package io.conversioni.bench.peers;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away {@code redis-server} child process on a free loopback port, without persistence
 * ({@code --save '' --appendonly no}), for one benchmark trial. Start and stop it from the trial's
 * setup/teardown thread; a JVM shutdown hook stops it too if the fork dies between the two. Allocates
 * only at start and stop.
 */
final class RedisServerProcess implements AutoCloseable {
    static final String EXECUTABLE = "redis-server";
    private static final long START_TIMEOUT_MS = 10_000;

    private final Process process;
    private final int port;
    private final Path logFile;
    private final Thread shutdownHook;

    private RedisServerProcess(final Process process, final int port, final Path logFile) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
        this.shutdownHook = new Thread(process::destroyForcibly, "redis-server-stopper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts redis-server and waits until it answers PING.
     *
     * @throws IllegalStateException when redis-server is not installed or does not come up; the message says
     *                               what to do
     */
    static RedisServerProcess start() throws IOException, InterruptedException {
        if (!onPath(EXECUTABLE)) {
            throw new IllegalStateException("PEER_REDIS_MISSING: '" + EXECUTABLE + "' is not on the PATH, so the "
                + "Jackson + Redis peer cannot run (it dedupes through a real Redis). Install it "
                + "(apt-get install -y redis-server) or leave the peer out with -e JacksonRedisPeerBenchmark.");
        }
        final int port = freeLoopbackPort();
        final Path log = Files.createTempFile("conversioni-peer-redis", ".log");
        final Process process = new ProcessBuilder(EXECUTABLE, "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no")
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final RedisServerProcess redis = new RedisServerProcess(process, port, log);
        try {
            redis.awaitPing();
            return redis;
        } catch (IOException | InterruptedException | RuntimeException e) {
            redis.close();
            throw e;
        }
    }

    int port() {
        return port;
    }

    private void awaitPing() throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("PEER_REDIS_FAILED: redis-server on port " + port + " exited with "
                    + process.exitValue() + ": " + Files.readString(logFile).strip());
            }
            try (Jedis probe = new Jedis("127.0.0.1", port)) {
                if ("PONG".equals(probe.ping())) {
                    return;
                }
            } catch (JedisException notYet) {
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("PEER_REDIS_FAILED: redis-server on port " + port + " did not answer PING within "
            + START_TIMEOUT_MS + " ms: " + Files.readString(logFile).strip());
    }

    /** Stops the server (SIGTERM, then SIGKILL after 5 s) and deletes its log. Idempotent. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or will run; the process is stopped either way
        }
        try {
            Files.deleteIfExists(logFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean onPath(final String executable) {
        final String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, executable))) {
                return true;
            }
        }
        return false;
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
