package io.conversioni.schema;

import io.conversioni.json.JsonCursor;
import io.conversioni.json.JsonTree;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Deep equality of an already-validated JSON object or array (a byte range) with a schema constant, for
 * {@code enum} and {@code const} on structured values: key order does not matter, numbers compare by
 * value (1.0 equals 1). Single-threaded. Allocates only when such a constant is compared (a rare,
 * structured {@code enum}); strings and numbers never come here.
 */
final class ConstantMatcher {
    private final JsonCursor cursor = new JsonCursor();

    boolean matches(final byte[] buf, final int from, final int to, final Object constant) {
        cursor.reset(buf, from, to - from);
        return value(constant);
    }

    private boolean value(final Object constant) {
        final int b = cursor.peek();
        switch (b) {
            case '{':
                return object(constant);
            case '[':
                return array(constant);
            case '"': {
                cursor.readString();
                return constant instanceof String && cursor.stringValue().equals(constant);
            }
            case 't':
            case 'f':
            case 'n': {
                final int letter = cursor.readLiteral();
                if (letter == 't') {
                    return constant == Boolean.TRUE;
                }
                return letter == 'f' ? constant == Boolean.FALSE : constant == JsonTree.NULL;
            }
            default: {
                cursor.readNumber();
                if (!(constant instanceof BigDecimal)) {
                    return false;
                }
                final BigDecimal actual = new BigDecimal(BigInteger.valueOf(cursor.unscaled()), -cursor.exponent());
                return cursor.numberInRange() && actual.compareTo((BigDecimal) constant) == 0;
            }
        }
    }

    private boolean object(final Object constant) {
        cursor.advance();
        final Map<?, ?> expected = constant instanceof Map ? (Map<?, ?>) constant : null;
        int count = 0;
        boolean equal = expected != null;
        if (cursor.peek() == '}') {
            cursor.advance();
            return equal && expected.isEmpty();
        }
        while (true) {
            cursor.peek();
            cursor.readString();
            final String key = cursor.stringValue();
            cursor.expect(':', "expected ':'");
            count++;
            if (!equal || !expected.containsKey(key) || !value(expected.get(key))) {
                return false;
            }
            final int next = cursor.peek();
            cursor.advance();
            if (next == '}') {
                return count == expected.size();
            }
        }
    }

    private boolean array(final Object constant) {
        cursor.advance();
        final List<?> expected = constant instanceof List ? (List<?>) constant : null;
        if (expected == null) {
            return false;
        }
        int index = 0;
        if (cursor.peek() == ']') {
            cursor.advance();
            return expected.isEmpty();
        }
        while (true) {
            if (index >= expected.size() || !value(expected.get(index))) {
                return false;
            }
            index++;
            final int next = cursor.peek();
            cursor.advance();
            if (next == ']') {
                return index == expected.size();
            }
        }
    }
}
