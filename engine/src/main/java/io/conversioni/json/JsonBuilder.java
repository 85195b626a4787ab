package io.conversioni.json;

import com.dslplatform.json.DslJson;
import com.dslplatform.json.JsonWriter;
import com.dslplatform.json.NumberConverter;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes one JSON document at a time into a reusable DSL-JSON {@link JsonWriter}: objects, arrays and fields
 * in the order called, commas placed for the caller, strings escaped by DSL-JSON's {@code writeString}. The one
 * way production code writes JSON; the answer to each event writes straight to a {@link JsonWriter} with the
 * same primitives ({@code OutcomeJson}, {@code Violations}) because it runs per event on the respond thread.
 *
 * <p>Formats that are contracts: money is exact cents with two decimals ({@link #money(long)}), instants are
 * {@link java.time.Instant#toString()}'s text ({@link #instant(long)}), a double is {@link Double#toString}'s.
 * A string holding an unpaired surrogate is written with {@code ?} in its place, as
 * {@code String.getBytes(UTF_8)} would.
 *
 * <p>Threading: one thread at a time (not shared; a caller that keeps one per thread reuses it with
 * {@link #reset()}). Allocation: none per value once the buffer has grown to the document, except
 * {@link #value(double)}, {@link #raw(String)}, a string with an unpaired surrogate, and the copies
 * {@link #toString()} and {@link #toBytes()} return; the buffer grows as DSL-JSON's does and is never shrunk.
 * Nesting deeper than {@value #MAX_DEPTH} levels, a value where a field name is due and unbalanced ends throw
 * {@link IllegalStateException}: they are bugs of the caller.
 */
public final class JsonBuilder {
    /** Containers nested at most (one bit of {@link #nonEmpty} each). */
    public static final int MAX_DEPTH = 63;
    private static final DslJson<Object> DSL = new DslJson<>();
    private static final byte COLON = ':';

    private final JsonWriter out;
    /** Scratch for instants before they are copied into {@link #out}. */
    private final byte[] instant = new byte[UtcInstant.MAX_LENGTH];
    /** Bit d set: the container at depth d holds a member already, so the next one starts with a comma. */
    private long nonEmpty;
    /** Bit d set: the container at depth d is an object (its members are name/value pairs). */
    private long objects;
    private int depth;
    /** A name was written and its value is due. */
    private boolean afterName;

    /** A builder whose buffer starts at {@code initialBytes} and grows as needed. */
    public JsonBuilder(final int initialBytes) {
        this.out = DSL.newWriter(initialBytes);
    }

    public JsonBuilder() {
        this(512);
    }

    /** Empties the builder for the next document; keeps its buffer. */
    public JsonBuilder reset() {
        out.reset();
        nonEmpty = 0;
        objects = 0;
        depth = 0;
        afterName = false;
        return this;
    }

    public JsonBuilder beginObject() {
        open(true, JsonWriter.OBJECT_START);
        return this;
    }

    public JsonBuilder endObject() {
        close(true, JsonWriter.OBJECT_END);
        return this;
    }

    public JsonBuilder beginArray() {
        open(false, JsonWriter.ARRAY_START);
        return this;
    }

    public JsonBuilder endArray() {
        close(false, JsonWriter.ARRAY_END);
        return this;
    }

    /** A member name of the current object; its value comes next. */
    public JsonBuilder name(final String name) {
        if (depth == 0 || !isObject() || afterName) {
            throw new IllegalStateException("a field name is only allowed where an object's member starts: " + name);
        }
        separate();
        writeString(name);
        out.writeByte(COLON);
        afterName = true;
        return this;
    }

    /** A string, or {@code null} when {@code s} is null. */
    public JsonBuilder value(final String s) {
        beforeValue();
        if (s == null) {
            out.writeNull();
        } else {
            writeString(s);
        }
        return this;
    }

    public JsonBuilder value(final long v) {
        beforeValue();
        NumberConverter.serialize(v, out);
        return this;
    }

    public JsonBuilder value(final boolean v) {
        beforeValue();
        out.writeAscii(v ? "true" : "false");
        return this;
    }

    /** {@code v} as {@link Double#toString(double)} writes it; {@code null} when it is NaN or infinite. */
    public JsonBuilder value(final double v) {
        beforeValue();
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            out.writeNull();
        } else {
            out.writeAscii(Double.toString(v));
        }
        return this;
    }

    public JsonBuilder nullValue() {
        beforeValue();
        out.writeNull();
        return this;
    }

    /** Exact cents as a JSON number with two decimals ({@code -12.05}). */
    public JsonBuilder money(final long cents) {
        beforeValue();
        if (cents < 0) {
            out.writeByte((byte) '-');
        }
        final long a = Math.abs(cents);
        NumberConverter.serialize(a / 100, out);
        out.writeByte((byte) '.');
        out.writeByte((byte) ('0' + a % 100 / 10));
        out.writeByte((byte) ('0' + a % 10));
        return this;
    }

    /** An instant as a string, the text of {@code Instant.ofEpochMilli(epochMillis).toString()}. */
    public JsonBuilder instant(final long epochMillis) {
        beforeValue();
        out.writeByte(JsonWriter.QUOTE);
        out.writeAscii(instant, UtcInstant.format(instant, 0, epochMillis));
        out.writeByte(JsonWriter.QUOTE);
        return this;
    }

    /** A value already written as JSON (a nested document, a number's text), copied as it is. */
    public JsonBuilder raw(final String json) {
        beforeValue();
        writeUtf8(json);
        return this;
    }

    /** As {@link #raw(String)}, from the first {@code length} bytes of {@code utf8Json}. */
    public JsonBuilder raw(final byte[] utf8Json, final int length) {
        return raw(utf8Json, 0, length);
    }

    /** As {@link #raw(String)}, from {@code length} bytes of {@code utf8Json} at {@code offset}. */
    public JsonBuilder raw(final byte[] utf8Json, final int offset, final int length) {
        beforeValue();
        out.writeRaw(utf8Json, offset, length);
        return this;
    }

    /** The document written so far by {@code other} (complete: its containers closed), copied as a value. */
    public JsonBuilder raw(final JsonBuilder other) {
        return raw(other.out.getByteBuffer(), other.out.size());
    }

    public JsonBuilder field(final String name, final String value) {
        return name(name).value(value);
    }

    public JsonBuilder field(final String name, final long value) {
        return name(name).value(value);
    }

    public JsonBuilder field(final String name, final boolean value) {
        return name(name).value(value);
    }

    public JsonBuilder nullField(final String name) {
        return name(name).nullValue();
    }

    public JsonBuilder moneyField(final String name, final long cents) {
        return name(name).money(cents);
    }

    public JsonBuilder instantField(final String name, final long epochMillis) {
        return name(name).instant(epochMillis);
    }

    public JsonBuilder rawField(final String name, final String json) {
        return name(name).raw(json);
    }

    /** Bytes written so far. */
    public int size() {
        return out.size();
    }

    /** The document as UTF-8 bytes (a copy). */
    public byte[] toBytes() {
        return Arrays.copyOf(out.getByteBuffer(), out.size());
    }

    /** The document as text. */
    @Override
    public String toString() {
        return new String(out.getByteBuffer(), 0, out.size(), StandardCharsets.UTF_8);
    }

    /** A JSON string literal of {@code s}, for the few places that need one alone (a log line's field). */
    public static String quote(final String s) {
        return new JsonBuilder(s.length() + 16).value(s).toString();
    }

    private void open(final boolean object, final byte token) {
        if (depth == MAX_DEPTH) {
            throw new IllegalStateException("JSON nested deeper than " + MAX_DEPTH + " levels");
        }
        beforeValue();
        depth++;
        nonEmpty &= ~(1L << depth);
        objects = object ? objects | 1L << depth : objects & ~(1L << depth);
        out.writeByte(token);
    }

    private void close(final boolean object, final byte token) {
        if (depth == 0 || isObject() != object || afterName) {
            throw new IllegalStateException("unbalanced JSON: " + (char) token + " where it does not close");
        }
        depth--;
        out.writeByte(token);
    }

    private boolean isObject() {
        return (objects & 1L << depth) != 0;
    }

    private void beforeValue() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (depth > 0 && isObject()) {
            throw new IllegalStateException("a value inside an object needs its field name first");
        }
        separate();
    }

    private void separate() {
        final long bit = 1L << depth;
        if ((nonEmpty & bit) != 0) {
            out.writeByte(JsonWriter.COMMA);
        }
        nonEmpty |= bit;
    }

    private void writeString(final String s) {
        out.writeString(hasUnpairedSurrogate(s) ? new String(s.getBytes(StandardCharsets.UTF_8),
            StandardCharsets.UTF_8) : s);
    }

    private void writeUtf8(final String s) {
        final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeRaw(bytes, 0, bytes.length);
    }

    /** True when {@code s} holds a surrogate without its pair (DSL-JSON refuses to write one). */
    static boolean hasUnpairedSurrogate(final String s) {
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
