package io.conversioni.delivery;

import io.conversioni.alert.Alert;
import io.conversioni.alert.AlertConfig;
import io.conversioni.alert.AlertListener;
import io.conversioni.alert.AlertSignal;
import io.conversioni.metrics.PrometheusTextWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Outbound delivery: one {@link DeliveryLane} per configured sink, pending items under
 * {@code <data-dir>/delivery/pending} (reloaded at start, so retries survive a restart) and dead letters
 * in {@code <data-dir>/delivery/deadletters}. As an {@link AlertListener} it turns each alert that opens
 * or resolves into one message per sink that takes that rule; a {@code consegna_fallita} alert is not
 * sent to the sink it is about.
 *
 * <p>Threading: {@link #onChange} on the alert rules thread, which it never blocks on the network (it
 * writes a small file and queues); the sinks run on their lanes. {@link #close} from the controlling thread.
 */
public final class DeliveryService implements AlertListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryService.class);

    private final List<DeliveryLane> lanes = new ArrayList<>();
    private final PendingStore pending;
    private final DeadLetters deadLetters;

    private DeliveryService(final DeliveryConfig config, final Path dataDir, final Supplier<AlertSignal> signal) {
        this.pending = new PendingStore(dataDir.resolve("delivery").resolve("pending"));
        // no sinks, nothing to give up on: no dead-letter queue (one Chronicle queue fewer to map)
        this.deadLetters = config.sinks.isEmpty() && config.windowSink == null ? null : DeadLetters.open(dataDir);
        final AlertSignal late = new AlertSignal() {
            @Override
            public void raise(final String regola, final String chiave, final String messaggio, final long at) {
                signal.get().raise(regola, chiave, messaggio, at);
            }

            @Override
            public void clear(final String regola, final String chiave, final long at) {
                signal.get().clear(regola, chiave, at);
            }
        };
        long seed = System.nanoTime(); // jitter exists to decorrelate instances: no fixed seed here
        for (Sink sink : config.sinks) {
            lanes.add(new DeliveryLane(sink, config, pending, deadLetters, late, seed++));
        }
        if (config.windowSink != null) {
            lanes.add(new DeliveryLane(config.windowSink, config, pending, deadLetters, late, seed));
        }
        int reloaded = 0;
        for (DeliveryItem item : pending.loadAll()) {
            final DeliveryLane lane = lane(item.sink);
            if (lane == null) {
                LOG.warn("pending delivery {} is for sink '{}', which is no longer configured; left in place", item.id,
                    item.sink);
                continue;
            }
            lane.enqueue(item);
            reloaded++;
        }
        if (reloaded > 0) {
            LOG.info("{} pending deliveries reloaded", reloaded);
        }
        lanes.forEach(DeliveryLane::start);
    }

    /**
     * Starts the lanes. {@code signal} is asked for the alert service lazily (the two are built around
     * each other: delivery listens to alerts, and raises {@code consegna_fallita} through them).
     */
    public static DeliveryService start(final DeliveryConfig config, final Path dataDir, final Supplier<AlertSignal> signal) {
        return new DeliveryService(config, dataDir, signal);
    }

    private DeliveryLane lane(final String sink) {
        for (DeliveryLane lane : lanes) {
            if (lane.sink().name().equals(sink)) {
                return lane;
            }
        }
        return null;
    }

    @Override
    public void onChange(final Alert alert) {
        final long now = System.currentTimeMillis();
        for (DeliveryLane lane : lanes) {
            final Sink sink = lane.sink();
            if (!sink.accepts(alert.regola())) {
                continue;
            }
            if (AlertConfig.CONSEGNA_FALLITA.equals(alert.regola()) && alert.chiave().equals("sink=" + sink.name())) {
                continue; // the sink that failed hears about its own failure from the others, not from itself
            }
            final DeliveryItem item = DeliveryItem.of(alert, sink.name(), now);
            pending.save(item);
            lane.enqueue(item);
        }
    }

    /** Whether {@code delivery.finestre_webhook} is set. */
    public boolean sendsWindows() {
        return lane(DeliveryConfig.WINDOW_SINK) != null;
    }

    /** Queues a closed window's results (the metriche JSON) for the window-results sink; any thread. */
    public void submitWindow(final long windowStartMillis, final String json) {
        final DeliveryLane lane = lane(DeliveryConfig.WINDOW_SINK);
        if (lane == null) {
            return;
        }
        final DeliveryItem item = DeliveryItem.ofWindow(DeliveryConfig.WINDOW_SINK, windowStartMillis, json,
            System.currentTimeMillis());
        pending.save(item);
        lane.enqueue(item);
    }

    /** {@code conversioni_delivery_*} families, per sink. Any thread. */
    public void writeMetrics(final PrometheusTextWriter w) {
        w.family("conversioni_delivery_attempts_total", PrometheusTextWriter.COUNTER,
            "Delivery attempts by sink since start.");
        lanes.forEach(l -> w.sample("conversioni_delivery_attempts_total").label("sink", l.sink().name()).value(l.attempts.get()));
        w.family("conversioni_delivery_failures_total", PrometheusTextWriter.COUNTER,
            "Failed delivery attempts by sink since start (each retried or dead-lettered).");
        lanes.forEach(l -> w.sample("conversioni_delivery_failures_total").label("sink", l.sink().name()).value(l.failures.get()));
        w.family("conversioni_delivery_dead_letters_total", PrometheusTextWriter.COUNTER,
            "Messages given up on by sink since start (see ./conversioni deadletters list).");
        lanes.forEach(l -> w.sample("conversioni_delivery_dead_letters_total").label("sink", l.sink().name())
            .value(l.deadLettered.get()));
        w.family("conversioni_delivery_pending", PrometheusTextWriter.GAUGE, "Messages waiting for their next attempt, by sink.");
        lanes.forEach(l -> w.sample("conversioni_delivery_pending").label("sink", l.sink().name()).value(l.pendingCount()));
    }

    /** Delivered messages across sinks since start (tests, logs). */
    public long delivered() {
        long n = 0;
        for (DeliveryLane lane : lanes) {
            n += lane.delivered.get();
        }
        return n;
    }

    /** Failed attempts across sinks since start, each followed by a retry or a dead letter (tests, logs). */
    public long failures() {
        long n = 0;
        for (DeliveryLane lane : lanes) {
            n += lane.failures.get();
        }
        return n;
    }

    public long deadLettered() {
        long n = 0;
        for (DeliveryLane lane : lanes) {
            n += lane.deadLettered.get();
        }
        return n;
    }

    /** Stops every lane (an attempt in flight is cut short and stays pending), then closes the journal. */
    @Override
    public void close() {
        lanes.forEach(DeliveryLane::close);
        if (deadLetters != null) {
            deadLetters.close();
        }
    }
}
