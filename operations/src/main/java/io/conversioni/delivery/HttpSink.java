package io.conversioni.delivery;

import io.conversioni.json.JsonBuilder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * A sink over HTTP POST with a JSON body: {@code slack} (an incoming webhook: {@code {"text": ...}}) or
 * {@code webhook} (the alert's JSON, with an optional header such as {@code Authorization}). 2xx is
 * delivered; 408, 425, 429 and 5xx, timeouts and connection errors are retried (Retry-After honoured);
 * other statuses go to the dead letters. One {@link HttpClient} per sink, connect and request timeouts.
 * Lane thread only. (On JDK 17 an HttpClient cannot be closed: its selector thread ends once the client
 * is unreachable, after the lane stops.)
 */
final class HttpSink implements Sink {
    private final String name;
    private final boolean slack;
    private final URI url;
    private final String headerName;
    private final String headerValue;
    private final Duration timeout;
    private final Set<String> rules;
    private final HttpClient client;

    HttpSink(final String name, final boolean slack, final URI url, final String headerName, final String headerValue,
             final Duration timeout, final Set<String> rules) {
        this.name = name;
        this.slack = slack;
        this.url = url;
        this.headerName = headerName;
        this.headerValue = headerValue;
        this.timeout = timeout;
        this.rules = rules;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean accepts(final String regola) {
        return rules.isEmpty() || rules.contains(regola);
    }

    String body(final DeliveryItem item) {
        if (!slack) {
            return item.json;
        }
        return new JsonBuilder().beginObject().field("text", item.titolo + "\n" + item.testo).endObject().toString();
    }

    @Override
    public void send(final DeliveryItem item) throws DeliveryFailure {
        final HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
            .header("Content-Type", "application/json")
            .header("User-Agent", "conversioni")
            .POST(HttpRequest.BodyPublishers.ofString(body(item), StandardCharsets.UTF_8));
        if (!headerName.isEmpty() && headerValue != null) {
            request.header(headerName, headerValue);
        }
        final HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new DeliveryFailure("no answer from " + url.getHost() + " within " + timeout.toMillis() + " ms", true, -1);
        } catch (IOException e) {
            throw new DeliveryFailure("cannot reach " + url.getHost() + ": " + e, true, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryFailure("interrupted (stopping)", true, -1);
        }
        final int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return;
        }
        final boolean retryable = status == 408 || status == 425 || status == 429 || status >= 500;
        final long retryAfter = retryAfterMillis(response.headers().firstValue("Retry-After").orElse(null));
        final String answer = response.body() == null ? "" : response.body();
        throw new DeliveryFailure("HTTP " + status + " from " + url.getHost()
            + (answer.isBlank() ? "" : ": " + answer.substring(0, Math.min(200, answer.length()))), retryable,
            status == 429 || status == 503 ? retryAfter : -1);
    }

    /** Retry-After as delta-seconds or an HTTP date (RFC 9110, 10.2.3); -1 when absent or unreadable. */
    static long retryAfterMillis(final String value) {
        if (value == null || value.isBlank()) {
            return -1;
        }
        try {
            return Math.max(0, Long.parseLong(value.trim()) * 1000);
        } catch (NumberFormatException notSeconds) {
            try {
                return Math.max(0, ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()
                    .toEpochMilli() - System.currentTimeMillis());
            } catch (DateTimeParseException notADate) {
                return -1;
            }
        }
    }
}
