package io.conversioni.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a whole JSON text into plain Java values: {@link Map} (insertion-ordered, duplicate keys rejected),
 * {@link List}, {@link String}, {@link BigDecimal} (exact), {@link Boolean} and {@link #NULL}. For start-up
 * files (schemas, configuration), not for the hot path: it allocates freely.
 */
public final class JsonTree {
    /** The JSON {@code null}. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private static final int MAX_DEPTH = 128;

    private JsonTree() {
    }

    /** Parses {@code text}; throws {@link JsonTreeException} with the byte offset on malformed input. */
    public static Object parse(final byte[] text) {
        final JsonCursor cursor = new JsonCursor();
        cursor.reset(text, 0, text.length);
        try {
            final Object value = read(cursor, 0);
            cursor.expectEnd();
            return value;
        } catch (JsonSyntaxException e) {
            throw new JsonTreeException(cursor.errorMessage() + " at byte " + cursor.errorOffset());
        }
    }

    public static Object parse(final String text) {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Object read(final JsonCursor c, final int depth) {
        if (depth > MAX_DEPTH) {
            throw c.fail("nesting deeper than " + MAX_DEPTH);
        }
        final int b = c.peek();
        switch (b) {
            case '{': {
                c.advance();
                final Map<String, Object> map = new LinkedHashMap<>();
                if (c.peek() == '}') {
                    c.advance();
                    return map;
                }
                while (true) {
                    if (c.peek() != '"') {
                        throw c.fail("expected a property name in double quotes");
                    }
                    final int keyAt = c.position();
                    c.readString();
                    final String key = c.stringValue();
                    c.expect(':', "expected ':' after a property name");
                    if (map.containsKey(key)) {
                        c.position(keyAt);
                        throw c.fail("duplicate property name \"" + key + "\"");
                    }
                    map.put(key, read(c, depth + 1));
                    final int next = c.peek();
                    c.advance();
                    if (next == '}') {
                        return map;
                    }
                    if (next != ',') {
                        c.position(c.position() - 1);
                        throw c.fail("expected ',' or '}' in an object");
                    }
                }
            }
            case '[': {
                c.advance();
                final List<Object> list = new ArrayList<>();
                if (c.peek() == ']') {
                    c.advance();
                    return list;
                }
                while (true) {
                    list.add(read(c, depth + 1));
                    final int next = c.peek();
                    c.advance();
                    if (next == ']') {
                        return list;
                    }
                    if (next != ',') {
                        c.position(c.position() - 1);
                        throw c.fail("expected ',' or ']' in an array");
                    }
                }
            }
            case '"':
                c.readString();
                return c.stringValue();
            case 't':
            case 'f':
            case 'n': {
                final int letter = c.readLiteral();
                return letter == 't' ? Boolean.TRUE : letter == 'f' ? Boolean.FALSE : NULL;
            }
            default:
                if (b == '-' || (b >= '0' && b <= '9')) {
                    c.readNumber();
                    if (!c.numberInRange()) {
                        throw c.fail("number out of range (more than 18 significant digits or exponent beyond 350)");
                    }
                    return new BigDecimal(BigInteger.valueOf(c.unscaled()), -c.exponent());
                }
                throw c.fail(b < 0 ? "expected a JSON value" : "unexpected character, expected a JSON value");
        }
    }

    /** Malformed JSON in a start-up file; the message names the problem and the byte offset. */
    public static final class JsonTreeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public JsonTreeException(final String message) {
            super(message);
        }
    }
}
