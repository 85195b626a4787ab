package io.conversioni.schema;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Differential oracle: for random schemas built from the supported keywords and random instances, the
 * compiled validator must agree with networknt's reference implementation on valid/invalid. Instances
 * stay inside what both define the same way (no duplicate keys, numbers of at most 18 digits).
 */
class SchemaDifferentialTest {
    private static final ObjectMapper JSON = new ObjectMapper()
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
        .formatAssertionsEnabled(true).build();
    private static final List<String> KEYS = List.of("p0", "p1", "p2", "x");

    /** An integer a double cannot hold exactly. */
    private static final String BEYOND_DOUBLE = "123456789012345678";

    private static String shippedSchema;

    @BeforeContainer
    static void readShippedSchema() throws Exception {
        shippedSchema = Files.readString(Path.of("..", "config", "schema", "conversione.schema.json"));
    }

    @Property(tries = 2500, seed = "20261128")
    void shouldAgreeWithTheReferenceValidatorOnRandomSchemasAndValues(
        @ForAll("schemas") final Map<String, Object> schema, @ForAll("instances") final Object instance) throws Exception {
        compare(JSON.writeValueAsString(schema), instance);
    }

    @Property(tries = 2500, seed = "20261128")
    void shouldAgreeWithTheReferenceValidatorOnMutatedArticleEvents(@ForAll("events") final Map<String, Object> event)
        throws Exception {
        compare(shippedSchema, event);
    }

    /** Exhaustive: every single-keyword schema against every value of the pool, at the root and nested. */
    @net.jqwik.api.Example
    void shouldAgreeWithTheReferenceValidatorOnEveryKeywordAndValueOfThePool() throws Exception {
        final List<String> keywords = List.of("{}", "false", "true",
            "{\"type\":\"string\"}", "{\"type\":\"integer\"}", "{\"type\":\"number\"}", "{\"type\":[\"null\",\"boolean\"]}",
            "{\"type\":\"object\"}", "{\"type\":\"array\"}",
            "{\"minLength\":3}", "{\"maxLength\":2}", "{\"maxLength\":4}", "{\"minLength\":21}", "{\"maxLength\":21}",
            "{\"pattern\":\"^[a-c]*$\"}", "{\"pattern\":\"b+\"}", "{\"pattern\":\"^.$\"}", "{\"pattern\":\"\\\\d\"}",
            "{\"format\":\"date-time\"}", "{\"minimum\":19.99}", "{\"maximum\":19.99}", "{\"exclusiveMinimum\":2.5}",
            "{\"exclusiveMaximum\":2.5}", "{\"minimum\":-1}", "{\"maximum\":100}", "{\"multipleOf\":0.01}",
            "{\"multipleOf\":0.5}", "{\"multipleOf\":7}", "{\"multipleOf\":0.1}", "{\"multipleOf\":3}",
            "{\"enum\":[\"a\",1,null,[1,\"a\"]]}", "{\"const\":{\"k\":1}}", "{\"const\":1}", "{\"const\":\"cc\"}",
            "{\"required\":[\"p0\"]}", "{\"properties\":{\"k\":{\"type\":\"string\"}},\"additionalProperties\":false}",
            "{\"additionalProperties\":{\"type\":\"number\"}}");
        final List<Object> values = new ArrayList<>();
        for (String v : POOL_STRINGS) {
            values.add(v);
        }
        for (String v : POOL_NUMBERS) {
            values.add(new BigDecimal(v));
        }
        values.addAll(List.of(true, false, List.of(), List.of(1, "a"), Map.of(), Map.of("k", new BigDecimal("1")),
            Map.of("k", "x"), Map.of("p0", 1, "z", new BigDecimal("2.5"))));
        values.add(null);
        int comparisons = 0;
        for (String schema : keywords) {
            for (Object value : values) {
                compare(schema, value);
                compare("{\"properties\":{\"p0\":" + schema + "}}", java.util.Collections.singletonMap("p0", value));
                comparisons += 2;
            }
        }
        assertEquals(keywords.size() * values.size() * 2, comparisons);
    }

    private static void compare(final String schemaJson, final Object instance) throws Exception {
        final String instanceJson = JSON.writeValueAsString(instance);
        if (schemaJson.contains("multipleOf") && instanceJson.contains(BEYOND_DOUBLE)) {
            return; // the reference divides integers through a double; SchemaValidatorTest checks this case exactly
        }
        final JsonSchema reference = FACTORY.getSchema(schemaJson, CONFIG);
        final JsonNode node = JSON.readTree(instanceJson);
        final Set<ValidationMessage> expected = reference.validate(node);
        final SchemaValidator ours = CompiledSchema.compile(schemaJson.getBytes(StandardCharsets.UTF_8)).newValidator();
        final Violations violations = new Violations();
        final byte[] bytes = instanceJson.getBytes(StandardCharsets.UTF_8);
        final boolean valid = ours.validate(bytes, 0, bytes.length, violations);
        assertEquals(expected.isEmpty(), valid, () -> "schema " + schemaJson + "\ninstance " + instanceJson
            + "\nreference: " + expected + "\nours: " + violations);
    }

    // ------------------------------------------------------------------------------------------ schemas

    @Provide
    Arbitrary<Map<String, Object>> schemas() {
        return Combinators.combine(leaf().list().ofSize(3), Arbitraries.of(KEYS.subList(0, 3)).set().ofMaxSize(3),
            Arbitraries.of("absent", "true", "false", "schema"), leaf()).as((props, required, additional, extra) -> {
                final Map<String, Object> root = new LinkedHashMap<>();
                root.put("type", "object");
                final Map<String, Object> properties = new LinkedHashMap<>();
                for (int i = 0; i < props.size(); i++) {
                    properties.put("p" + i, props.get(i));
                }
                root.put("properties", properties);
                root.put("required", new ArrayList<>(required));
                switch (additional) {
                    case "true": root.put("additionalProperties", true); break;
                    case "false": root.put("additionalProperties", false); break;
                    case "schema": root.put("additionalProperties", extra); break;
                    default: break;
                }
                return root;
            });
    }

    private Arbitrary<Map<String, Object>> leaf() {
        final Arbitrary<Object> types = Arbitraries.oneOf(
            Arbitraries.of("string", "number", "integer", "boolean", "null", "object", "array").map(t -> (Object) t),
            Arbitraries.of("string", "number", "integer", "null").set().ofMinSize(1).ofMaxSize(3).map(ArrayList::new));
        return Combinators.combine(
            types.injectNull(0.3),
            Arbitraries.of(0, 1, 3).injectNull(0.6),
            Arbitraries.of(2, 4, 21).injectNull(0.6),
            Arbitraries.of("^a", "b+", "^[a-c]*$", "\\d", "^CLIENTE-[A-Z]{4,}-[0-9]{6}$", "^.$").injectNull(0.7),
            Arbitraries.just("date-time").injectNull(0.7),
            numberKeywords(),
            constants().list().ofMinSize(1).ofMaxSize(3).injectNull(0.8),
            constants().injectNull(0.9)).as((type, minLength, maxLength, pattern, format, numbers, enumValues, constValue) -> {
                final Map<String, Object> m = new LinkedHashMap<>();
                putIf(m, "type", type);
                putIf(m, "minLength", minLength);
                putIf(m, "maxLength", maxLength);
                putIf(m, "pattern", pattern);
                putIf(m, "format", format);
                m.putAll(numbers);
                if (enumValues != null) {
                    m.put("enum", enumValues.stream().distinct().toList());
                }
                putIf(m, "const", constValue);
                return m;
            });
    }

    private Arbitrary<Map<String, Object>> numberKeywords() {
        final Arbitrary<BigDecimal> bound = Arbitraries.of("0", "1", "-1", "2.5", "19.99", "100").map(BigDecimal::new);
        return Combinators.combine(bound.injectNull(0.7), bound.injectNull(0.7), bound.injectNull(0.85),
            bound.injectNull(0.85), Arbitraries.of("0.01", "0.5", "2", "3", "0.1", "7").map(BigDecimal::new).injectNull(0.7))
            .as((min, max, exMin, exMax, multipleOf) -> {
                final Map<String, Object> m = new LinkedHashMap<>();
                putIf(m, "minimum", min);
                putIf(m, "maximum", max);
                putIf(m, "exclusiveMinimum", exMin);
                putIf(m, "exclusiveMaximum", exMax);
                putIf(m, "multipleOf", multipleOf);
                return m;
            });
    }

    private static void putIf(final Map<String, Object> m, final String key, final Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private Arbitrary<Object> constants() {
        return Arbitraries.oneOf(strings(), numbers(), Arbitraries.of(true, false).map(b -> (Object) b),
            Arbitraries.just(List.of(1, "a")), Arbitraries.just(Map.of("k", new BigDecimal("1"))));
    }

    // ------------------------------------------------------------------------------------------ instances

    private Arbitrary<Object> strings() {
        return Arbitraries.of(POOL_STRINGS).map(s -> (Object) s);
    }

    private static final String[] POOL_STRINGS = {"", "a", "abba", "b", "ccc", "7", "CLIENTE-ITALIA-789456", "CLIENTE-IT-789456",
            "2024-05-20T14:32:45.123Z", "2024-05-20T16:32:45+02:00", "2024-02-30T00:00:00Z", "2024-05-20",
            "\u00e9\uD83D\uDE00", "\uD83D\uDE00", "a/b~c", "x@y.z", "cc", "ccccc", "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00",
            "abcdefghijklmnopqrstuv", "abcdefghijklmnopqrstu", "1998-12-31T23:59:60Z", "2024-05-20t14:32:45z"};

    private Arbitrary<Object> numbers() {
        return Arbitraries.of(POOL_NUMBERS).map(s -> (Object) new BigDecimal(s));
    }

    private static final String[] POOL_NUMBERS = {"0", "1", "-1", "1.0", "19.99", "19.999", "0.5", "2", "3.5", "1E+2", "100", "-0.07",
            "0.1", "0.3", "2.5", "123456789012345678", "19.98", "100.01", "2.51", "-1.01", "6", "14", "0.02",
            "1.5E+1", "99.99", "0.0"};

    private Arbitrary<Object> scalars() {
        return Arbitraries.oneOf(strings(), numbers(), Arbitraries.of(true, false).map(b -> (Object) b),
            Arbitraries.just((Object) JsonNullMarker.NULL));
    }

    @Provide
    Arbitrary<Object> instances() {
        final Arbitrary<Object> inner = Arbitraries.oneOf(scalars(),
            scalars().list().ofMaxSize(3).map(l -> (Object) l));
        final Arbitrary<Object> object = Arbitraries.maps(Arbitraries.of(KEYS), Arbitraries.oneOf(inner,
                Arbitraries.maps(Arbitraries.of("k", "p0"), inner).ofMaxSize(2).map(m -> (Object) m)))
            .ofMaxSize(4).map(m -> (Object) m);
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(9, object),
            net.jqwik.api.Tuple.of(1, inner)).map(SchemaDifferentialTest::unwrapNulls);
    }

    @Provide
    Arbitrary<Map<String, Object>> events() {
        final Arbitrary<Object> mutations = Arbitraries.oneOf(strings(), numbers(), Arbitraries.just((Object) JsonNullMarker.NULL),
            Arbitraries.of("richiesta_demo", "acquisto_concluso", "sms", "social_media", "completato", "fallito",
                "CLIENTE-ROMA-000001", "CLIENTE-ABCDEFG-123456", "CLIENTE-ROMA-12345", "Roma",
                "2024-05-20T23:59:59.999-01:00").map(s -> (Object) s));
        final List<String> fields = List.of("id_cliente", "evento", "timestamp", "valore", "canale", "stato", "metadati",
            "campagna", "dispositivo", "localita", "extra");
        return Combinators.combine(Arbitraries.of(fields).list().ofMaxSize(3), mutations.list().ofSize(3),
            Arbitraries.of(fields).list().ofMaxSize(1)).as((targets, values, removed) -> {
                final Map<String, Object> metadati = new LinkedHashMap<>(Map.of("campagna", "Campagna_Email_Verano2024",
                    "dispositivo", "iPad_pro", "localita", "Roma"));
                final Map<String, Object> e = new LinkedHashMap<>();
                e.put("id_cliente", "CLIENTE-ITALIA-789456");
                e.put("evento", "richiesta_demo");
                e.put("timestamp", "2024-05-20T14:32:45.123Z");
                e.put("valore", new BigDecimal("0.0"));
                e.put("canale", "email");
                e.put("stato", "completato");
                e.put("metadati", metadati);
                for (int i = 0; i < targets.size(); i++) {
                    final String t = targets.get(i);
                    final Map<String, Object> where = List.of("campagna", "dispositivo", "localita").contains(t) ? metadati : e;
                    where.put(t, values.get(i));
                }
                for (String r : removed) {
                    e.remove(r);
                    metadati.remove(r);
                }
                @SuppressWarnings("unchecked")
                final Map<String, Object> out = (Map<String, Object>) unwrapNulls(e);
                return out;
            });
    }

    /** Jackson writes Java null as JSON null; jqwik cannot generate null list elements, hence the marker. */
    private static Object unwrapNulls(final Object o) {
        if (o == JsonNullMarker.NULL) {
            return null;
        }
        if (o instanceof Map) {
            final Map<Object, Object> m = new LinkedHashMap<>();
            ((Map<?, ?>) o).forEach((k, v) -> m.put(k, unwrapNulls(v)));
            return m;
        }
        if (o instanceof List) {
            final List<Object> l = new ArrayList<>();
            ((List<?>) o).forEach(v -> l.add(unwrapNulls(v)));
            return l;
        }
        return o;
    }

    private enum JsonNullMarker { NULL }
}
