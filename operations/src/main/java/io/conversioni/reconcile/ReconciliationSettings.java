package io.conversioni.reconcile;

import io.conversioni.config.ConfigException;
import io.conversioni.config.ConfigReader;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code reconciliation:} settings, read once and checked before start: which CRM source, how often,
 * how far back. Errors name the key and the bad value. Immutable; start-up only.
 *
 * @param source         {@code csv} (a folder where CRM exports are dropped), {@code http} (the CRM's
 *                       endpoint) or {@code none}
 * @param folder         the CSV folder (relative paths resolve against the data folder)
 * @param lookbackMillis with {@code http}: how far back each run compares closed windows
 */
public record ReconciliationSettings(String source, long intervalMillis, long lookbackMillis, Path folder, Http http) {
    public static final List<String> SOURCES = List.of("csv", "http", "none");

    /**
     * The CRM endpoint: {@code url} may hold {@code {da}} and {@code {a}} (ISO instants of the range);
     * {@code authHeader} carries the value of the environment variable {@code authEnv} (secrets stay out of
     * files); {@code eventsPointer} is the JSON Pointer of the events array in the answer ({@code ""}: the
     * answer is the array); {@code fields} maps each of our fields to the CRM's name or JSON Pointer inside
     * an item.
     */
    public record Http(String url, String authHeader, String authEnv, long connectTimeoutMillis, long timeoutMillis,
                       String eventsPointer, Map<String, String> fields) {
    }

    public static ReconciliationSettings read(final ConfigReader r, final Path dataDir) throws ConfigException {
        final String source = r.oneOf("source", "csv", SOURCES);
        final long interval = r.durationMillis("interval", "2m", 1_000, 86_400_000);
        final long lookback = r.durationMillis("lookback", "24h", 60_000, 31L * 86_400_000);
        final Path folder = dataDir.resolve(r.string("csv.folder", "crm-export"));
        final Map<String, String> fields = new LinkedHashMap<>();
        for (String f : CsvCrmExport.REQUIRED) {
            fields.put(f, r.string("http.fields." + f, f));
        }
        final String url = r.string("http.url", "");
        final Http http = new Http(url, r.string("http.auth_header", "Authorization"), r.string("http.auth_env", ""),
            r.durationMillis("http.connect_timeout", "5s", 100, 300_000),
            r.durationMillis("http.timeout", "30s", 100, 600_000), r.string("http.events", "/eventi"), Map.copyOf(fields));
        if (source.equals("http")) {
            try {
                final URI uri = new URI(url.replace("{da}", "x").replace("{a}", "x"));
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new URISyntaxException(url, "not an http(s) URL with a host");
                }
            } catch (URISyntaxException e) {
                throw new ConfigException(r.source() + ": reconciliation.http.url must be an http(s) URL when "
                    + "reconciliation.source is http, was '" + url + "'");
            }
            if (!http.eventsPointer().isEmpty() && !http.eventsPointer().startsWith("/")) {
                throw new ConfigException(r.source() + ": reconciliation.http.events must be a JSON Pointer such as "
                    + "/eventi (or empty for a top-level array), was '" + http.eventsPointer() + "'");
            }
        }
        r.rejectUnknownKeys();
        return new ReconciliationSettings(source, interval, lookback, folder, http);
    }
}
