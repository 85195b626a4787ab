package io.conversioni.cluster;

import io.conversioni.config.ConfigReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cluster/kafka-broker.sh} as a user runs it: start prints the bootstrap address of a broker that
 * the cluster module can use, a second start finds it running, stop ends it, and status tells which.
 */
@ExtendWith(KafkaLeakCheck.class)
@Tag("slow")
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class KafkaBrokerScriptTest {
    private static final Path SCRIPT = Path.of("kafka-broker.sh").toAbsolutePath();

    @TempDir
    Path dir;

    /** Runs the script; returns its exit code and its stdout (stderr goes to script.err in the folder). */
    private Result run(final String... args) throws IOException, InterruptedException {
        final Path out = Files.createTempFile(dir, "script", ".out");
        final List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("script.err").toFile()));
        // the C1 compiler only, as the KafkaBroker fixture: a test broker is never hot, and two shared cores are few
        builder.environment().put("KAFKA_JAVA_OPTS", "-Xms128m -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        final Process p = builder.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("kafka-broker.sh " + String.join(" ", args) + " did not finish in 120 s");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8).strip());
    }

    private record Result(int exit, String stdout) {
    }

    @Test
    void shouldStartABrokerTheClusterCanUseAndStopIt() throws Exception {
        final int port = freePortPair();
        final String folder = dir.resolve("kafka").toString();
        try {
            final Result started = run("start", "--port", Integer.toString(port), "--dir", folder);
            assertEquals(new Result(0, "127.0.0.1:" + port), started);
            assertEquals(new Result(0, "127.0.0.1:" + port), run("start", "--port", Integer.toString(port), "--dir", folder),
                "a second start finds it running");
            assertEquals(new Result(0, "127.0.0.1:" + port), run("status", "--dir", folder));

            final ClusterSettings s = ClusterSettings.read(ConfigReader.parse("cluster:\n  bootstrap_servers: "
                + started.stdout() + "\n  partitions: 2\n  node: a\n  owns: \"0-1\"\n", "test.yaml").section("cluster"));
            assertEquals(java.util.Set.of(s.topic(), s.replyTopic(), s.cellsTopic(), s.alertsTopic(), s.reportsTopic()),
                java.util.Set.copyOf(ClusterTopics.ensure(s, 3_600_000).created()), "every topic created on the script's broker");
        } finally {
            assertEquals(0, run("stop", "--dir", folder).exit());
        }
        assertEquals(1, run("status", "--dir", folder).exit(), "not running after stop");
        assertTrue(Files.isRegularFile(Path.of(folder, "data", "meta.properties")), "the log dir stays for a restart");
        assertEquals(2, run("start", "--port", "80").exit(), "a port below 1024 is refused");
    }

    /** A free loopback port whose next port is free too (the controller's). */
    private static int freePortPair() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                final int port = first.getLocalPort();
                if (port >= 65_534) {
                    continue;
                }
                try (ServerSocket second = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                    if (second.isBound()) {
                        return port;
                    }
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IllegalStateException("no two adjacent free loopback ports");
    }
}
