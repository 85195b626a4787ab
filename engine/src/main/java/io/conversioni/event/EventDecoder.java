package io.conversioni.event;

import io.conversioni.schema.SchemaValidator;
import io.conversioni.schema.Violations;

/**
 * Decodes and validates one event body into a {@link ConversionEvent} in a single pass: the compiled
 * validator walks the bytes and hands each bound field to the holder as it goes.
 *
 * <p>Threading: one per thread. Allocation: none per event after warm-up (see the JMH benchmark
 * {@code DecodeValidateBenchmark} with {@code -prof gc}).
 */
public final class EventDecoder {
    private final SchemaValidator validator;

    EventDecoder(final SchemaValidator validator) {
        this.validator = validator;
    }

    /**
     * Decodes {@code body[offset, offset + length)} into {@code out}; every problem goes to
     * {@code violations} (cleared first).
     *
     * @return true when the event is valid and every field is usable
     */
    public boolean decode(final byte[] body, final int offset, final int length, final ConversionEvent out,
                          final Violations violations) {
        out.clear();
        final boolean valid = validator.validate(body, offset, length, violations, out);
        if (valid && out.valoreOverflow()) {
            violations.add(SchemaValidator.NUMBER_RANGE, "/valore", "is too large to be counted exactly in cents");
            return false;
        }
        return valid;
    }
}
