package io.conversioni.schema;

import io.conversioni.json.ExactDecimal;
import io.conversioni.json.JsonBuilder;
import io.conversioni.json.JsonTree;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The values an {@code enum} (or a one-element {@code const}) allows, split by kind so that the common
 * case (a string or number) is compared without re-reading the input. Immutable after compilation.
 */
final class ConstSet {
    /** String constants as UTF-8 bytes. */
    final byte[][] strings;
    final int[] stringIndex;
    final long[] numberUnscaled;
    final int[] numberExponent;
    final boolean allowsTrue;
    final boolean allowsFalse;
    final boolean allowsNull;
    /** Objects and arrays, compared deeply by {@link ConstantMatcher}. */
    final Object[] structured;
    /** The allowed values as JSON text, for messages. */
    final String text;

    ConstSet(final List<Object> values, final String location) throws SchemaException {
        final List<byte[]> str = new ArrayList<>();
        final List<Integer> strIdx = new ArrayList<>();
        final List<long[]> nums = new ArrayList<>();
        final List<Object> struct = new ArrayList<>();
        boolean t = false;
        boolean f = false;
        boolean n = false;
        for (int i = 0; i < values.size(); i++) {
            final Object v = values.get(i);
            if (v instanceof String) {
                str.add(((String) v).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                strIdx.add(i);
            } else if (v instanceof BigDecimal) {
                final long[] d = ExactDecimal.of((BigDecimal) v);
                if (d == null) {
                    throw new SchemaException(location + ": number " + v + " needs more than 18 significant digits");
                }
                nums.add(d);
            } else if (v == Boolean.TRUE) {
                t = true;
            } else if (v == Boolean.FALSE) {
                f = true;
            } else if (v == JsonTree.NULL) {
                n = true;
            } else {
                struct.add(v);
            }
        }
        strings = str.toArray(new byte[0][]);
        stringIndex = strIdx.stream().mapToInt(Integer::intValue).toArray();
        numberUnscaled = nums.stream().mapToLong(d -> d[0]).toArray();
        numberExponent = nums.stream().mapToInt(d -> (int) d[1]).toArray();
        allowsTrue = t;
        allowsFalse = f;
        allowsNull = n;
        structured = struct.toArray();
        text = render(values);
    }

    /** True for {@code "enum": []}, which no value satisfies. */
    boolean isEmpty() {
        return strings.length == 0 && numberUnscaled.length == 0 && structured.length == 0 && !allowsTrue
            && !allowsFalse && !allowsNull;
    }

    /** Index in the original enum of the UTF-8 string {@code bytes[offset, offset + length)}, or -1. */
    int indexOfString(final byte[] bytes, final int offset, final int length) {
        for (int i = 0; i < strings.length; i++) {
            final byte[] s = strings[i];
            if (s.length == length && io.conversioni.json.JsonCursor.sameBytes(s, 0, bytes, offset, length)) {
                return stringIndex[i];
            }
        }
        return -1;
    }

    boolean containsNumber(final long unscaled, final int exponent) {
        for (int i = 0; i < numberUnscaled.length; i++) {
            if (numberUnscaled[i] == unscaled && numberExponent[i] == exponent) {
                return true;
            }
        }
        return false;
    }

    static String render(final Object value) {
        final JsonBuilder out = new JsonBuilder(64);
        render(value, out);
        return out.toString();
    }

    private static void render(final Object value, final JsonBuilder out) {
        if (value instanceof String) {
            out.value((String) value);
        } else if (value instanceof BigDecimal) {
            out.raw(((BigDecimal) value).toPlainString());
        } else if (value instanceof Map) {
            out.beginObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                out.name(String.valueOf(e.getKey()));
                render(e.getValue(), out);
            }
            out.endObject();
        } else if (value instanceof List) {
            out.beginArray();
            for (Object o : (List<?>) value) {
                render(o, out);
            }
            out.endArray();
        } else {
            out.raw(String.valueOf(value));
        }
    }
}
