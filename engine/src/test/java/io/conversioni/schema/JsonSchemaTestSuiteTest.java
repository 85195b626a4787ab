package io.conversioni.schema;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the official JSON-Schema-Test-Suite (draft 2020-12) files of the keywords the compiled validator
 * supports: the copy under {@code src/test/resources/json-schema-test-suite}, or a checkout of the suite that
 * {@code JSON_SCHEMA_TEST_SUITE} (or {@code -Dconversioni.jsonSchemaTestSuite}) points at.
 *
 * <p>A group whose schema uses a keyword we do not support ({@code $ref}, {@code items} ...) must be refused
 * at compile time naming that keyword, and is counted as skipped; every other group must compile and give
 * each case the suite's verdict.
 */
class JsonSchemaTestSuiteTest {
    private static final ObjectMapper JSON = new ObjectMapper()
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final List<String> FILES = List.of("additionalProperties", "boolean_schema", "const", "enum",
        "exclusiveMaximum", "exclusiveMinimum", "format", "maxLength", "maximum", "minLength", "minimum", "multipleOf",
        "pattern", "properties", "required", "type", "optional/ecmascript-regex", "optional/non-bmp-regex");
    /**
     * Cases we answer differently on purpose: {@code format: date-time} is asserted (the engine reads the event
     * time from it), where the suite's default treats formats as annotations.
     */
    private static final List<String> DELIBERATE = List.of(
        "format.json \"date-time format\" / \"invalid date-time string is only an annotation by default\"");

    private static Path suite() throws Exception {
        String dir = System.getProperty("conversioni.jsonSchemaTestSuite");
        if (dir == null) {
            dir = System.getenv("JSON_SCHEMA_TEST_SUITE");
        }
        if (dir != null) {
            return Path.of(dir, "tests", "draft2020-12");
        }
        return Path.of(JsonSchemaTestSuiteTest.class.getResource("/json-schema-test-suite/draft2020-12/enum.json")
            .toURI()).getParent();
    }

    @Test
    void shouldPassTheOfficialSuiteForEverySupportedKeyword() throws Exception {
        final Path tests = suite();
        assertTrue(Files.isDirectory(tests), tests + " is not a JSON-Schema-Test-Suite draft2020-12 folder");
        final List<String> failures = new ArrayList<>();
        int passed = 0;
        int skippedGroups = 0;
        for (String name : FILES) {
            for (JsonNode group : JSON.readTree(tests.resolve(name + ".json").toFile())) {
                final String where = name + ".json \"" + group.get("description").asText() + "\"";
                final CompiledSchema schema;
                try {
                    schema = CompiledSchema.compile(JSON.writeValueAsBytes(group.get("schema")));
                } catch (SchemaException e) {
                    if (e.getMessage().contains("is not supported")) {
                        skippedGroups++;
                    } else {
                        failures.add(where + ": does not compile: " + e.getMessage());
                    }
                    continue;
                }
                final SchemaValidator validator = schema.newValidator();
                final Violations violations = new Violations();
                for (JsonNode test : group.get("tests")) {
                    final byte[] data = JSON.writeValueAsBytes(test.get("data"));
                    final boolean expected = test.get("valid").asBoolean();
                    final String label = where + " / \"" + test.get("description").asText() + "\"";
                    if (validator.validate(data, 0, data.length, violations) == expected || DELIBERATE.contains(label)) {
                        passed++;
                    } else {
                        failures.add(label + ": expected "
                            + (expected ? "valid" : "invalid") + " for " + new String(data, StandardCharsets.UTF_8));
                    }
                }
            }
        }
        assertEquals(List.of(), failures, failures.size() + " failures");
        assertTrue(passed > 300, "cases passed: " + passed + ", groups skipped for unsupported keywords: " + skippedGroups);
    }
}
