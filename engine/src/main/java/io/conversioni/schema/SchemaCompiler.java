package io.conversioni.schema;

import io.conversioni.json.ExactDecimal;
import io.conversioni.json.JsonCursor;
import io.conversioni.json.JsonTree;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns a parsed JSON Schema document into a tree of {@link SchemaNode}s. Runs once at start-up on one
 * thread and allocates freely; the result is immutable. Every keyword is checked here so that validation
 * never meets a surprise: unsupported assertion keywords fail with their location, unknown keywords are
 * warnings, annotations are ignored.
 */
final class SchemaCompiler {
    static final Set<String> ANNOTATIONS = Set.of(
        "$schema", "$id", "$comment", "title", "description", "default", "examples",
        "deprecated", "readOnly", "writeOnly", "contentEncoding", "contentMediaType", "contentSchema");

    static final Set<String> UNSUPPORTED = Set.of(
        "$ref", "$defs", "definitions", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef",
        "$recursiveAnchor", "$vocabulary", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
        "dependentSchemas", "dependentRequired", "dependencies", "items", "prefixItems", "additionalItems",
        "contains", "minContains", "maxContains", "minItems", "maxItems", "uniqueItems",
        "patternProperties", "propertyNames", "minProperties", "maxProperties",
        "unevaluatedItems", "unevaluatedProperties");

    private static final String DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";

    private final List<String> warnings = new ArrayList<>();
    private final Map<String, Integer> bindings;
    private int patternCount;
    private int seenCount;

    SchemaCompiler(final Map<String, Integer> bindings) {
        this.bindings = bindings;
    }

    List<String> warnings() {
        return warnings;
    }

    int patternCount() {
        return patternCount;
    }

    int seenCount() {
        return seenCount;
    }

    SchemaNode compileRoot(final Object document) throws SchemaException {
        if (document instanceof Map) {
            final Object declared = ((Map<?, ?>) document).get("$schema");
            if (declared != null && !DRAFT_2020_12.equals(stripHash(String.valueOf(declared)))) {
                warnings.add("/$schema: \"" + declared + "\" is read with draft 2020-12 rules");
            }
        }
        return compile(document, "", "");
    }

    /**
     * The ECMA-262 pattern as {@code java.util.regex} matches it: the escapes it reads differently rewritten
     * ({@link EcmaEscapes}) and {@code $} meaning end of input. A syntax error's index is given only where it
     * is an index into the pattern as written.
     */
    private static Pattern compilePattern(final String ecma, final String here) throws SchemaException {
        try {
            final String java = EcmaEscapes.toJava(ecma);
            try {
                Pattern.compile(java);
            } catch (PatternSyntaxException bad) {
                throw new SchemaException(at(here) + "invalid regular expression: " + bad.getDescription()
                    + (java.equals(ecma) ? " near index " + bad.getIndex() : ""));
            }
            return Pattern.compile(EcmaEscapes.toJava(SequencePattern.ecmaEnd(ecma)));
        } catch (IllegalArgumentException bad) {
            throw new SchemaException(at(here) + "invalid regular expression: " + bad.getMessage());
        }
    }

    private static String stripHash(final String uri) {
        return uri.endsWith("#") ? uri.substring(0, uri.length() - 1) : uri;
    }

    /**
     * @param schema   the subschema (a Map or a Boolean)
     * @param location its JSON Pointer in the schema document
     * @param instance the JSON Pointer of the data it applies to, when that is a fixed location ("" is the
     *                 root); null below additionalProperties, where it varies
     */
    private SchemaNode compile(final Object schema, final String location, final String instance)
        throws SchemaException {
        final SchemaNode node = new SchemaNode(location.isEmpty() ? "/" : location);
        if (instance != null && bindings.containsKey(instance)) {
            node.bindingSlot = bindings.get(instance);
        }
        if (schema instanceof Boolean) {
            if (!((Boolean) schema)) {
                node.falseCode = "false";
            }
            return node;
        }
        if (!(schema instanceof Map)) {
            throw new SchemaException(at(location) + "a schema must be an object or a boolean, found "
                + ConstSet.render(schema));
        }
        @SuppressWarnings("unchecked")
        final Map<String, Object> map = (Map<String, Object>) schema;
        for (Map.Entry<String, Object> e : map.entrySet()) {
            final String keyword = e.getKey();
            final Object value = e.getValue();
            final String here = location + "/" + escape(keyword);
            switch (keyword) {
                case "type":
                    compileType(node, value, here);
                    break;
                case "enum":
                    if (!(value instanceof List)) {
                        throw new SchemaException(at(here) + "enum must be an array");
                    }
                    @SuppressWarnings("unchecked")
                    final List<Object> values = (List<Object>) value;
                    if (values.isEmpty()) {
                        // valid draft 2020-12: a schema nothing satisfies, refused per value at validation
                        warnings.add(here + ": enum is empty, so no value is valid here");
                    }
                    node.enumSet = new ConstSet(values, here);
                    break;
                case "const":
                    node.constSet = new ConstSet(List.of(value), here);
                    break;
                case "minLength":
                    node.minLength = nonNegativeInt(value, here);
                    break;
                case "maxLength":
                    node.maxLength = nonNegativeInt(value, here);
                    break;
                case "pattern":
                    if (!(value instanceof String)) {
                        throw new SchemaException(at(here) + "pattern must be a string");
                    }
                    node.patternText = (String) value;
                    final Pattern compiled = compilePattern((String) value, here);
                    node.sequence = SequencePattern.compile((String) value);
                    if (node.sequence == null) {
                        node.pattern = compiled;
                        node.patternId = patternCount++;
                    }
                    break;
                case "format":
                    if (!(value instanceof String)) {
                        throw new SchemaException(at(here) + "format must be a string");
                    }
                    node.dateTime = "date-time".equals(value);
                    break;
                case "minimum":
                    node.minimum = decimal(value, here);
                    node.minimumText = plain(node.minimum);
                    break;
                case "maximum":
                    node.maximum = decimal(value, here);
                    node.maximumText = plain(node.maximum);
                    break;
                case "exclusiveMinimum":
                    node.exclusiveMinimum = decimal(value, here);
                    node.exclusiveMinimumText = plain(node.exclusiveMinimum);
                    break;
                case "exclusiveMaximum":
                    node.exclusiveMaximum = decimal(value, here);
                    node.exclusiveMaximumText = plain(node.exclusiveMaximum);
                    break;
                case "multipleOf":
                    node.multipleOf = decimal(value, here);
                    if (node.multipleOf[0] <= 0) {
                        throw new SchemaException(at(here) + "multipleOf must be greater than 0");
                    }
                    node.multipleOfText = plain(node.multipleOf);
                    break;
                case "properties":
                case "required":
                case "additionalProperties":
                    break; // compiled together below
                default:
                    if (UNSUPPORTED.contains(keyword)) {
                        throw new SchemaException(at(here) + "keyword \"" + keyword
                            + "\" is not supported by conversioni's compiled validator; supported: type, enum, "
                            + "const, required, properties, additionalProperties, pattern, minLength, maxLength, "
                            + "minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, format");
                    }
                    if (!ANNOTATIONS.contains(keyword)) {
                        warnings.add(here + ": unknown keyword \"" + keyword + "\" is ignored");
                    }
            }
        }
        compileObject(node, map, location, instance);
        return node;
    }

    private void compileObject(final SchemaNode node, final Map<String, Object> map, final String location,
                               final String instance) throws SchemaException {
        final Map<String, SchemaNode> properties = new LinkedHashMap<>();
        final Object props = map.get("properties");
        if (props != null) {
            if (!(props instanceof Map)) {
                throw new SchemaException(at(location + "/properties") + "properties must be an object");
            }
            for (Map.Entry<?, ?> p : ((Map<?, ?>) props).entrySet()) {
                final String name = (String) p.getKey();
                final String childInstance = instance == null ? null : instance + "/" + escape(name);
                properties.put(name, compile(p.getValue(), location + "/properties/" + escape(name), childInstance));
            }
        }
        final List<String> required = new ArrayList<>();
        final Object req = map.get("required");
        if (req != null) {
            if (!(req instanceof List)) {
                throw new SchemaException(at(location + "/required") + "required must be an array of strings");
            }
            for (Object r : (List<?>) req) {
                if (!(r instanceof String)) {
                    throw new SchemaException(at(location + "/required") + "required must contain only strings, found "
                        + ConstSet.render(r));
                }
                if (required.contains(r)) {
                    throw new SchemaException(at(location + "/required") + "\"" + r + "\" is listed twice");
                }
                required.add((String) r);
                properties.putIfAbsent((String) r, null);
            }
        }
        final Object additional = map.get("additionalProperties");
        if (additional != null) {
            node.additional = compile(additional, location + "/additionalProperties", null);
            if (node.additional.falseCode != null) {
                node.additional.falseCode = "additionalProperties";
            }
        }
        final int n = properties.size();
        node.propertyNames = properties.keySet().toArray(new String[0]);
        node.propertyNodes = properties.values().toArray(new SchemaNode[0]);
        node.propertyBytes = new byte[n][];
        node.quotedPropertyBytes = new byte[n][];
        node.propertyHashes = new int[n];
        int tableSize = 1;
        while (tableSize < n * 2) {
            tableSize <<= 1;
        }
        node.propertyTable = n == 0 ? new int[0] : new int[tableSize];
        for (int i = 0; i < n; i++) {
            final byte[] bytes = node.propertyNames[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
            final int h = JsonCursor.keyHash(bytes, 0, bytes.length);
            node.propertyBytes[i] = bytes;
            node.quotedPropertyBytes[i] = quoted(bytes);
            node.propertyHashes[i] = h;
            int slot = h & (tableSize - 1);
            while (node.propertyTable[slot] != 0) {
                slot = (slot + 1) & (tableSize - 1);
            }
            node.propertyTable[slot] = i + 1;
        }
        node.required = new int[required.size()];
        for (int i = 0; i < required.size(); i++) {
            node.required[i] = List.of(node.propertyNames).indexOf(required.get(i));
        }
        node.seenBase = seenCount;
        seenCount += n;
    }

    /** {@code "name"} when every byte of the name stands for itself in JSON (printable ASCII, no quote or backslash). */
    private static byte[] quoted(final byte[] name) {
        for (final byte b : name) {
            if (b < 0x20 || b == '"' || b == '\\' || b == 0x7F) {
                return null; // negative bytes (UTF-8 above ASCII) too: the general path compares them
            }
        }
        final byte[] quoted = new byte[name.length + 2];
        quoted[0] = '"';
        System.arraycopy(name, 0, quoted, 1, name.length);
        quoted[quoted.length - 1] = '"';
        return quoted;
    }

    private static void compileType(final SchemaNode node, final Object value, final String here)
        throws SchemaException {
        final List<Object> names = value instanceof List ? new ArrayList<>((List<?>) value) : List.of(value);
        if (names.isEmpty()) {
            throw new SchemaException(at(here) + "type must name at least one type");
        }
        int mask = 0;
        for (Object t : names) {
            final int bit;
            switch (String.valueOf(t)) {
                case "null": bit = SchemaNode.T_NULL; break;
                case "boolean": bit = SchemaNode.T_BOOLEAN; break;
                case "object": bit = SchemaNode.T_OBJECT; break;
                case "array": bit = SchemaNode.T_ARRAY; break;
                case "number": bit = SchemaNode.T_NUMBER; break;
                case "integer": bit = SchemaNode.T_INTEGER; break;
                case "string": bit = SchemaNode.T_STRING; break;
                default:
                    throw new SchemaException(at(here) + "unknown type " + ConstSet.render(t)
                        + " (use null, boolean, object, array, number, integer or string)");
            }
            if (!(t instanceof String) || (mask & bit) != 0) {
                throw new SchemaException(at(here) + "type names must be distinct strings");
            }
            mask |= bit;
        }
        node.typeMask = mask;
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) {
                text.append(i == names.size() - 1 ? " or " : ", ");
            }
            text.append(names.get(i));
        }
        node.typeText = text.toString();
    }

    private static int nonNegativeInt(final Object value, final String here) throws SchemaException {
        if (value instanceof BigDecimal) {
            final BigDecimal d = (BigDecimal) value;
            if (d.signum() >= 0 && d.stripTrailingZeros().scale() <= 0 && d.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0) {
                return d.intValue();
            }
        }
        throw new SchemaException(at(here) + "must be a non-negative integer, found " + ConstSet.render(value));
    }

    private static long[] decimal(final Object value, final String here) throws SchemaException {
        if (!(value instanceof BigDecimal)) {
            throw new SchemaException(at(here) + "must be a number, found " + ConstSet.render(value));
        }
        final long[] d = ExactDecimal.of((BigDecimal) value);
        if (d == null) {
            throw new SchemaException(at(here) + "number needs more than 18 significant digits");
        }
        return d;
    }

    private static String plain(final long[] d) {
        return ExactDecimal.toPlainString(d[0], (int) d[1]);
    }

    static String escape(final String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    private static String at(final String location) {
        return "schema " + (location.isEmpty() ? "/" : location) + ": ";
    }

    static Object parse(final byte[] document) throws SchemaException {
        try {
            return JsonTree.parse(document);
        } catch (JsonTree.JsonTreeException e) {
            throw new SchemaException("the schema is not valid JSON: " + e.getMessage());
        }
    }
}
