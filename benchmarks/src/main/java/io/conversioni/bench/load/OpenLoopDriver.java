package io.conversioni.bench.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The selector thread: keeps {@code connections} keep-alive HTTP/1.1 connections, at most one request outstanding
 * on each, sends every due request (counted by {@link ArrivalScheduler}) as soon as a connection is idle, and
 * records each answer's latency from the request's intended send time. Requests due while all connections are
 * busy wait in an implicit queue (the indices between sent and due), so their latency grows as open loop demands.
 * Single thread (the caller of {@link #run}); it owns the histogram and counters, which callers read after it
 * returns. With {@code --rate max} ({@link #runClosedLoop}) each connection sends again as soon as it is
 * answered. Allocates per request only when a connection fails or a batch body outgrows its buffer.
 */
final class OpenLoopDriver {
    private static final long HIGHEST_MICROS = 3_600_000_000L;
    private static final long SELECT_TIMEOUT_MS = 50;

    /** One connection's state; owned by the selector thread. */
    private static final class Connection {
        /** The server this connection sends to (connections are spread over every --url). */
        InetSocketAddress target;
        SocketChannel channel;
        SelectionKey key;
        ByteBuffer out;
        final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
        final HttpResponseParser parser = new HttpResponseParser(false);
        long intendedNanos;
        int events;
        boolean busy;
    }

    private final LoadSettings settings;
    private final RequestEncoder encoder;
    private final TrafficModel traffic;
    private final Selector selector;
    private final Connection[] connections;
    private final ArrayDeque<Connection> idle;
    private final LoadReport report;
    private final int eventsPerRequest;
    private int reconnectsLeft;
    private long startNanos;
    /** Wall clock at {@link #startNanos}, for the instants of {@code --stalls} lines. */
    private long startEpochMillis;
    /** Intended send time after which a slow answer starts a new stall episode. */
    private long stallEpisodeEndNanos = Long.MIN_VALUE;
    private long sent;
    private long finished;

    OpenLoopDriver(final LoadSettings settings, final Selector selector, final LoadReport report) throws IOException {
        this.settings = settings;
        this.selector = selector;
        this.report = report;
        this.encoder = new RequestEncoder(settings.hostHeader, settings.token, settings.batchEvents > 0);
        this.traffic = new TrafficModel(settings.seed, settings.duplicateShare, settings.invalidShare, settings.outOfOrderShare);
        this.eventsPerRequest = Math.max(1, settings.batchEvents);
        this.connections = new Connection[settings.connections];
        this.idle = new ArrayDeque<>(settings.connections);
        this.reconnectsLeft = settings.connections * 4;
        report.latencyMicros = new Histogram(HIGHEST_MICROS, 3);
        for (int i = 0; i < connections.length; i++) {
            connections[i] = new Connection();
            connections[i].out = ByteBuffer.allocateDirect(encoder.postSize(600 * eventsPerRequest));
            connections[i].target = settings.targets[i % settings.targets.length];
            connect(connections[i]);
            idle.push(connections[i]);
        }
    }

    /** Runs the schedule that starts at {@code startNanos}; returns when every request is answered or failed, or at the drain deadline. */
    void run(final long startNanos, final AtomicLong dueCount) throws IOException {
        this.startNanos = startNanos;
        this.startEpochMillis = System.currentTimeMillis() - (System.nanoTime() - startNanos) / 1_000_000;
        final long total = settings.totalRequests();
        final double period = settings.periodNanos();
        final long deadline = startNanos + settings.durationNanos + settings.drainNanos;
        while (finished < total) {
            // Acquire: pairs with the scheduler's setRelease of the due count.
            final long due = dueCount.getAcquire();
            report.maxQueued = Math.max(report.maxQueued, due - sent);
            while (sent < due && !idle.isEmpty()) {
                send(idle.pop(), sent, ArrivalScheduler.intendedNanos(startNanos, period, sent));
                sent++;
            }
            if (sent < total && idle.isEmpty() && busyCount() == 0) {
                abandon("no connection left", total - sent);
                sent = total;
            }
            if (finished >= total) {
                break;
            }
            if (System.nanoTime() > deadline) {
                abandon("not sent before the drain deadline", total - sent);
                for (final Connection c : connections) {
                    if (c.busy) {
                        abandon("no answer before the drain deadline", 1);
                        c.busy = false;
                    }
                }
                break;
            }
            selector.select(this::onReady, SELECT_TIMEOUT_MS);
        }
        report.sentRequests = sent;
        for (final Connection c : connections) {
            close(c);
        }
    }

    /**
     * Closed loop ({@code --rate max}): every idle connection sends at once, until the duration is over; then the
     * answers still out are awaited until the drain deadline. Latency is from the actual send.
     */
    void runClosedLoop(final long startNanos) throws IOException {
        this.startNanos = startNanos;
        this.startEpochMillis = System.currentTimeMillis() - (System.nanoTime() - startNanos) / 1_000_000;
        final long endNanos = startNanos + settings.durationNanos;
        final long deadline = endNanos + settings.drainNanos;
        for (long now = System.nanoTime(); now < startNanos; now = System.nanoTime()) {
            LockSupport.parkNanos(startNanos - now);
        }
        while (true) {
            final long now = System.nanoTime();
            if (now < endNanos) {
                while (!idle.isEmpty()) {
                    send(idle.pop(), sent, System.nanoTime());
                    sent++;
                }
            } else if (busyCount() == 0) {
                break;
            }
            if (now > deadline) {
                for (final Connection c : connections) {
                    if (c.busy) {
                        abandon("no answer before the drain deadline", 1);
                        c.busy = false;
                    }
                }
                break;
            }
            if (now < endNanos && idle.isEmpty() && busyCount() == 0) {
                report.error("no connection left", 0);
                break;
            }
            selector.select(this::onReady, SELECT_TIMEOUT_MS);
        }
        report.sentRequests = sent;
        for (final Connection c : connections) {
            close(c);
        }
    }

    private int busyCount() {
        int busy = 0;
        for (final Connection c : connections) {
            if (c.busy) {
                busy++;
            }
        }
        return busy;
    }

    private void send(final Connection c, final long index, final long intendedNanos) {
        if (settings.batchEvents > 0) {
            traffic.nextBatch(System.currentTimeMillis(), settings.batchEvents);
        } else {
            traffic.nextSingle(System.currentTimeMillis());
        }
        final int size = encoder.postSize(traffic.length());
        if (size > c.out.capacity()) {
            c.out = ByteBuffer.allocateDirect(size * 2);
        }
        encoder.encodePost(c.out, traffic.body(), traffic.length());
        c.intendedNanos = intendedNanos;
        c.events = eventsPerRequest;
        c.busy = true;
        c.parser.reset();
        report.sentEvents += eventsPerRequest;
        try {
            c.channel.write(c.out);
            if (c.out.hasRemaining()) {
                c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        } catch (final IOException e) {
            fail(c, "write: " + e.getClass().getSimpleName());
        }
    }

    private void onReady(final SelectionKey key) {
        final Connection c = (Connection) key.attachment();
        if (!key.isValid()) {
            return;
        }
        try {
            if (key.isWritable()) {
                c.channel.write(c.out);
                if (!c.out.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_READ);
                }
            }
            if (key.isReadable()) {
                c.in.clear();
                final int n = c.channel.read(c.in);
                if (n < 0) {
                    fail(c, c.busy ? "connection closed by the server during a request" : "idle connection closed by the server");
                    return;
                }
                c.in.flip();
                if (!c.busy) {
                    if (c.in.hasRemaining()) {
                        fail(c, "bytes without a request");
                    }
                    return;
                }
                if (c.parser.feed(c.in)) {
                    complete(c);
                }
            }
        } catch (final IOException e) {
            fail(c, "io: " + e.getClass().getSimpleName());
        } catch (final HttpResponseParser.ProtocolException e) {
            fail(c, "protocol: " + e.getMessage());
        }
    }

    private void complete(final Connection c) {
        final long now = System.nanoTime();
        final long latencyNanos = now - c.intendedNanos;
        if (settings.stallNanos > 0 && latencyNanos > settings.stallNanos && c.intendedNanos > stallEpisodeEndNanos) {
            System.err.printf(Locale.ROOT, "stall: %s  %.3f ms%n",
                Instant.ofEpochMilli(startEpochMillis + (c.intendedNanos - startNanos) / 1_000_000), latencyNanos / 1e6);
            stallEpisodeEndNanos = now; // answers due before this belong to the same episode
        }
        report.latencyMicros.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, latencyNanos / 1000)));
        report.statusCounts[c.parser.status() < LoadReport.STATUS_SLOTS ? c.parser.status() : 0]++;
        report.completedRequests++;
        report.completedEvents += c.events;
        report.lastCompletionNanos = now - startNanos;
        finished++;
        c.busy = false;
        if (c.parser.closeAfter()) {
            reconnect(c, "server closed the connection (Connection: close)");
        } else {
            idle.push(c);
        }
    }

    private void fail(final Connection c, final String reason) {
        if (c.busy) {
            report.error(reason, 1);
            finished++;
            c.busy = false;
        } else {
            report.error(reason, 0);
        }
        reconnect(c, null);
    }

    private void reconnect(final Connection c, final String note) {
        close(c);
        if (note != null) {
            report.error(note, 0);
        }
        if (reconnectsLeft-- <= 0) {
            report.error("reconnect budget spent; connection dropped", 0);
            return;
        }
        try {
            connect(c);
            idle.push(c);
        } catch (final IOException e) {
            report.error("connect: " + e.getClass().getSimpleName(), 0);
        }
    }

    private void connect(final Connection c) throws IOException {
        final SocketChannel channel = SocketChannel.open(c.target);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.configureBlocking(false);
        c.channel = channel;
        c.key = channel.register(selector, SelectionKey.OP_READ, c);
    }

    private void abandon(final String reason, final long count) {
        if (count > 0) {
            report.error(reason, count);
            finished += count;
        }
    }

    private static void close(final Connection c) {
        if (c.channel != null) {
            try {
                c.channel.close();
            } catch (final IOException ignored) {
                // Closing a loopback socket we no longer use: nothing to do about a failure.
            }
            c.channel = null;
        }
    }
}
