package io.conversioni.ingress.metrics;

import io.conversioni.json.JsonTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The monitoring files shipped in config/: the Prometheus alerting rules pass {@code promtool check rules} and
 * their unit tests ({@code promtool test rules}; skipped without promtool), and every series the Grafana
 * dashboard and the rules query is one a real server's {@code /metrics} exposes after some traffic.
 */
@Timeout(120)
class ShippedMonitoringTest {
    private static final Path CONFIG = Path.of("..", "config");
    private static final Path ALERTS = CONFIG.resolve("prometheus/alerts.yml");
    private static final Path ALERTS_TEST = CONFIG.resolve("prometheus/alerts_test.yml");
    private static final Path DASHBOARD = CONFIG.resolve("grafana/conversioni.json");
    /** Series Prometheus makes itself for every target, not /metrics. */
    private static final Set<String> SCRAPE_SERIES = Set.of("up");
    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
        "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:$])[a-zA-Z_:][a-zA-Z0-9_:]*(?![\\w(])(?!\\s*\\()");

    @TempDir
    Path data;

    @Test
    void shouldPassPromtoolCheckRulesOnTheShippedAlerts() throws Exception {
        final String said = promtool(null, "check", "rules", ALERTS.toString());
        assertTrue(said.contains("SUCCESS"), said);
    }

    @Test
    void shouldPassTheUnitTestsOfTheShippedAlerts() throws Exception {
        final String said = promtool(null, "test", "rules", ALERTS_TEST.toString());
        assertTrue(said.contains("SUCCESS"), said);
    }

    @Test
    void shouldQueryInTheDashboardAndTheAlertsOnlySeriesThatMetricsExposes() throws Exception {
        final List<String> dashboardQueries = dashboardQueries();
        final List<String> alertQueries = alertQueries();
        assertTrue(dashboardQueries.size() >= 10, "the dashboard's queries: " + dashboardQueries);
        assertTrue(alertQueries.size() >= 6, "the rules' queries: " + alertQueries);
        final Set<String> exposed = sampleNames(scrapeAfterTraffic());
        for (final List<String> queries : List.of(dashboardQueries, alertQueries)) {
            for (final String query : queries) {
                final Set<String> names = metricNames(query);
                assertTrue(!names.isEmpty(), "no series in " + query);
                for (final String name : names) {
                    assertTrue(exposed.contains(name) || SCRAPE_SERIES.contains(name),
                        name + " (in " + query + ") is not exposed by /metrics; it exposes " + exposed);
                }
            }
        }
    }

    @Test
    void shouldPassPromtoolCheckMetricsOnARealServersScrape() throws Exception {
        assumeTrue(PrometheusExporterTest.onPath("promtool") != null, "promtool is not on the PATH");
        final String text = scrapeAfterTraffic();
        assertTrue(text.contains("\nconversioni_http_request_duration_seconds_count{"), text);
        final String said = promtool(text, "check", "metrics");
        assertEquals("", said.trim(), said);
    }

    @Test
    void shouldFindTheSeriesOfAQueryButNotItsFunctionsLabelsOrVariables() {
        assertEquals(Set.of("a_bucket"), metricNames("histogram_quantile(0.99, sum by (le, route) "
            + "(rate(a_bucket{instance=~\"$instance\",x=\"y_z\"}[$__rate_interval])))"));
        assertEquals(Set.of("a", "b_total", "up"), metricNames("60 * a / on(instance) group_left b_total offset 5m"
            + " > 0.2 and up == 0 or sum without (esito) (rate(b_total[10m])) > 1e3"));
        assertEquals(Set.of("conversioni_ready"), metricNames("label_values(conversioni_ready, instance)"));
    }

    /** /metrics of a real server that took events (a conversion, a rejection) and answered a 404. */
    private String scrapeAfterTraffic() throws Exception {
        try (MetricsServer server = new MetricsServer(data)) {
            assertEquals(202, server.postEvent(server.token(), event("acquisto_concluso", "webform")).statusCode());
            assertEquals(202, server.postEvent(server.token(), event("richiesta_demo", "email")).statusCode());
            assertEquals(400, server.postEvent(server.token(), event("richiesta_demo", "fax")).statusCode());
            assertEquals(404, server.get("/pagina/inesistente", null).statusCode());
            return server.scrapeUntil(t -> t.contains("route=\"altro\",status_class=\"4xx\""));
        }
    }

    /** Every target's expr, and the templating queries, of the dashboard. */
    private static List<String> dashboardQueries() throws Exception {
        final Map<String, Object> dashboard = map(JsonTree.parse(Files.readAllBytes(DASHBOARD)));
        final List<String> queries = new ArrayList<>();
        collectPanels(list(dashboard.get("panels")), queries);
        for (final Object variable : list(map(dashboard.get("templating")).get("list"))) {
            final Object query = map(variable).get("query");
            queries.add(query instanceof String ? (String) query : (String) map(query).get("query"));
        }
        return queries;
    }

    private static void collectPanels(final List<Object> panels, final List<String> queries) {
        for (final Object p : panels) {
            final Map<String, Object> panel = map(p);
            if (panel.get("panels") != null) {
                collectPanels(list(panel.get("panels")), queries); // a collapsed row keeps its panels
            }
            if (panel.get("targets") != null) {
                for (final Object target : list(panel.get("targets"))) {
                    final Object expr = map(target).get("expr");
                    assertTrue(expr instanceof String, "a target without expr in panel " + panel.get("title"));
                    queries.add((String) expr);
                }
            } else {
                assertEquals("row", panel.get("type"), "a panel without targets: " + panel.get("title"));
            }
        }
    }

    /** The expr of every rule: a one-line {@code expr: ...} or a {@code expr: |} block. */
    private static List<String> alertQueries() throws Exception {
        final List<String> lines = Files.readAllLines(ALERTS, StandardCharsets.UTF_8);
        final List<String> queries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            final String line = lines.get(i).trim();
            if (!line.startsWith("expr:")) {
                continue;
            }
            final String inline = line.substring("expr:".length()).trim();
            if (!inline.equals("|")) {
                queries.add(inline);
                continue;
            }
            final StringBuilder block = new StringBuilder();
            final int indent = lines.get(i).indexOf("expr:");
            while (i + 1 < lines.size() && (lines.get(i + 1).isBlank()
                || lines.get(i + 1).length() - lines.get(i + 1).stripLeading().length() > indent)) {
                block.append(lines.get(++i).trim()).append('\n');
            }
            queries.add(block.toString());
        }
        return queries;
    }

    /** The metric names a PromQL query (or a Grafana label_values) reads. */
    static Set<String> metricNames(final String query) {
        final String bare = query
            .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // string literals
            .replaceAll("\\{[^}]*}", "") // label matchers
            .replaceAll("\\[[^]]*]", "") // range durations
            .replaceAll("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "") // label lists
            .replaceAll(",\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*\\)\\s*$", ")"); // label_values(series, label)
        final Set<String> names = new TreeSet<>();
        final Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            if (!PROMQL_WORDS.contains(m.group().toLowerCase())) {
                names.add(m.group());
            }
        }
        return names;
    }

    /** The names samples may have: every sample line's, and each family's by its TYPE (histogram suffixes). */
    private static Set<String> sampleNames(final String exposition) {
        final Set<String> names = new TreeSet<>();
        for (final String line : exposition.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                final String[] parts = line.split(" ");
                final String family = parts[2];
                if (parts[3].equals("histogram")) {
                    names.addAll(List.of(family + "_bucket", family + "_sum", family + "_count"));
                } else if (parts[3].equals("summary")) {
                    names.addAll(List.of(family, family + "_sum", family + "_count"));
                } else {
                    names.add(family);
                }
            } else if (!line.startsWith("#") && !line.isEmpty()) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    /** Runs promtool (the test is skipped without it) with {@code stdin} (or none) and returns what it said. */
    private static String promtool(final String stdin, final String... args) throws Exception {
        final File promtool = PrometheusExporterTest.onPath("promtool");
        assumeTrue(promtool != null, "promtool is not on the PATH");
        final List<String> command = new ArrayList<>(List.of(promtool.getPath()));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (java.io.OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        final String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, process.exitValue(), String.join(" ", command) + " said:\n" + said);
        return said;
    }

    private static String event(final String evento, final String canale) {
        return "{\"id_cliente\":\"CLIENTE-ITALIA-" + (100_000 + Math.abs((evento + canale).hashCode()) % 900_000)
            + "\",\"evento\":\"" + evento + "\",\"timestamp\":\"" + Instant.now() + "\",\"valore\":12.5,\"canale\":\""
            + canale + "\",\"stato\":\"completato\",\"metadati\":{\"campagna\":\"Campagna_Email_Verano2024\"}}";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(final Object o) {
        assertTrue(o instanceof Map, "expected an object: " + o);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(final Object o) {
        assertTrue(o instanceof List, "expected an array: " + o);
        return (List<Object>) o;
    }
}
