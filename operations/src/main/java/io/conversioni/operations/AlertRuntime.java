package io.conversioni.operations;

import io.conversioni.alert.AlertConfig;
import io.conversioni.alert.AlertListener;
import io.conversioni.alert.AlertLog;
import io.conversioni.alert.AlertService;
import io.conversioni.alert.AlertSignal;
import io.conversioni.alert.RulePlacement;
import io.conversioni.config.ConfigException;
import io.conversioni.config.EngineConfig;
import io.conversioni.delivery.DeliveryConfig;
import io.conversioni.delivery.DeliveryService;
import io.conversioni.delivery.FinestreForwarder;
import io.conversioni.metrics.PrometheusTextWriter;
import io.conversioni.pipeline.Engine;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Alerts and outbound delivery for one server (and, with {@code delivery.finestre_webhook}, each closed
 * window's results), built together: the {@link AlertService} taps the engine and tells the
 * {@link DeliveryService}, which raises {@code consegna_fallita} back through it. The one thing the server
 * ({@code ConversioniServer}) wires: {@link #start} before {@code engine.start()} (the tap must be registered
 * first; events replayed during recovery are not seen), {@link #alerts()} for {@code /api/v1/allarmi},
 * {@link #writeMetrics} for {@code /metrics}, {@link #signal()} and {@link #log()} for reconciliation and
 * reports, {@link #close()} after the engine closed. Controlling thread; readers any thread.
 */
public final class AlertRuntime implements AutoCloseable {
    private final AlertService alerts;
    private final DeliveryService delivery;
    private final FinestreForwarder windows;

    private AlertRuntime(final AlertService alerts, final DeliveryService delivery, final FinestreForwarder windows) {
        this.alerts = alerts;
        this.delivery = delivery;
        this.windows = windows;
    }

    /**
     * Reads {@code alerts:} and {@code delivery:}, reloads the alert journal and the pending deliveries,
     * taps {@code engine} and starts the rules and delivery threads.
     *
     * @throws ConfigException on a bad setting in either section (nothing started then)
     */
    public static AlertRuntime start(final EngineConfig config, final Path dataDir, final Engine engine)
        throws ConfigException {
        return start(settings(config), dataDir, engine);
    }

    /** The {@code alerts:} and {@code delivery:} sections, read and checked; nothing is opened or started. */
    public record Settings(AlertConfig alerts, DeliveryConfig delivery) {
    }

    /**
     * Reads and checks {@code alerts:} and {@code delivery:} without opening anything, so that a bad setting stops
     * a start before the journal is opened.
     *
     * @throws ConfigException naming the key of the first bad setting
     */
    public static Settings settings(final EngineConfig config) throws ConfigException {
        return new Settings(AlertConfig.read(config.alerts()), DeliveryConfig.read(config.delivery()));
    }

    /** {@link #start(EngineConfig, Path, Engine)} with settings read beforehand by {@link #settings}. */
    public static AlertRuntime start(final Settings settings, final Path dataDir, final Engine engine) {
        return start(settings, dataDir, engine, RulePlacement.SINGLE_NODE);
    }

    /** {@link #start(Settings, Path, Engine)} running the stream rules {@code placement} names (a cluster node's). */
    public static AlertRuntime start(final Settings settings, final Path dataDir, final Engine engine,
                                     final RulePlacement placement) {
        return start(settings, dataDir, engine, placement, null);
    }

    /**
     * A cluster node's runtime: the stream rules {@code placement} names, and every alert change told to
     * {@code alsoTell} after delivery (the elected node's writer of the cluster-wide alerts' state), or null.
     */
    public static AlertRuntime start(final Settings settings, final Path dataDir, final Engine engine,
                                     final RulePlacement placement, final AlertListener alsoTell) {
        final AlertConfig alertConfig = settings.alerts();
        final DeliveryConfig deliveryConfig = settings.delivery();
        final AtomicReference<AlertSignal> signal = new AtomicReference<>(AlertSignal.NONE);
        final DeliveryService delivery = DeliveryService.start(deliveryConfig, dataDir, signal::get);
        final AlertService alerts;
        try {
            alerts = AlertService.attach(alertConfig, dataDir, engine, alsoTell == null ? delivery : a -> {
                delivery.onChange(a);
                alsoTell.onChange(a);
            }, placement);
        } catch (RuntimeException e) {
            delivery.close();
            throw e;
        }
        signal.set(alerts);
        return new AlertRuntime(alerts, delivery, delivery.sendsWindows() ? new FinestreForwarder(engine, delivery, dataDir)
            : null);
    }

    /** For delivery and reconciliation: raise and clear alerts from outside the event stream. */
    public AlertSignal signal() {
        return alerts;
    }

    /** For reports: alerts fired by rule in a range. */
    public AlertLog log() {
        return alerts;
    }

    public AlertService alerts() {
        return alerts;
    }

    public DeliveryService delivery() {
        return delivery;
    }

    /** Alert and delivery families for {@code /metrics}. Any thread. */
    public void writeMetrics(final PrometheusTextWriter w) {
        w.family("conversioni_alerts_open", PrometheusTextWriter.GAUGE, "Open alerts by rule (regola).");
        for (Map.Entry<String, Long> e : alerts.openByRule().entrySet()) {
            w.sample("conversioni_alerts_open").label("regola", e.getKey()).value(e.getValue());
        }
        w.family("conversioni_alerts_fired_total", PrometheusTextWriter.COUNTER,
            "Alerts fired by rule (regola) since the alert journal began.");
        for (Map.Entry<String, Long> e : alerts.firedTotalByRule().entrySet()) {
            w.sample("conversioni_alerts_fired_total").label("regola", e.getKey()).value(e.getValue());
        }
        w.family("conversioni_alert_feed_dropped_total", PrometheusTextWriter.COUNTER,
            "Decided events the alert rules missed because their feed was full (alerts may be late, ingest was not).");
        w.sample("conversioni_alert_feed_dropped_total").value(alerts.feedDrops());
        delivery.writeMetrics(w);
    }

    /**
     * Stops delivery first (a message in flight stays pending; alerts that change meanwhile are persisted as
     * pending and sent at the next start), then the rules thread. Call after the engine closed.
     */
    @Override
    public void close() {
        if (windows != null) {
            windows.close();
        }
        delivery.close();
        alerts.close();
    }

    /** The closed-window forwarder, or null when {@code delivery.finestre_webhook} is not set. */
    public FinestreForwarder windowForwarder() {
        return windows;
    }
}
