package io.conversioni.ingress;

import io.conversioni.json.JsonTree;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bundled OpenAPI document served at {@code /api/v1/openapi.json} against the routes the server has. */
class OpenApiDocumentTest {
    /** Read by hand from {@link IngressServer#start} and the handlers' routes: method and path of every route. */
    private static final List<String> ROUTES = List.of(
        "post /api/v1/eventi/conversione",
        "post /api/v1/eventi/conversione/batch",
        "get /api/v1/metriche",
        "get /api/v1/metriche/stream",
        "get /api/v1/allarmi",
        "get /api/v1/openapi.json",
        "get /metrics",
        "get /health/live",
        "get /health/ready",
        "get /",
        "get /dashboard/{file}",
        "get /api/v1/jobs",
        "post /api/v1/jobs/{nome}/esegui",
        "get /api/v1/cluster"); // cluster mode only: ClusterHandler.routes, added by the serve wiring

    /** Every status {@link IngestHandler} (and {@link HttpOutcomes} for one event) can answer. */
    private static final List<String> INGEST_STATUSES = List.of("202", "400", "401", "403", "413", "415", "422", "429", "503");

    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private static Map<String, Object> doc;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = IngressServer.class.getResourceAsStream("openapi.json")) {
            assertNotNull(in, "openapi.json is not on the class path next to IngressServer");
            doc = map(JsonTree.parse(in.readAllBytes()));
        }
    }

    @Test
    void shouldDeclareOpenApi31() {
        final Object version = doc.get("openapi");
        assertInstanceOf(String.class, version);
        assertTrue(((String) version).startsWith("3.1"), String.valueOf(version));
    }

    @Test
    void shouldDescribeEveryRouteWithItsMethodAndNoOtherOperation() {
        final Map<String, Object> paths = map(doc.get("paths"));
        final Set<String> documented = new TreeSet<>();
        for (Map.Entry<String, Object> path : paths.entrySet()) {
            for (String key : map(path.getValue()).keySet()) {
                if (HTTP_METHODS.contains(key)) {
                    documented.add(key + " " + path.getKey());
                }
            }
        }
        assertEquals(new TreeSet<>(ROUTES), documented);
    }

    @Test
    void shouldDocumentEveryStatusTheSingleEventIngestCanAnswer() {
        final Map<String, Object> responses = responsesOf("/api/v1/eventi/conversione", "post");
        for (String status : INGEST_STATUSES) {
            assertTrue(responses.containsKey(status), "POST /api/v1/eventi/conversione lacks " + status);
            final Map<String, Object> response = map(resolve(responses.get(status)));
            assertTrue(response.get("description") instanceof String s && !s.isBlank(), status + " has no description");
        }
        for (String status : List.of("429", "503")) {
            final Map<String, Object> headers = map(map(resolve(responses.get(status))).get("headers"));
            assertTrue(headers.containsKey("Retry-After"), status + " does not document Retry-After");
        }
    }

    @Test
    void shouldDocumentTheBatchAnswerAndItsRequestLevelErrors() {
        final Map<String, Object> responses = responsesOf("/api/v1/eventi/conversione/batch", "post");
        assertEquals(Set.of("200", "400", "401", "403", "413", "415", "429", "500", "503"), responses.keySet());
        final Map<String, Object> body = map(map(paths("/api/v1/eventi/conversione/batch", "post").get("requestBody")).get("content"));
        assertEquals(Set.of("application/json", "application/x-ndjson"), body.keySet());
        final Map<String, Object> summary = map(map(map(doc.get("components")).get("schemas")).get("EsitoBatch"));
        assertEquals(java.util.List.of("eventi", "accettati", "duplicati", "rifiutati", "non_disponibili", "risultati"),
            summary.get("required"));
        assertEquals(summary.get("required"), java.util.List.copyOf(map(summary.get("properties")).keySet()));
    }

    @Test
    void shouldDocumentEveryStatusTheJobsRoutesCanAnswer() {
        assertEquals(Set.of("200", "401", "403", "500"), responsesOf("/api/v1/jobs", "get").keySet());
        assertEquals(Set.of("202", "401", "403", "404", "500", "503"), responsesOf("/api/v1/jobs/{nome}/esegui", "post").keySet());
    }

    @Test
    void shouldResolveEveryRefToAnExistingComponent() {
        final List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertTrue(refs.size() > 10, "suspiciously few $ref: " + refs);
        for (String ref : new LinkedHashSet<>(refs)) {
            assertTrue(ref.startsWith("#/components/"), "not a reference into components: " + ref);
            assertNotNull(pointer(ref), "unresolved $ref " + ref);
        }
    }

    @Test
    void shouldCopyTheShippedEventSchemaWithTheSameConstraints() throws Exception {
        final Map<String, Object> shipped = map(JsonTree.parse(
            Files.readAllBytes(Path.of("..", "config", "schema", "conversione.schema.json"))));
        final Map<String, Object> copy = map(map(map(doc.get("components")).get("schemas")).get("Conversione"));
        assertEquals(shipped.get("type"), copy.get("type"));
        assertEquals(shipped.get("required"), copy.get("required"));
        assertEquals(shipped.get("additionalProperties"), copy.get("additionalProperties"));
        final Map<String, Object> shippedProperties = map(shipped.get("properties"));
        final Map<String, Object> copiedProperties = map(copy.get("properties"));
        assertEquals(shippedProperties.keySet(), copiedProperties.keySet());
        for (String name : shippedProperties.keySet()) {
            final Map<String, Object> copied = new java.util.LinkedHashMap<>(map(copiedProperties.get(name)));
            copied.remove("description");
            assertEquals(shippedProperties.get(name), copied, "property " + name);
        }
    }

    private static Map<String, Object> paths(final String path, final String method) {
        final Map<String, Object> item = map(map(doc.get("paths")).get(path));
        assertNotNull(item, path + " is not documented");
        final Map<String, Object> operation = map(item.get(method));
        assertNotNull(operation, method + " " + path + " is not documented");
        return operation;
    }

    private static Map<String, Object> responsesOf(final String path, final String method) {
        return map(paths(path, method).get("responses"));
    }

    private static Object resolve(final Object node) {
        if (node instanceof Map<?, ?> m && m.get("$ref") instanceof String ref) {
            final Object target = pointer(ref);
            assertNotNull(target, "unresolved $ref " + ref);
            return target;
        }
        return node;
    }

    /** Resolves a same-document JSON Pointer ({@code #/a/b}); null when a step is missing. */
    private static Object pointer(final String ref) {
        if (!ref.startsWith("#/")) {
            return null;
        }
        Object node = doc;
        for (String raw : ref.substring(2).split("/", -1)) {
            final String step = raw.replace("~1", "/").replace("~0", "~");
            if (node instanceof Map<?, ?> m && m.containsKey(step)) {
                node = m.get(step);
            } else if (node instanceof List<?> l && step.matches("[0-9]+") && Integer.parseInt(step) < l.size()) {
                node = l.get(Integer.parseInt(step));
            } else {
                return null;
            }
        }
        return node;
    }

    private static void collectRefs(final Object node, final List<String> out) {
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if ("$ref".equals(e.getKey())) {
                    assertInstanceOf(String.class, e.getValue(), "$ref must be a string");
                    out.add((String) e.getValue());
                } else if ("discriminator".equals(e.getKey()) && e.getValue() instanceof Map<?, ?> d
                    && d.get("mapping") instanceof Map<?, ?> mapping) {
                    for (Object target : mapping.values()) {
                        out.add((String) target);
                    }
                } else {
                    collectRefs(e.getValue(), out);
                }
            }
        } else if (node instanceof List<?> l) {
            for (Object item : l) {
                collectRefs(item, out);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(final Object node) {
        return node == null ? null : (Map<String, Object>) assertInstanceOf(Map.class, node);
    }

    /**
     * One catalogue of error codes: the OpenAPI document's {@code Errore.codice} enum, the table in docs/api.md, and
     * every code the server's sources send (literal codes passed to the error answers, the token check's codes).
     */
    @Test
    void shouldListTheSameErrorCodesAsTheApiDocsAndEveryCodeTheServerSends() throws Exception {
        final Map<String, Object> codice = map(map(map(map(map(doc.get("components")).get("schemas")).get("Errore"))
            .get("properties")).get("codice"));
        final Set<String> enumerated = new TreeSet<>();
        for (Object code : (List<?>) codice.get("enum")) {
            assertTrue(((String) code).matches("[a-z]+(_[a-z]+)*"), "lower snake_case: " + code);
            enumerated.add((String) code);
        }
        final String api = Files.readString(Path.of("..", "docs", "api.md"));
        final String table = api.substring(api.indexOf("## Error codes"));
        final Set<String> documented = new TreeSet<>();
        final java.util.regex.Matcher row = java.util.regex.Pattern.compile("(?m)^\\| `([a-z_]+)` \\| [0-9]{3} \\|").matcher(table);
        while (row.find()) {
            documented.add(row.group(1));
        }
        assertEquals(enumerated, documented, "docs/api.md's Error codes table and Errore.codice in openapi.json");
        final Set<String> sent = new TreeSet<>();
        final java.util.regex.Pattern literal = java.util.regex.Pattern.compile(
            "(?:Responses\\.error\\(\\w+, (?:[^,]+, )?|unavailable\\(\\w+, |refuse\\(\\w+, )\"([a-z_]+)\"");
        final java.util.regex.Pattern constant = java.util.regex.Pattern.compile("static final String [A-Z_]+ = \"([a-z_]+)\"");
        try (var sources = Files.walk(Path.of("src", "main", "java", "io", "conversioni", "ingress"))) {
            for (Path file : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                final String text = Files.readString(file);
                final java.util.regex.Matcher m = literal.matcher(text);
                while (m.find()) {
                    sent.add(m.group(1));
                }
                if (file.endsWith("JwtResult.java") || file.endsWith("RouteGuard.java")) {
                    final java.util.regex.Matcher c = constant.matcher(text);
                    while (c.find()) {
                        sent.add(c.group(1));
                    }
                }
            }
        }
        sent.removeAll(Set.of("ok", "access_token"));
        assertTrue(sent.size() > 20, "found the codes in the sources: " + sent);
        final Set<String> missing = new TreeSet<>(sent);
        missing.removeAll(enumerated);
        assertEquals(Set.of(), missing, "codes the server sends that the catalogue does not list");
    }
}
