package io.conversioni.schema;

import io.conversioni.json.ExactDecimal;
import io.conversioni.json.JsonCursor;
import io.conversioni.json.JsonSyntaxException;
import io.conversioni.json.Rfc3339;

import java.util.regex.Matcher;

/**
 * Validates one JSON text against a {@link CompiledSchema} in a single pass over its bytes, collecting
 * every violation into a {@link Violations} and reporting bound values to a {@link ValueBinding}.
 *
 * <p>Besides the schema it enforces what the codec needs of any input: well-formed JSON in valid UTF-8
 * (code {@code json}), no duplicate property names ({@code duplicate_key}), nesting at most
 * {@code maxDepth} ({@code max_depth}) and numbers that can be held exactly ({@code number_range}).
 *
 * <p>Threading: one instance per thread. Allocation: none per call once its buffers have grown to the
 * largest input seen (key arena) — except comparing an object or array against a structured
 * {@code enum}/{@code const}, which is rare and allocates. The call's {@link Violations} and {@link ValueBinding}
 * travel as arguments, never stored in the validator: a caller that hands it a different holder each time (the
 * pipeline's stage thread does) would pay G1's card-mark fence for each reference stored.
 */
public final class SchemaValidator {
    public static final int DEFAULT_MAX_DEPTH = 32;

    public static final String JSON = "json";
    public static final String DUPLICATE_KEY = "duplicate_key";
    public static final String MAX_DEPTH = "max_depth";
    public static final String NUMBER_RANGE = "number_range";

    private final CompiledSchema schema;
    private final int maxDepth;
    private final JsonCursor cursor = new JsonCursor();
    private final ConstantMatcher constantMatcher = new ConstantMatcher();
    private final CharArraySequence sequence = new CharArraySequence();
    private final Matcher[] matchers;
    private final int[] seenEpoch;
    private int epoch;

    private final ContainerStack stack;

    private String fatalCode;
    private String fatalMessage;

    SchemaValidator(final CompiledSchema schema, final int maxDepth) {
        if (maxDepth < 1 || maxDepth > 1000) {
            throw new IllegalArgumentException("maxDepth must be in 1..1000, was " + maxDepth);
        }
        this.schema = schema;
        this.maxDepth = maxDepth;
        this.matchers = new Matcher[schema.patternCount()];
        CompiledSchema.forEach(schema.root(), node -> {
            if (node.pattern != null) {
                matchers[node.patternId] = node.pattern.matcher("");
            }
        });
        this.seenEpoch = new int[schema.seenCount()];
        this.stack = new ContainerStack(maxDepth);
    }

    public CompiledSchema schema() {
        return schema;
    }

    /** Validates without a binding. */
    public boolean validate(final byte[] buf, final int offset, final int length, final Violations out) {
        return validate(buf, offset, length, out, null);
    }

    /**
     * Validates {@code buf[offset, offset + length)}; clears {@code out} first.
     *
     * @return true when there is no violation
     */
    public boolean validate(final byte[] buf, final int offset, final int length, final Violations out,
                            final ValueBinding binding) {
        out.clear();
        stack.reset();
        this.fatalCode = null;
        cursor.reset(buf, offset, length);
        try {
            value(schema.root(), 0, out, binding);
            cursor.expectEnd();
        } catch (JsonSyntaxException e) {
            out.clear();
            final int i = out.add(fatalCode != null ? fatalCode : JSON);
            if (i >= 0) {
                stack.appendPointer(out.campoBuilder(i), null);
                final StringBuilder m = out.messageBuilder(i);
                if (fatalCode != null) {
                    m.append(fatalMessage);
                } else {
                    m.append("malformed JSON at byte ").append(cursor.errorOffset()).append(": ")
                        .append(cursor.errorMessage());
                }
            }
        }
        return out.isEmpty();
    }

    // ------------------------------------------------------------------------------------------ values

    private void value(final SchemaNode node, final int depth, final Violations violations,
                       final ValueBinding binding) {
        final int b = cursor.peek();
        SchemaNode n = node;
        if (n != null && n.falseCode != null) {
            final int i = violation(n.falseCode, null, violations);
            if (i >= 0) {
                violations.messageBuilder(i).append(n.falseCode.equals("additionalProperties")
                    ? "property is not allowed here" : "no value is allowed here");
            }
            n = null;
        }
        if (b == '{' || b == '[') {
            final int start = cursor.position();
            if (b == '{') {
                object(n, depth + 1, violations, binding);
            } else {
                array(depth + 1, violations, binding);
            }
            if (n != null) {
                checkType(n, b == '{' ? SchemaNode.T_OBJECT : SchemaNode.T_ARRAY, b == '{' ? "object" : "array",
                    violations);
                if (n.enumSet != null || n.constSet != null) {
                    checkStructured(n, start, cursor.position(), violations);
                }
            }
        } else if (b == '"') {
            cursor.readString();
            if (n != null) {
                string(n, violations, binding);
            }
        } else if (b == '-' || (b >= '0' && b <= '9')) {
            cursor.readNumber();
            if (!cursor.numberInRange()) {
                final int i = violation(NUMBER_RANGE, null, violations);
                if (i >= 0) {
                    violations.messageBuilder(i).append("number cannot be held exactly (at most ")
                        .append(JsonCursor.MAX_SIGNIFICANT_DIGITS).append(" significant digits, exponent within ±")
                        .append(JsonCursor.MAX_EXPONENT).append(')');
                }
            } else if (n != null) {
                number(n, violations, binding);
            }
        } else if (b == 't' || b == 'f' || b == 'n') {
            final int letter = cursor.readLiteral();
            if (n != null) {
                literal(n, letter, violations);
            }
        } else if (b < 0) {
            throw cursor.fail("expected a JSON value");
        } else {
            throw cursor.fail("unexpected character, expected a JSON value");
        }
    }

    private void string(final SchemaNode n, final Violations violations, final ValueBinding binding) {
        checkType(n, SchemaNode.T_STRING, "string", violations);
        int enumIndex = -1;
        if (n.enumSet != null) {
            enumIndex = n.enumSet.indexOfString(cursor.stringBytes(), cursor.stringOffset(), cursor.stringLength());
            if (enumIndex < 0) {
                notAllowed(n.enumSet, "enum", violations);
            }
        }
        if (n.constSet != null
            && n.constSet.indexOfString(cursor.stringBytes(), cursor.stringOffset(), cursor.stringLength()) < 0) {
            notAllowed(n.constSet, "const", violations);
        }
        final int codePoints = cursor.codePoints();
        if (n.minLength >= 0 && codePoints < n.minLength) {
            final int i = violation("minLength", null, violations);
            if (i >= 0) {
                violations.messageBuilder(i).append("must be at least ").append(n.minLength)
                    .append(" characters long, got ").append(codePoints);
            }
        }
        if (n.maxLength >= 0 && codePoints > n.maxLength) {
            final int i = violation("maxLength", null, violations);
            if (i >= 0) {
                violations.messageBuilder(i).append("must be at most ").append(n.maxLength)
                    .append(" characters long, got ").append(codePoints);
            }
        }
        if (n.patternText != null && !matchesPattern(n)) {
            final int i = violation("pattern", null, violations);
            if (i >= 0) {
                violations.messageBuilder(i).append("does not match the pattern ").append(n.patternText);
            }
        }
        long epochMillis = Rfc3339.INVALID;
        if (n.dateTime) {
            epochMillis = Rfc3339.parseEpochMillis(cursor.stringBytes(), cursor.stringOffset(), cursor.stringLength());
            if (epochMillis == Rfc3339.INVALID) {
                final int i = violation("format", null, violations);
                if (i >= 0) {
                    violations.messageBuilder(i).append(
                        "must be an RFC 3339 date-time such as 2024-05-20T14:32:45.123Z or 2024-05-20T16:32:45+02:00");
                }
            }
        }
        if (n.bindingSlot >= 0 && binding != null) {
            binding.onString(n.bindingSlot, cursor, enumIndex, epochMillis);
        }
    }

    private boolean matchesPattern(final SchemaNode n) {
        if (n.sequence != null) {
            return n.sequence.matches(cursor.stringBytes(), cursor.stringOffset(), cursor.stringLength());
        }
        sequence.wrap(cursor.stringBytes(), cursor.stringOffset(), cursor.stringLength(), cursor.isAscii());
        final Matcher m = matchers[n.patternId];
        m.reset(sequence);
        return m.find();
    }

    private void number(final SchemaNode n, final Violations violations, final ValueBinding binding) {
        final long u = cursor.unscaled();
        final int e = cursor.exponent();
        if (n.typeMask != 0 && (n.typeMask & SchemaNode.T_NUMBER) == 0) {
            if ((n.typeMask & SchemaNode.T_INTEGER) == 0 || !cursor.numberIsInteger()) {
                typeViolation(n, cursor.numberIsInteger() ? "integer" : "number", violations);
            }
        }
        if (n.enumSet != null && !n.enumSet.containsNumber(u, e)) {
            notAllowed(n.enumSet, "enum", violations);
        }
        if (n.constSet != null && !n.constSet.containsNumber(u, e)) {
            notAllowed(n.constSet, "const", violations);
        }
        if (n.minimum != null && ExactDecimal.compare(u, e, n.minimum[0], (int) n.minimum[1]) < 0) {
            bound("minimum", "must be greater than or equal to ", n.minimumText, violations);
        }
        if (n.maximum != null && ExactDecimal.compare(u, e, n.maximum[0], (int) n.maximum[1]) > 0) {
            bound("maximum", "must be less than or equal to ", n.maximumText, violations);
        }
        if (n.exclusiveMinimum != null
            && ExactDecimal.compare(u, e, n.exclusiveMinimum[0], (int) n.exclusiveMinimum[1]) <= 0) {
            bound("exclusiveMinimum", "must be greater than ", n.exclusiveMinimumText, violations);
        }
        if (n.exclusiveMaximum != null
            && ExactDecimal.compare(u, e, n.exclusiveMaximum[0], (int) n.exclusiveMaximum[1]) >= 0) {
            bound("exclusiveMaximum", "must be less than ", n.exclusiveMaximumText, violations);
        }
        if (n.multipleOf != null && !ExactDecimal.isMultipleOf(u, e, n.multipleOf[0], (int) n.multipleOf[1])) {
            bound("multipleOf", "must be a multiple of ", n.multipleOfText, violations);
        }
        if (n.bindingSlot >= 0 && binding != null) {
            binding.onNumber(n.bindingSlot, cursor);
        }
    }

    private void literal(final SchemaNode n, final int letter, final Violations violations) {
        final boolean isNull = letter == 'n';
        checkType(n, isNull ? SchemaNode.T_NULL : SchemaNode.T_BOOLEAN, isNull ? "null" : "boolean", violations);
        for (int k = 0; k < 2; k++) {
            final ConstSet set = k == 0 ? n.enumSet : n.constSet;
            if (set != null) {
                final boolean ok = letter == 't' ? set.allowsTrue : letter == 'f' ? set.allowsFalse : set.allowsNull;
                if (!ok) {
                    notAllowed(set, k == 0 ? "enum" : "const", violations);
                }
            }
        }
    }

    private void checkStructured(final SchemaNode n, final int from, final int to, final Violations violations) {
        for (int k = 0; k < 2; k++) {
            final ConstSet set = k == 0 ? n.enumSet : n.constSet;
            if (set == null) {
                continue;
            }
            boolean found = false;
            for (Object constant : set.structured) {
                if (constantMatcher.matches(cursor.buffer(), from, to, constant)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                notAllowed(set, k == 0 ? "enum" : "const", violations);
            }
        }
    }

    private void checkType(final SchemaNode n, final int actualBit, final String actualName,
                           final Violations violations) {
        if (n.typeMask != 0 && (n.typeMask & actualBit) == 0) {
            typeViolation(n, actualName, violations);
        }
    }

    private void typeViolation(final SchemaNode n, final String actualName, final Violations violations) {
        final int i = violation("type", null, violations);
        if (i >= 0) {
            violations.messageBuilder(i).append("expected ").append(n.typeText).append(", got ").append(actualName);
        }
    }

    private void notAllowed(final ConstSet set, final String code, final Violations violations) {
        final int i = violation(code, null, violations);
        if (i >= 0) {
            final StringBuilder m = violations.messageBuilder(i);
            if (set.isEmpty()) {
                m.append("no value is allowed: the schema's enum is empty");
            } else if (code.equals("const")) {
                m.append("must be ").append(set.text.substring(1, set.text.length() - 1));
            } else {
                m.append("must be one of ").append(set.text);
            }
        }
    }

    private void bound(final String code, final String text, final String limit, final Violations violations) {
        final int i = violation(code, null, violations);
        if (i >= 0) {
            violations.messageBuilder(i).append(text).append(limit);
        }
    }

    // ------------------------------------------------------------------------------------------ containers

    private int enter(final int depth, final boolean isArray) {
        if (depth > maxDepth) {
            fatalCode = MAX_DEPTH;
            fatalMessage = "nesting is deeper than the limit of " + maxDepth + " levels";
            throw cursor.fail(fatalMessage);
        }
        return stack.push(isArray);
    }

    private void leave() {
        stack.pop();
    }

    private void array(final int depth, final Violations violations, final ValueBinding binding) {
        final int level = enter(depth, true);
        cursor.advance();
        if (cursor.peek() == ']') {
            cursor.advance();
            leave();
            return;
        }
        while (true) {
            value(null, depth, violations, binding);
            final int next = cursor.peek();
            if (next == ',') {
                cursor.advance();
                stack.nextIndex(level);
            } else if (next == ']') {
                cursor.advance();
                break;
            } else {
                throw cursor.fail("expected ',' or ']' in an array");
            }
        }
        leave();
    }

    private void object(final SchemaNode n, final int depth, final Violations violations, final ValueBinding binding) {
        final int level = enter(depth, false);
        cursor.advance();
        final int stamp = ++epoch;
        // Senders mostly write the properties in the schema's order: try the one after the last declared
        // key by its bytes first, and hash and look up only when that guess fails.
        final byte[][] quoted = n == null ? null : n.quotedPropertyBytes;
        int guess = 0;
        if (cursor.peek() == '}') {
            cursor.advance();
        } else {
            while (true) {
                if (cursor.peek() != '"') {
                    throw cursor.fail("expected a property name in double quotes");
                }
                final int p;
                int keyHash = 0;
                if (quoted != null && guess < quoted.length && quoted[guess] != null && cursor.tryQuoted(quoted[guess])) {
                    p = guess;
                } else {
                    cursor.readString();
                    keyHash = cursor.keyHash();
                    // a declared property is tracked by its seen mark; any other key goes to the arena
                    p = n == null ? -1
                        : n.propertyIndex(cursor.stringBytes(), cursor.stringOffset(), cursor.stringLength(), keyHash);
                }
                final boolean duplicate;
                if (p >= 0) {
                    duplicate = seenEpoch[n.seenBase + p] == stamp;
                    seenEpoch[n.seenBase + p] = stamp;
                    stack.declaredKey(level, n, p);
                    guess = p + 1;
                } else {
                    duplicate = stack.undeclaredKey(level, cursor, keyHash);
                }
                cursor.expect(':', "expected ':' after a property name");
                SchemaNode child = null;
                if (duplicate) {
                    final int i = violation(DUPLICATE_KEY, null, violations);
                    if (i >= 0) {
                        violations.messageBuilder(i).append("property appears more than once in the same object");
                    }
                } else if (n != null) {
                    child = p >= 0 ? n.propertyNodes[p] : n.additional;
                }
                value(child, depth, violations, binding);
                final int next = cursor.peek();
                if (next == ',') {
                    cursor.advance();
                } else if (next == '}') {
                    cursor.advance();
                    break;
                } else {
                    throw cursor.fail("expected ',' or '}' in an object");
                }
            }
        }
        stack.clearKey(level);
        if (n != null) {
            final int[] required = n.required;
            for (int r = 0; r < required.length; r++) {
                if (seenEpoch[n.seenBase + required[r]] != stamp) {
                    final int i = violation("required", n.propertyNames[required[r]], violations);
                    if (i >= 0) {
                        violations.messageBuilder(i).append("required property is missing");
                    }
                }
            }
        }
        leave();
    }

    // ------------------------------------------------------------------------------------------ reporting

    /** Starts a violation at the current location (plus {@code extraSegment}); -1 when the list is full. */
    private int violation(final String code, final String extraSegment, final Violations violations) {
        final int i = violations.add(code);
        if (i >= 0) {
            stack.appendPointer(violations.campoBuilder(i), extraSegment);
        }
        return i;
    }
}
