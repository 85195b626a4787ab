package io.conversioni.cli.cluster;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Concurrent webhook senders against a cluster: each client thread sends distinct events (event n is always the
 * same bytes) to a node drawn at random (seeded), as a CRM would, and keeps every event it did not get a 202 for
 * (a 503, a refused or broken connection) to send again, to any node, every other turn. Any other answer, or a 503 without
 * Retry-After, is recorded as unexpected and fails the test. Started and stopped from the test's thread; the
 * counters are read from it while the clients run. Allocates freely.
 */
final class ClusterLoad implements AutoCloseable {
    /** After a 503 or a lost connection a sender pauses this long: a client backing off, not a synchronisation. */
    private static final long BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final List<NodeProcess> nodes;
    private final String token;
    private final String prefix;
    private final Instant at;
    private final Map<Integer, String> acknowledged = new ConcurrentHashMap<>();
    private final ConcurrentLinkedDeque<Integer> retry = new ConcurrentLinkedDeque<>();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong unavailable = new AtomicLong();
    private final AtomicLong noAnswer = new AtomicLong();
    private final AtomicLong slowestUnavailableNanos = new AtomicLong();
    private final AtomicReference<String> unexpected = new AtomicReference<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService clients;
    private final List<Future<?>> running = new ArrayList<>();

    /** Starts {@code threads} senders of events {@code <prefix>-000000...}, dated {@code at}. */
    ClusterLoad(final List<NodeProcess> nodes, final String token, final String prefix, final Instant at,
                final int threads, final long seed) {
        this.nodes = nodes;
        this.token = token;
        this.prefix = prefix;
        this.at = at;
        this.clients = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            final Random random = new Random(seed + t);
            running.add(clients.submit(() -> {
                // new events and retries take turns: while a partition cannot answer, its retries must not starve the
                // events of the partitions that can (a CRM's webhooks keep coming during an outage)
                boolean retryTurn = false;
                while (!stop.get()) {
                    retryTurn = !retryTurn;
                    Integer id = retryTurn ? retry.pollFirst() : null;
                    if (id == null) {
                        id = next.getAndIncrement();
                    }
                    sendOnce(id, nodes.get(random.nextInt(nodes.size())));
                }
            }));
        }
    }

    String body(final int id) {
        return Events.valid(String.format("%s-%06d", prefix, id), id % 100, at);
    }

    int acknowledged() {
        return acknowledged.size();
    }

    long unavailable() {
        return unavailable.get();
    }

    long noAnswer() {
        return noAnswer.get();
    }

    /** The longest any 503 took to come, in ms: a request must never hang while the cluster cannot answer it. */
    long slowestUnavailableMs() {
        return TimeUnit.NANOSECONDS.toMillis(slowestUnavailableNanos.get());
    }

    String unexpected() {
        return unexpected.get();
    }

    /** Events created so far (ids 0 to this - 1): after {@link #finish}, the distinct events sent. */
    int created() {
        return next.get();
    }

    /**
     * Stops the senders, then sends every event without a 202 again (round robin over the live nodes) until each
     * got one, within {@code timeout}; fails if one did not.
     */
    void finish(final Duration timeout) throws Exception {
        stopSenders();
        final long deadline = System.nanoTime() + timeout.toNanos();
        int turn = 0;
        for (Integer id = retry.pollFirst(); id != null; id = retry.pollFirst()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError((retry.size() + 1) + " events still without a 202 after " + timeout);
            }
            final NodeProcess node = nodes.get(turn++ % nodes.size());
            if (node.isAlive()) {
                sendOnce(id, node);
            } else {
                retry.addLast(id);
                LockSupport.parkNanos(BACKOFF_NANOS);
            }
        }
    }

    /**
     * Re-delivers every acknowledged event, each to a node other than the one chosen for the event before
     * (round robin), retrying 503s; returns the events whose answer was not {@code duplicato}, with that answer.
     */
    Map<Integer, String> redeliverAll(final Duration timeout) throws InterruptedException {
        final Map<Integer, String> notDuplicate = new ConcurrentHashMap<>();
        final ExecutorService senders = Executors.newFixedThreadPool(4);
        final List<Integer> ids = new ArrayList<>(acknowledged.keySet());
        final long deadline = System.nanoTime() + timeout.toNanos();
        final List<Future<?>> parts = new ArrayList<>();
        for (int part = 0; part < 4; part++) {
            final int first = part;
            parts.add(senders.submit(() -> {
                for (int i = first; i < ids.size(); i += 4) {
                    final int id = ids.get(i);
                    final NodeProcess node = nodes.get((id + 1) % nodes.size());
                    String answer = null;
                    while (answer == null || answer.startsWith("503 ")) {
                        if (System.nanoTime() > deadline) {
                            notDuplicate.put(id, "no answer within " + timeout + ", last: " + answer);
                            break;
                        }
                        answer = send(id, node);
                    }
                    if (answer != null && !(answer.startsWith("202 ") && "duplicato".equals(Events.text(answer, "esito")))) {
                        notDuplicate.put(id, answer);
                    }
                }
            }));
        }
        senders.shutdown();
        try {
            for (Future<?> f : parts) {
                f.get(timeout.toSeconds() + 30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new AssertionError("re-delivery failed: " + e, e);
        } finally {
            senders.shutdownNow();
        }
        return notDuplicate;
    }

    /** Stops the senders (idempotent). */
    @Override
    public void close() {
        stopSenders();
    }

    private void stopSenders() {
        if (stop.getAndSet(true)) {
            return;
        }
        clients.shutdown();
        try {
            for (Future<?> f : running) {
                f.get(120, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new AssertionError("a sender did not stop: " + e, e);
        } finally {
            clients.shutdownNow();
        }
    }

    private void sendOnce(final int id, final NodeProcess node) {
        final long sent = System.nanoTime();
        final String answer = node.isAlive() ? send(id, node) : null;
        if (answer == null) {
            noAnswer.incrementAndGet();
            retry.addLast(id);
            LockSupport.parkNanos(BACKOFF_NANOS);
        } else if (answer.startsWith("202 ")) {
            final String esito = Events.text(answer, "esito");
            if (!"accettato".equals(esito) && !"duplicato".equals(esito)) {
                unexpected.compareAndSet(null, "event " + id + " through " + node.name() + ": " + answer);
            }
            acknowledged.put(id, answer);
        } else if (answer.startsWith("503 ")) {
            unavailable.incrementAndGet();
            slowestUnavailableNanos.accumulateAndGet(System.nanoTime() - sent, Math::max);
            if (answer.startsWith("503 -")) {
                unexpected.compareAndSet(null, "a 503 without Retry-After through " + node.name() + ": " + answer);
            }
            retry.addLast(id);
            LockSupport.parkNanos(BACKOFF_NANOS);
        } else {
            unexpected.compareAndSet(null, "event " + id + " through " + node.name() + ": " + answer);
            retry.addLast(id);
        }
    }

    /** "STATUS RETRY-AFTER BODY" ("-" when no Retry-After), or null when the request got no answer. */
    private String send(final int id, final NodeProcess node) {
        try {
            final HttpResponse<String> r = node.post(Events.SINGLE, Events.JSON, body(id), token);
            return r.statusCode() + " " + r.headers().firstValue("Retry-After").orElse("-") + " " + r.body();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
