package io.conversioni.event;

import io.conversioni.json.JsonCursor;
import java.nio.charset.StandardCharsets;
import io.conversioni.json.Rfc3339;
import io.conversioni.schema.ValueBinding;

/**
 * The decoded fields of one conversion event, reused for every event a thread (or ring slot) handles.
 * Strings are kept unescaped in UTF-8, copied into per-field {@code byte[]}s that only grow, with a
 * 64-bit hash computed on first request; enums are
 * ordinals (index in the schema's {@code enum}); the timestamp is UTC epoch millis; {@code valore} is an
 * exact count of cents. Fields absent from the event read as {@link #MISSING} / -1 / empty.
 *
 * <p>Threading: written by one thread (the decoder's), then handed on with the slot; not thread-safe.
 * Allocation: none once each field's buffer has grown to the longest value seen. Recycle with
 * {@link #clear()} (the decoder does it).
 */
public final class ConversionEvent implements ValueBinding {
    public static final long MISSING = Long.MIN_VALUE;

    public static final int ID_CLIENTE = 0;
    public static final int EVENTO = 1;
    public static final int TIMESTAMP = 2;
    public static final int VALORE = 3;
    public static final int CANALE = 4;
    public static final int STATO = 5;
    public static final int CAMPAGNA = 6;
    public static final int DISPOSITIVO = 7;
    public static final int LOCALITA = 8;
    static final int SLOTS = 9;

    private final byte[][] text = new byte[SLOTS][];
    private final int[] textLength = new int[SLOTS];
    private final long[] textHash = new long[SLOTS];
    private final boolean[] hashed = new boolean[SLOTS];
    private final boolean[] present = new boolean[SLOTS];
    private int evento = -1;
    private int canale = -1;
    private int stato = -1;
    private long timestampMillis = MISSING;
    private long valoreCents = MISSING;
    private boolean valoreOverflow;

    public ConversionEvent() {
        for (int i = 0; i < SLOTS; i++) {
            text[i] = new byte[32];
        }
    }

    public void clear() {
        for (int i = 0; i < SLOTS; i++) {
            present[i] = false;
            textLength[i] = 0;
            hashed[i] = false;
        }
        evento = -1;
        canale = -1;
        stato = -1;
        timestampMillis = MISSING;
        valoreCents = MISSING;
        valoreOverflow = false;
    }

    @Override
    public void onString(final int slot, final JsonCursor cursor, final int enumIndex, final long epochMillis) {
        present[slot] = true;
        final int len = cursor.stringLength();
        if (text[slot].length < len) {
            text[slot] = new byte[Math.max(len, text[slot].length * 2)];
        }
        System.arraycopy(cursor.stringBytes(), cursor.stringOffset(), text[slot], 0, len);
        textLength[slot] = len;
        hashed[slot] = false;
        switch (slot) {
            case EVENTO: evento = enumIndex; break;
            case CANALE: canale = enumIndex; break;
            case STATO: stato = enumIndex; break;
            case TIMESTAMP: timestampMillis = epochMillis == Rfc3339.INVALID ? MISSING : epochMillis; break;
            default: break;
        }
    }

    @Override
    public void onNumber(final int slot, final JsonCursor cursor) {
        if (slot != VALORE) {
            return;
        }
        present[slot] = true;
        final int shift = cursor.exponent() + 2;
        long cents = cursor.unscaled();
        if (shift < 0) {
            // fractions of a cent: the schema's multipleOf rejects it; keep it out of any sum
            valoreCents = MISSING;
            return;
        }
        for (int i = 0; i < shift; i++) {
            if (Math.abs(cents) > Long.MAX_VALUE / 10) {
                valoreOverflow = true;
                valoreCents = MISSING;
                return;
            }
            cents *= 10;
        }
        valoreCents = cents;
    }

    /** True when the field was present in the event (slots: {@link #ID_CLIENTE} ... {@link #LOCALITA}). */
    public boolean has(final int slot) {
        return present[slot];
    }

    /** Unescaped UTF-8 bytes of a string field; valid up to {@link #length(int)}. */
    public byte[] bytes(final int slot) {
        return text[slot];
    }

    public int length(final int slot) {
        return textLength[slot];
    }

    /** 64-bit hash ({@link JsonCursor#hash(byte[], int, int)}) of a string field, computed on first request. */
    public long hash(final int slot) {
        if (!hashed[slot]) {
            textHash[slot] = JsonCursor.hash(text[slot], 0, textLength[slot]);
            hashed[slot] = true;
        }
        return textHash[slot];
    }

    /** The field's text as a new String (allocates: for tests, tools and logs, not the hot path). */
    public String text(final int slot) {
        return present[slot] ? new String(text[slot], 0, textLength[slot], StandardCharsets.UTF_8) : null;
    }

    public int eventoOrdinal() {
        return evento;
    }

    public int canaleOrdinal() {
        return canale;
    }

    public int statoOrdinal() {
        return stato;
    }

    public long timestampMillis() {
        return timestampMillis;
    }

    public long valoreCents() {
        return valoreCents;
    }

    boolean valoreOverflow() {
        return valoreOverflow;
    }
}
