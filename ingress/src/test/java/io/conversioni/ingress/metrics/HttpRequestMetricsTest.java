package io.conversioni.ingress.metrics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request duration histogram, through a real server and a real client: one series per route template and
 * status class, never a raw path, buckets cumulative up to +Inf.
 */
@Timeout(60)
class HttpRequestMetricsTest {
    private static final String FAMILY = "conversioni_http_request_duration_seconds";
    private static final String INGEST = "/api/v1/eventi/conversione";

    @TempDir
    Path data;

    @Test
    void shouldTimeRequestsByRouteTemplateAndStatusClass() throws Exception {
        try (MetricsServer server = new MetricsServer(data)) {
            assertEquals(202, server.postEvent(server.token(), event()).statusCode());
            assertEquals(401, server.postEvent("not-a-token", event()).statusCode());
            assertEquals(200, server.get("/health/live", null).statusCode());
            assertEquals(404, server.get("/pagina/inesistente/42", null).statusCode());
            assertEquals(200, server.get("/dashboard/dashboard.js", null).statusCode());
            final String text = server.scrapeUntil(t -> count(t, "altro", "4xx") == 1
                && count(t, "/dashboard/{file}", "2xx") == 1);
            assertEquals(1, count(text, INGEST, "2xx"), text);
            assertEquals(1, count(text, INGEST, "4xx"), text);
            assertEquals(1, count(text, "/health/live", "2xx"), text);
            assertFalse(text.contains("inesistente"), "a raw path is never a label: " + text);
            assertFalse(text.contains("dashboard.js"), "a raw path is never a label: " + text);
            assertFalse(text.contains("route=\"" + INGEST + "\",status_class=\"5xx\""), "no series before a request: " + text);
            final String series = FAMILY + "_bucket{route=\"" + INGEST + "\",status_class=\"2xx\",le=";
            assertTrue(text.contains(series + "\"+Inf\"} 1\n"), text);
            assertTrue(text.contains(series + "\"10\"} 1\n"), "a request of the test took less than 10 s: " + text);
            assertTrue(text.contains(series + "\"0.00001\"} 0\n"), "nor less than 10 µs through TLS: " + text);
            final double sum = PrometheusExporterTest.value(text, FAMILY + "_sum{route=\"" + INGEST + "\",status_class=\"2xx\"}");
            assertTrue(sum > 0 && sum < 10, "the duration in seconds: " + sum);
            assertEquals(List.of(), ExpositionFormat.problems(text));
        }
    }

    @Test
    void shouldCountAnyRouteBeyondTheLimitAsAltro() {
        final HttpRequestMetrics metrics = new HttpRequestMetrics();
        for (int i = 0; i < HttpRequestMetrics.MAX_ROUTES + 5; i++) {
            metrics.listenerFor("/route/" + i);
        }
        assertEquals(metrics.listenerFor(HttpRequestMetrics.OTHER_ROUTE), metrics.listenerFor("/route/" + (HttpRequestMetrics.MAX_ROUTES + 1)),
            "past the limit, a route is counted as altro");
        assertTrue(metrics.listenerFor("/route/0") != metrics.listenerFor(HttpRequestMetrics.OTHER_ROUTE));
    }

    private static long count(final String text, final String route, final String statusClass) {
        final String prefix = FAMILY + "_count{route=\"" + route + "\",status_class=\"" + statusClass + "\"} ";
        final int at = text.indexOf("\n" + prefix);
        if (at < 0) {
            return 0;
        }
        final int start = at + 1 + prefix.length();
        return Long.parseLong(text.substring(start, text.indexOf('\n', start)));
    }

    private static String event() {
        return "{\"id_cliente\":\"CLIENTE-ITALIA-100001\",\"evento\":\"richiesta_demo\",\"timestamp\":\""
            + Instant.now() + "\",\"valore\":1.5,\"canale\":\"email\",\"stato\":\"completato\","
            + "\"metadati\":{\"campagna\":\"Campagna_Email_Verano2024\"}}";
    }
}
