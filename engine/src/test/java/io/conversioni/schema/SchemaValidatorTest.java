package io.conversioni.schema;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaValidatorTest {
    private final Violations violations = new Violations();

    private static SchemaValidator validator(final String schema) {
        try {
            return CompiledSchema.compile(schema.replace('\'', '"').getBytes(StandardCharsets.UTF_8)).newValidator();
        } catch (SchemaException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** "campo codice" for each violation, in order. */
    private List<String> check(final SchemaValidator v, final String json) {
        final byte[] bytes = json.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
        final boolean valid = v.validate(bytes, 0, bytes.length, violations);
        assertEquals(valid, violations.isEmpty());
        final List<String> out = new ArrayList<>();
        for (int i = 0; i < violations.size(); i++) {
            out.add(violations.campo(i) + " " + violations.codice(i));
        }
        return out;
    }

    @Test
    void shouldTreatOnePointZeroAsAnInteger() {
        final SchemaValidator v = validator("{'type':'integer'}");
        assertEquals(List.of(), check(v, "1.0"));
        assertEquals(List.of(), check(v, "1e2"));
        assertEquals(List.of(" type"), check(v, "1.5"));
        assertEquals(List.of(" type"), check(v, "'1'"));
    }

    @Test
    void shouldAcceptAnyOfSeveralTypes() {
        final SchemaValidator v = validator("{'type':['string','null']}");
        assertEquals(List.of(), check(v, "null"));
        assertEquals(List.of(), check(v, "'x'"));
        assertEquals(List.of(" type"), check(v, "true"));
        assertEquals("expected string or null, got boolean", violations.messaggio(0).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "19.99|true", "19.999|false", "0|true", "1e-2|true", "1e-3|false", "1000000|true", "0.1|true", "-0.07|true"})
    void shouldCheckMultipleOfExactlyInDecimal(final String number, final boolean valid) {
        final SchemaValidator v = validator("{'multipleOf':0.01}");
        assertEquals(valid, check(v, number).isEmpty(), number);
    }

    @Test
    void shouldCheckMultipleOfOnIntegersBeyondDoublePrecision() {
        final SchemaValidator v = validator("{'multipleOf':3}");
        assertEquals(List.of(), check(v, "123456789012345678"));
        assertEquals(List.of(" multipleOf"), check(v, "123456789012345677"));
    }

    @Test
    void shouldCheckBoundsExactly() {
        final SchemaValidator v = validator("{'minimum':0,'maximum':10.5,'exclusiveMinimum':-1,'exclusiveMaximum':10.51}");
        assertEquals(List.of(), check(v, "10.5"));
        assertEquals(List.of(), check(v, "0"));
        assertEquals(List.of(" maximum"), check(v, "10.500000001"));
        assertEquals(List.of(" minimum"), check(v, "-0.5"));
        assertEquals(List.of(" minimum", " exclusiveMinimum"), check(v, "-1"));
        assertEquals("must be greater than or equal to 0", violations.messaggio(0).toString());
    }

    @Test
    void shouldCountLengthsInCodePoints() {
        final SchemaValidator v = validator("{'minLength':2,'maxLength':3}");
        assertEquals(List.of(), check(v, "'\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00'"));
        assertEquals(List.of(" maxLength"), check(v, "'abcd'"));
        assertEquals(List.of(" minLength"), check(v, "'\uD83D\uDE00'"));
    }

    @Test
    void shouldMatchPatternsUnanchoredOnCodePoints() {
        final SchemaValidator v = validator("{'pattern':'b+'}");
        assertEquals(List.of(), check(v, "'abba'"));
        assertEquals(List.of(" pattern"), check(v, "'aaa'"));
        final SchemaValidator dot = validator("{'pattern':'^.$'}");
        assertEquals(List.of(), check(dot, "'\uD83D\uDE00'"));
    }

    @Test
    void shouldCompareEnumAndConstDeeply() {
        final SchemaValidator v = validator("{'enum':[1, 'a', {'x':[1,{'y':null}],'z':true}, null]}");
        assertEquals(List.of(), check(v, "1.0"));
        assertEquals(List.of(), check(v, "'a'"));
        assertEquals(List.of(), check(v, "null"));
        assertEquals(List.of(), check(v, "{'z':true,'x':[1.00,{'y':null}]}"));
        assertEquals(List.of(" enum"), check(v, "{'z':true,'x':[1,{'y':null}],'w':1}"));
        assertEquals(List.of(" enum"), check(v, "{'z':true,'x':[{'y':null},1]}"));
        assertEquals(List.of(" enum"), check(v, "'b'"));
        assertEquals(List.of(" enum"), check(v, "false"));
        final SchemaValidator c = validator("{'const':[]}");
        assertEquals(List.of(), check(c, "[ ]"));
        assertEquals(List.of(" const"), check(c, "{}"));
    }

    @Test
    void shouldCompileAnEmptyEnumThatNoValueSatisfies() throws SchemaException {
        final CompiledSchema s = CompiledSchema.compile(
            "{\"properties\":{\"a\":{\"enum\":[]}}}".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("/properties/a/enum: enum is empty, so no value is valid here"), s.warnings());
        final SchemaValidator v = s.newValidator();
        for (String value : List.of("'foo'", "42", "1.5", "null", "true", "false", "{}", "[]", "[0]", "{'x':1}")) {
            assertEquals(List.of("/a enum"), check(v, "{'a':" + value + "}"), value);
            assertEquals("no value is allowed: the schema's enum is empty", violations.messaggio(0).toString());
        }
        assertEquals(List.of(), check(v, "{'b':1}"), "an absent property is not checked");
    }

    @Test
    void shouldReportEveryViolationWithItsJsonPointer() {
        final SchemaValidator v = validator("{'type':'object','required':['a','b~/c'],'additionalProperties':false,"
            + "'properties':{'a':{'type':'object','properties':{'n':{'type':'number'}},'additionalProperties':{'type':'string'}},"
            + "'b~/c':{}, 'list':{'type':'array'}}}");
        assertEquals(List.of("/a/n type", "/a/other type", "/zzz additionalProperties", "/b~0~1c required"),
            check(v, "{'a':{'n':'x','other':5,'ok':'s'},'zzz':1,'list':[{'deep':[1,2]}]}"));
    }

    @Test
    void shouldRejectDuplicateKeysAtAnyDepth() {
        final SchemaValidator v = validator("{}");
        assertEquals(List.of("/a duplicate_key"), check(v, "{'a':1,'a':2}"));
        assertEquals(List.of("/x/1/k duplicate_key"), check(v, "{'x':[{'k':1},{'k':1,'k':1}]}"));
        assertEquals(List.of(), check(v, "{'x':{'k':1},'y':{'k':1}}"));
    }

    @Test
    void shouldReportMalformedJsonAsOneJsonViolation() {
        final SchemaValidator v = validator("{'required':['a']}");
        assertEquals(List.of("/a json"), check(v, "{'a':tru}"));
        assertTrue(violations.messaggio(0).toString().startsWith("malformed JSON at byte 5"), violations.messaggio(0).toString());
        assertEquals(List.of(" json"), check(v, ""));
        assertEquals(List.of(" json"), check(v, "{} {}"));
        assertEquals(List.of("/a json"), check(v, "{'a':1,}"));
        assertEquals(List.of("/a/0 json"), check(v, "{'a':[1 2]}"));
    }

    @Test
    void shouldStopAbsurdNesting() {
        final SchemaValidator v = validator("{}");
        final String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertEquals(" max_depth", check(v, deep).get(0).replaceAll("(/0)+", ""));
        assertEquals(List.of(), check(v, "[".repeat(32) + "]".repeat(32)));
    }

    @Test
    void shouldFlagNumbersOutOfRange() {
        final SchemaValidator v = validator("{}");
        assertEquals(List.of("/n number_range"), check(v, "{'n':12345678901234567890}"));
    }

    @Test
    void shouldAssertDateTimeFormatButOnlyAnnotateOthers() {
        final SchemaValidator v = validator("{'properties':{'t':{'format':'date-time'},'e':{'format':'email'}}}");
        assertEquals(List.of("/t format"), check(v, "{'t':'yesterday','e':'not an email'}"));
        assertEquals(List.of(), check(v, "{'t':'2024-05-20T14:32:45Z'}"));
    }

    @Test
    void shouldRejectEverythingUnderAFalseSchema() {
        final SchemaValidator v = validator("{'properties':{'secret':false}}");
        assertEquals(List.of("/secret false"), check(v, "{'secret':{'a':1}}"));
    }

    @Test
    void shouldListAtMostCapacityViolationsAndCountTheRest() {
        final SchemaValidator v = validator("{'additionalProperties':false}");
        final StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < 40; i++) {
            json.append(i == 0 ? "" : ",").append("'k").append(i).append("':1");
        }
        check(v, json.append('}').toString());
        assertEquals(Violations.CAPACITY, violations.size());
        assertEquals(40, violations.total());
    }

    @Test
    void shouldFailToCompileUnsupportedKeywordsNamingWhere() {
        final SchemaException e = assertThrows(SchemaException.class, () ->
            CompiledSchema.compile("{\"properties\":{\"a\":{\"items\":{}}}}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("/properties/a/items") && e.getMessage().contains("\"items\" is not supported"),
            e.getMessage());
    }

    @Test
    void shouldFailToCompileBadKeywordValues() {
        for (String bad : List.of("{\"minLength\":-1}", "{\"type\":\"str\"}", "{\"pattern\":\"(\"}", "{\"multipleOf\":0}",
            "{\"required\":[\"a\",\"a\"]}", "{\"enum\":{}}", "[1]", "{\"a\":1,\"a\":2}", "{")) {
            assertThrows(SchemaException.class, () -> CompiledSchema.compile(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
    }

    @Test
    void shouldWarnAboutUnknownKeywordsAndIgnoreAnnotations() throws SchemaException {
        final CompiledSchema s = CompiledSchema.compile(("{\"title\":\"t\",\"description\":\"d\",\"$comment\":\"c\","
            + "\"properties\":{\"valore\":{\"type\":\"number\",\"precision\":2}}}").getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("/properties/valore/precision: unknown keyword \"precision\" is ignored"), s.warnings());
    }

    @Test
    void shouldNotAllocateWhenValidatingARepeatedDocument() {
        final SchemaValidator v = validator("{'type':'object','properties':{'a':{'type':'string','pattern':'^x+$','maxLength':9},"
            + "'n':{'type':'number','multipleOf':0.01,'minimum':0}},'required':['a','n'],'additionalProperties':false}");
        final byte[] doc = "{\"a\":\"xxx\",\"n\":19.99}".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 20_000; i++) {
            v.validate(doc, 0, doc.length, violations);
        }
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        final long before = threads.getCurrentThreadAllocatedBytes();
        boolean all = true;
        for (int i = 0; i < 10_000; i++) {
            all &= v.validate(doc, 0, doc.length, violations);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(all);
        // any per-call allocation is at least 16 bytes a call, 160,000 in all; JIT and JMX noise stays far below
        assertFalse(allocated >= 10_000, "allocated " + allocated + " bytes over 10,000 validations");
    }

    /**
     * Keys are first tried in the schema's order by their bytes; every other order, an escaped name, a
     * name that only starts like the expected one and a repeat of the expected one must be judged exactly
     * as before.
     */
    @Test
    void judgesPropertiesAloneOfTheOrderAndSpellingTheSenderUses() {
        final SchemaValidator v = validator("{'type':'object','properties':{'a':{'type':'string'},"
            + "'b':{'type':'integer'},'c':{'type':'string'}},'required':['a','b','c'],'additionalProperties':false}");
        assertEquals(List.of(), check(v, "{'a':'x','b':1,'c':'y'}"));
        assertEquals(List.of(), check(v, "{'c':'y','b':1,'a':'x'}"));
        assertEquals(List.of(), check(v, "{'\\u0061':'x','b':1,'c':'y'}"), "an escaped name is the same name");
        assertEquals(List.of("/b type"), check(v, "{'a':'x','b':'1','c':'y'}"));
        assertEquals(List.of("/c type"), check(v, "{'b':1,'a':'x','c':2}"));
        assertEquals(List.of("/ab additionalProperties", "/a required"), check(v, "{'ab':1,'b':1,'c':'y'}"),
            "a name that starts like the expected one is another name");
        assertEquals(List.of("/b duplicate_key"), check(v, "{'b':1,'a':'x','b':2,'c':'y'}"),
            "a repeat of the key that was expected next");
        assertEquals(List.of("/a duplicate_key"), check(v, "{'a':'x','a':'z','b':1,'c':'y'}"));
        assertEquals(List.of("/b json"), check(v, "{'a':'x','b':1,'c"), "a name cut short at the end of the input");
    }
}
