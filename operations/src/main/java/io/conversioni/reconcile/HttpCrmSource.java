package io.conversioni.reconcile;

import io.conversioni.json.JsonTree;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The CRM's side read from its HTTP endpoint: one GET per reconciliation for the range {@code [da, a)},
 * with the configured auth header, connect and request timeouts, and the configured field mapping applied
 * to each item of the answer's events array. Anything but a 200 with that shape is a
 * {@link CrmSourceException} naming the URL (without its query) and the reason — never a partial list.
 *
 * <p>Threading: the job thread (one request at a time; the client is shared and thread-safe). Allocates
 * per item. Answers larger than {@value #MAX_ANSWER_BYTES} bytes are refused.
 */
public final class HttpCrmSource {
    static final int MAX_ANSWER_BYTES = 64 * 1024 * 1024;

    private final ReconciliationSettings.Http settings;
    private final String authValue;
    private final HttpClient client;

    /**
     * @param authValue the auth header's value (from the environment variable the settings name), or null
     */
    public HttpCrmSource(final ReconciliationSettings.Http settings, final String authValue) {
        this.settings = settings;
        this.authValue = authValue;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(settings.connectTimeoutMillis()))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** From the settings and the process environment. */
    public static HttpCrmSource fromEnvironment(final ReconciliationSettings.Http settings) {
        final String value = settings.authEnv().isEmpty() ? null : System.getenv(settings.authEnv());
        if (!settings.authEnv().isEmpty() && value == null) {
            org.slf4j.LoggerFactory.getLogger(HttpCrmSource.class).warn("reconciliation.http.auth_env names {}, which "
                + "is not set: the CRM is asked without {}", settings.authEnv(), settings.authHeader());
        }
        return new HttpCrmSource(settings, value);
    }

    /** A short name for reports: the URL without query string. */
    public String describe() {
        final String url = settings.url();
        final int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    public List<LedgerEvent> fetch(final long fromMillis, final long toMillis) throws CrmSourceException {
        final String url = settings.url()
            .replace("{da}", URLEncoder.encode(Instant.ofEpochMilli(fromMillis).toString(), StandardCharsets.UTF_8))
            .replace("{a}", URLEncoder.encode(Instant.ofEpochMilli(toMillis).toString(), StandardCharsets.UTF_8));
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofMillis(settings.timeoutMillis())).header("Accept", "application/json").GET();
        if (authValue != null && !authValue.isEmpty()) {
            request.header(settings.authHeader(), authValue);
        }
        final byte[] body;
        try {
            final HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    throw new CrmSourceException("crm_http", describe() + " answered HTTP " + response.statusCode()
                        + " (expected 200)");
                }
                body = in.readNBytes(MAX_ANSWER_BYTES + 1);
            }
        } catch (java.net.http.HttpTimeoutException e) {
            throw new CrmSourceException("crm_http", describe() + " did not answer within "
                + settings.timeoutMillis() + " ms", e);
        } catch (IOException e) {
            throw new CrmSourceException("crm_http", "cannot reach " + describe() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CrmSourceException("crm_http", "interrupted while asking " + describe(), e);
        }
        if (body.length > MAX_ANSWER_BYTES) {
            throw new CrmSourceException("crm_risposta", describe() + " answered more than " + MAX_ANSWER_BYTES + " bytes");
        }
        return parse(body);
    }

    List<LedgerEvent> parse(final byte[] body) throws CrmSourceException {
        final Object doc;
        try {
            doc = JsonTree.parse(body);
        } catch (JsonTree.JsonTreeException e) {
            throw new CrmSourceException("crm_risposta", describe() + " answered malformed JSON: " + e.getMessage());
        }
        final Object array = pointer(doc, settings.eventsPointer());
        if (!(array instanceof List<?> items)) {
            throw new CrmSourceException("crm_risposta", describe() + ": no array at '" + settings.eventsPointer()
                + "' in the answer (reconciliation.http.events)");
        }
        final Map<String, String> f = settings.fields();
        final List<LedgerEvent> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            final String where = describe() + " item " + i;
            try {
                final Object item = items.get(i);
                if (!(item instanceof Map)) {
                    throw new IllegalArgumentException("not an object");
                }
                final Object valore = field(item, f.get("valore"));
                final Object timestamp = field(item, f.get("timestamp"));
                final long millis = timestamp instanceof BigDecimal n ? n.longValueExact()
                    : CrmValues.timestampMillis(text(timestamp));
                final long cents = valore instanceof BigDecimal n ? CrmValues.cents(n, n.toPlainString())
                    : CrmValues.cents(text(valore));
                out.add(LedgerEvent.of(CrmValues.required(f.get("id_cliente"), text(field(item, f.get("id_cliente")))),
                    CrmValues.required(f.get("evento"), text(field(item, f.get("evento")))),
                    CrmValues.required(f.get("canale"), text(field(item, f.get("canale")))), millis, cents, where));
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new CrmSourceException("crm_risposta", where + ": " + e.getMessage()
                    + " (check reconciliation.http.fields)");
            }
        }
        return out;
    }

    private static Object field(final Object item, final String name) {
        return name.startsWith("/") ? pointer(item, name) : ((Map<?, ?>) item).get(name);
    }

    private static String text(final Object value) {
        return value == null || value == JsonTree.NULL ? null
            : value instanceof BigDecimal n ? n.toPlainString() : value instanceof String s ? s : String.valueOf(value);
    }

    /** RFC 6901 JSON Pointer; null where nothing is there. */
    static Object pointer(final Object doc, final String pointer) {
        Object node = doc;
        if (pointer.isEmpty()) {
            return node;
        }
        for (String raw : pointer.substring(1).split("/", -1)) {
            final String part = raw.replace("~1", "/").replace("~0", "~");
            if (node instanceof Map<?, ?> map) {
                node = map.get(part);
            } else if (node instanceof List<?> list && part.matches("\\d{1,9}") && Integer.parseInt(part) < list.size()) {
                node = list.get(Integer.parseInt(part));
            } else {
                return null;
            }
        }
        return node;
    }
}
