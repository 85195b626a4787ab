package io.conversioni.cluster;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * Fails a test class that leaves a Kafka client open (its admin, producer or consumer threads still alive
 * after the class, which may share one client between its tests) or a child process running (a broker
 * not stopped). Waits a bounded time for both, since a closed client's threads and a stopped broker's JVM
 * end asynchronously.
 */
public final class KafkaLeakCheck implements AfterAllCallback {
    private static final long THREAD_WAIT_MS = 5_000;
    private static final long PROCESS_WAIT_MS = 35_000;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** The names Kafka's clients give the threads they start, the owner's consumer thread and the verdict router's. */
    private static final List<String> CLIENT_THREADS = List.of(
        "kafka-admin-client-thread", "kafka-producer-network-thread", "kafka-coordinator-heartbeat-thread",
        "conversioni-owner", "conversioni-verdicts");

    private static void checkClientThreads() {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(THREAD_WAIT_MS);
        List<String> alive = clientThreads();
        while (!alive.isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(POLL_NANOS);
            alive = clientThreads();
        }
        if (!alive.isEmpty()) {
            throw new AssertionError("Kafka client threads still alive after the test (a client not closed): " + alive);
        }
    }

    @Override
    public void afterAll(final ExtensionContext context) {
        checkClientThreads();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROCESS_WAIT_MS);
        List<String> children = children();
        while (!children.isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(POLL_NANOS);
            children = children();
        }
        if (!children.isEmpty()) {
            throw new AssertionError("child processes still running after the test class (a broker not stopped): "
                + children);
        }
    }

    private static List<String> clientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(Thread::isAlive)
            .map(Thread::getName)
            .filter(name -> CLIENT_THREADS.stream().anyMatch(name::startsWith))
            .collect(Collectors.toList());
    }

    private static List<String> children() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
            .map(p -> p.pid() + " " + p.info().command().orElse("?"))
            .collect(Collectors.toList());
    }
}
