package io.conversioni.schema;

import com.dslplatform.json.JsonWriter;

/**
 * The violations of one validated value: field (JSON Pointer), stable code and readable message.
 * A fixed capacity ({@value #CAPACITY}); further violations are counted, not stored, and
 * {@link #writeJson} ends the list with a {@code too_many_violations} entry. Single-threaded; recycle with
 * {@link #clear()}. The two builders of an index are created the first time a violation is stored there
 * and kept: the engine holds one instance per ring slot (16384 by default), nearly all of which only ever
 * see valid events, and preallocating all 64 builders cost 9 KB a slot, 150 MB of heap in all. Allocates
 * nothing once each index in use has its builders, grown to the longest message.
 *
 * <p>The builders of index 0 are made up front (about 250 bytes): most rejected events have one violation,
 * and a builder made lazily is a young object referenced from an old slot. Each one then had to be copied by
 * every young collection until it was old enough to promote, and kept a card dirty meanwhile: at 2 % invalid
 * events, the ring's slots met their first violation over minutes, and young pauses took twice as long
 * (docs/performance.md).
 */
public final class Violations {
    public static final int CAPACITY = 32;

    private final StringBuilder[] campo = new StringBuilder[CAPACITY];
    private final String[] codice = new String[CAPACITY];
    private final StringBuilder[] messaggio = new StringBuilder[CAPACITY];
    private int stored;
    private int total;

    public Violations() {
        campo[0] = new StringBuilder(64);
        messaggio[0] = new StringBuilder(128);
    }

    public void clear() {
        stored = 0;
        total = 0;
    }

    /** Violations found, including any not stored. */
    public int total() {
        return total;
    }

    /** Violations stored (at most {@value #CAPACITY}). */
    public int size() {
        return stored;
    }

    public boolean isEmpty() {
        return total == 0;
    }

    public CharSequence campo(final int i) {
        return campo[i];
    }

    public String codice(final int i) {
        return codice[i];
    }

    public CharSequence messaggio(final int i) {
        return messaggio[i];
    }

    /**
     * Starts a violation with {@code code}; returns its index, or -1 when full (the caller then skips the
     * pointer and message). Fill {@link #campoBuilder(int)} and {@link #messageBuilder(int)}.
     */
    public int add(final String code) {
        total++;
        if (stored == CAPACITY) {
            return -1;
        }
        final int i = stored++;
        codice[i] = code;
        if (campo[i] == null) {
            campo[i] = new StringBuilder(64);
            messaggio[i] = new StringBuilder(128);
        } else {
            campo[i].setLength(0);
            messaggio[i].setLength(0);
        }
        return i;
    }

    /** Adds a complete violation (for callers outside the validator, such as the event binding). */
    public void add(final String code, final CharSequence pointer, final CharSequence message) {
        final int i = add(code);
        if (i >= 0) {
            campo[i].append(pointer);
            messaggio[i].append(message);
        }
    }

    public StringBuilder campoBuilder(final int i) {
        return campo[i];
    }

    public StringBuilder messageBuilder(final int i) {
        return messaggio[i];
    }

    /** Writes {@code [{"campo":..,"codice":..,"messaggio":..},...]}. */
    public void writeJson(final JsonWriter out) {
        out.writeByte(JsonWriter.ARRAY_START);
        for (int i = 0; i < stored; i++) {
            if (i > 0) {
                out.writeByte(JsonWriter.COMMA);
            }
            writeOne(out, campo[i], codice[i], messaggio[i]);
        }
        if (total > stored) {
            out.writeByte(JsonWriter.COMMA);
            out.writeAscii("{\"campo\":\"\",\"codice\":\"too_many_violations\",\"messaggio\":\"");
            out.writeAscii(Integer.toString(total - stored));
            out.writeAscii(" more violations not listed\"}");
        }
        out.writeByte(JsonWriter.ARRAY_END);
    }

    private static void writeOne(final JsonWriter out, final CharSequence field, final String code,
                                 final CharSequence message) {
        out.writeAscii("{\"campo\":");
        out.writeString(field);
        out.writeAscii(",\"codice\":");
        out.writeString(code);
        out.writeAscii(",\"messaggio\":");
        out.writeString(message);
        out.writeByte(JsonWriter.OBJECT_END);
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < stored; i++) {
            sb.append(campo[i]).append(' ').append(codice[i]).append(": ").append(messaggio[i]).append('\n');
        }
        return sb.toString();
    }
}
