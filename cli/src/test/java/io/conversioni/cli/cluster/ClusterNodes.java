package io.conversioni.cli.cluster;

import io.conversioni.cluster.KafkaBroker;
import io.conversioni.ingress.auth.JwtIssuer;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cluster for process tests: a real Kafka broker ({@link KafkaBroker}, a JVM of its own, from the cluster
 * module's test-jar) and {@code serve} node processes ({@link NodeProcess}) that share one HS256 secret and point
 * at it. Nodes are started in parallel (each waits on its own {@code /health/ready}). {@link #close()} kills every
 * node, then stops the broker: nothing outlives the test. Driven from the test's thread; allocates freely.
 */
final class ClusterNodes implements AutoCloseable {
    static final int PARTITIONS = 6;
    static final String SECRET = "cluster-process-test-secret-0123456789abcdef";
    /** The README's cluster: config/cluster/nodo-a.yaml, nodo-b.yaml, nodo-c.yaml, for a broker on this address. */
    private static final Path SHIPPED = Path.of("..", "config", "cluster");
    private static final String SHIPPED_BOOTSTRAP = "127.0.0.1:9092";
    private static final Pattern TOTAL_ACCEPTED = Pattern.compile("\"totale\":\\{\"accettati\":(\\d+)");

    private final Path root;
    private final KafkaBroker broker;
    private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
    private final String token;

    private ClusterNodes(final Path root, final KafkaBroker broker) {
        this.root = root;
        this.broker = broker;
        this.token = JwtIssuer.hs256(SECRET.getBytes(StandardCharsets.UTF_8))
            .issue("cluster-test", System.currentTimeMillis() / 1000, 3600);
    }

    /** Starts a broker with its log dir under {@code root}/kafka. */
    static ClusterNodes withBroker(final Path root) throws IOException, InterruptedException {
        return new ClusterNodes(root, KafkaBroker.start(root.resolve("kafka")));
    }

    /**
     * Starts nodes in parallel, each {@code "name=owns"} (owns as in {@code cluster.owns}: "0-2", "", ...), with
     * {@code extraClusterLines} in each one's {@code cluster:} section; returns once all are ready.
     */
    List<NodeProcess> start(final List<String> nameEqualsOwns, final String... extraClusterLines) {
        final List<CompletableFuture<NodeProcess>> starting = new ArrayList<>();
        for (String spec : nameEqualsOwns) {
            final String name = spec.substring(0, spec.indexOf('='));
            final String owns = spec.substring(spec.indexOf('=') + 1);
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return NodeProcess.start(root, name, broker.bootstrapServers(), PARTITIONS, owns, SECRET,
                        extraClusterLines);
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            }));
        }
        return collect(starting);
    }

    private List<NodeProcess> collect(final List<CompletableFuture<NodeProcess>> starting) {
        final List<NodeProcess> started = new ArrayList<>();
        Throwable failure = null;
        for (CompletableFuture<NodeProcess> future : starting) {
            try {
                final NodeProcess node = future.join();
                nodes.put(node.name(), node);
                started.add(node);
            } catch (CompletionException e) {
                failure = failure == null ? e.getCause() : failure;
            }
        }
        if (failure != null) {
            throw new AssertionError("a node did not start: " + failure.getMessage() + "\nbroker:\n" + broker.logTail(),
                failure);
        }
        return started;
    }

    /**
     * Starts the README's three nodes from the shipped files {@code config/cluster/nodo-<name>.yaml}, unchanged but
     * for the broker's address (the files name 127.0.0.1:9092) and {@code extraClusterLines} added to their
     * {@code cluster:} section, in parallel; returns once all are ready.
     */
    List<NodeProcess> startShipped(final List<String> names, final String... extraClusterLines) throws IOException {
        final List<CompletableFuture<NodeProcess>> starting = new ArrayList<>();
        for (String name : names) {
            final String shipped = Files.readString(SHIPPED.resolve("nodo-" + name + ".yaml"), StandardCharsets.UTF_8);
            if (!shipped.contains(SHIPPED_BOOTSTRAP)) {
                throw new AssertionError("config/cluster/nodo-" + name + ".yaml does not name " + SHIPPED_BOOTSTRAP);
            }
            final StringBuilder yaml = new StringBuilder(shipped.replace(SHIPPED_BOOTSTRAP, broker.bootstrapServers()));
            for (String line : extraClusterLines) {
                yaml.append("  ").append(line).append('\n'); // the cluster: section is the files' last
            }
            final Path config = Files.writeString(root.resolve("nodo-" + name + ".yaml"), yaml, StandardCharsets.UTF_8);
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return NodeProcess.start(root, name, config, root.resolve(name + "-data"), SECRET);
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            }));
        }
        return collect(starting);
    }

    NodeProcess node(final String name) {
        return nodes.get(name);
    }

    List<NodeProcess> nodes() {
        return new ArrayList<>(nodes.values());
    }

    KafkaBroker broker() {
        return broker;
    }

    /** A token for the shared secret (default scopes: send events, read metrics), valid an hour. */
    String token() {
        return token;
    }

    Path root() {
        return root;
    }

    /** {@code totale.accettati} of one node's {@code /api/v1/metriche} over the two hours around now. */
    long acceptedOn(final NodeProcess node) throws IOException, InterruptedException {
        final Instant now = Instant.now();
        final HttpResponse<String> metriche = node.get("/api/v1/metriche?da=" + now.minusSeconds(3600) + "&a="
            + now.plusSeconds(3600), token);
        if (metriche.statusCode() != 200) {
            throw new AssertionError("GET /api/v1/metriche on " + node.name() + " answered " + metriche.statusCode()
                + ": " + metriche.body());
        }
        final Matcher accepted = TOTAL_ACCEPTED.matcher(metriche.body());
        if (!accepted.find()) {
            throw new AssertionError("no totale.accettati in " + metriche.body());
        }
        return Long.parseLong(accepted.group(1));
    }

    /** Every node's {@code totale.accettati}, in start order: the baseline of {@link #assertCountedOnce}. */
    long[] acceptedTotals() throws IOException, InterruptedException {
        final List<NodeProcess> all = nodes();
        final long[] totals = new long[all.size()];
        for (int i = 0; i < totals.length; i++) {
            totals[i] = acceptedOn(all.get(i));
        }
        return totals;
    }

    /**
     * Whether the nodes answer for the whole cluster: {@code GET /api/v1/cluster} is served once the merged windows
     * are wired into {@code serve}; until then each owner's metriche count its own partitions only.
     */
    boolean mergedView() throws IOException, InterruptedException {
        return nodes().get(0).get("/api/v1/cluster", token).statusCode() == 200;
    }

    /**
     * Waits (up to 30 s) until {@code distinct} more accepted events than at {@code before} (from
     * {@link #acceptedTotals()}) are counted, each once: with the merged view, on every node; without it, over the
     * owners' own totals together. Fails with what each node showed.
     */
    void assertCountedOnce(final long[] before, final long distinct) throws IOException, InterruptedException {
        final boolean merged = mergedView();
        final long[] seen = new long[before.length];
        final boolean counted = io.conversioni.testkit.Await.poll(java.time.Duration.ofSeconds(30), () -> {
            try {
                System.arraycopy(acceptedTotals(), 0, seen, 0, seen.length);
            } catch (IOException | InterruptedException e) {
                throw new AssertionError("GET /api/v1/metriche: " + e, e);
            }
            long added = 0;
            boolean everyNode = true;
            for (int i = 0; i < seen.length; i++) {
                added += seen[i] - before[i];
                everyNode &= seen[i] - before[i] == distinct;
            }
            return merged ? everyNode : added == distinct;
        });
        System.out.println("counted " + (merged ? "on every node (merged view)" : "over the owners together (no merged view)")
            + ": before " + java.util.Arrays.toString(before) + ", now " + java.util.Arrays.toString(seen));
        if (!counted) {
            throw new AssertionError("totale.accettati before " + java.util.Arrays.toString(before) + ", now "
                + java.util.Arrays.toString(seen) + " on " + nodes().stream().map(NodeProcess::name).toList()
                + "; expected " + distinct + " more " + (merged ? "on every node (merged view)"
                : "over the owners together (no merged view yet)"));
        }
    }

    /** Kills every node (SIGKILL) and stops the broker. */
    @Override
    public void close() {
        for (NodeProcess node : nodes.values()) {
            node.close();
        }
        broker.close();
    }

    /** Every node's and the broker's last log lines, for a failing assertion's message. */
    String logs() {
        final StringBuilder out = new StringBuilder();
        for (NodeProcess node : nodes.values()) {
            out.append("--- node ").append(node.name()).append(":\n").append(node.logTail()).append('\n');
        }
        return out.append("--- broker:\n").append(broker.logTail()).toString();
    }
}
