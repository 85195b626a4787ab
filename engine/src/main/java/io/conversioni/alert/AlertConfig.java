package io.conversioni.alert;

import io.conversioni.config.ConfigException;
import io.conversioni.config.ConfigReader;

/**
 * The {@code alerts:} section, validated once (errors name the key and the value). Immutable.
 *
 * <table>
 *   <caption>rules and defaults</caption>
 *   <tr><th>key</th><th>default</th></tr>
 *   <tr><td>duplicati: threshold, window, max_clients, resolve_after</td><td>3, 10m, 10000, 0s</td></tr>
 *   <tr><td>rifiuti: threshold (share), min_events, window, resolve_after</td><td>0.1, 20, 5m, 0s</td></tr>
 *   <tr><td>deriva_orologio: threshold, min_events, window, resolve_after</td><td>10ms, 20, 1m, 0s</td></tr>
 *   <tr><td>silenzio: after</td><td>15m</td></tr>
 * </table>
 */
public final class AlertConfig {
    public static final String DUPLICATI = "duplicati";
    public static final String RIFIUTI = "rifiuti";
    public static final String DERIVA_OROLOGIO = "deriva_orologio";
    public static final String SILENZIO = "silenzio";
    public static final String CONSEGNA_FALLITA = "consegna_fallita";
    public static final String RICONCILIAZIONE = "riconciliazione";
    /** Every rule, stream rules first: the metrics export a sample for each. */
    public static final java.util.List<String> RULES = java.util.List.of(DUPLICATI, RIFIUTI, DERIVA_OROLOGIO, SILENZIO,
        CONSEGNA_FALLITA, RICONCILIAZIONE);

    private static final long DAY = 86_400_000L;

    final boolean enabled;
    final int feedCapacityBytes;
    final int maxHistory;
    final boolean duplicati;
    final long duplicatiThreshold;
    final long duplicatiWindowMillis;
    final int duplicatiMaxClients;
    final long duplicatiResolveAfterMillis;
    final boolean rifiuti;
    final double rifiutiThreshold;
    final long rifiutiMinEvents;
    final long rifiutiWindowMillis;
    final long rifiutiResolveAfterMillis;
    final boolean deriva;
    final long derivaThresholdMillis;
    final long derivaMinEvents;
    final long derivaWindowMillis;
    final long derivaResolveAfterMillis;
    final boolean silenzio;
    final long silenzioAfterMillis;

    private AlertConfig(final ConfigReader r) throws ConfigException {
        enabled = r.bool("enabled", true);
        feedCapacityBytes = (int) r.sizeBytes("feed_capacity", "1MiB", 1024, 1 << 30);
        if (Integer.bitCount(feedCapacityBytes) != 1) {
            throw new ConfigException(r.source() + ": alerts.feed_capacity must be a power of two, was '"
                + feedCapacityBytes + "'");
        }
        maxHistory = (int) r.integer("max_history", 10_000, 10, 10_000_000);
        duplicati = r.bool("duplicati.enabled", true);
        duplicatiThreshold = r.integer("duplicati.threshold", 3, 0, 10_000);
        duplicatiWindowMillis = r.durationMillis("duplicati.window", "10m", 1000, DAY);
        duplicatiMaxClients = (int) r.integer("duplicati.max_clients", 10_000, 1, 10_000_000);
        duplicatiResolveAfterMillis = r.durationMillis("duplicati.resolve_after", "0s", 0, DAY);
        rifiuti = r.bool("rifiuti.enabled", true);
        rifiutiThreshold = r.decimal("rifiuti.threshold", 0.1, 0.0, 1.0);
        rifiutiMinEvents = r.integer("rifiuti.min_events", 20, 1, 1_000_000_000);
        rifiutiWindowMillis = r.durationMillis("rifiuti.window", "5m", 1000, DAY);
        rifiutiResolveAfterMillis = r.durationMillis("rifiuti.resolve_after", "0s", 0, DAY);
        deriva = r.bool("deriva_orologio.enabled", true);
        derivaThresholdMillis = r.durationMillis("deriva_orologio.threshold", "10ms", 0, DAY);
        derivaMinEvents = r.integer("deriva_orologio.min_events", 20, 1, 1_000_000_000);
        derivaWindowMillis = r.durationMillis("deriva_orologio.window", "1m", 1000, DAY);
        derivaResolveAfterMillis = r.durationMillis("deriva_orologio.resolve_after", "0s", 0, DAY);
        silenzio = r.bool("silenzio.enabled", true);
        silenzioAfterMillis = r.durationMillis("silenzio.after", "15m", 1000, 31 * DAY);
        r.rejectUnknownKeys();
    }

    /** Reads {@code alerts:} (from {@link io.conversioni.config.EngineConfig#alerts()}); absent keys take defaults. */
    public static AlertConfig read(final ConfigReader section) throws ConfigException {
        return new AlertConfig(section);
    }

    public boolean enabled() {
        return enabled;
    }
}
