package io.conversioni.event;

import io.conversioni.json.JsonCursor;
import java.nio.charset.StandardCharsets;
import io.conversioni.json.Rfc3339;
import io.conversioni.schema.ValueBinding;

/**
 * The decoded fields of one conversion event, reused for every event a thread (or ring slot) handles.
 * Strings are byte ranges: of the body when the value had no escapes, else of a per-field copy
 * that only grows; their 64-bit hash is computed on first request; enums are
 * ordinals (index in the schema's {@code enum}); the timestamp is UTC epoch millis; {@code valore} is an
 * exact count of cents. Fields absent from the event read as {@link #MISSING} / -1 / empty.
 *
 * <p>Threading: written by one thread (the decoder's), then handed on with the slot; not thread-safe.
 * Allocation: none once each field's copy buffer has grown to the longest escaped value seen.
 * Recycle with {@link #clear()} (the decoder does it); string fields refer to the body, so keep the body
 * unchanged while the holder is read.
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

    /**
     * The body the string fields without escapes are ranges of. One reference for all of them, stored only when
     * it changes: a holder may see another body array at every event (a replay's records, a benchmark's bodies;
     * the ring's bodies share a few arrays), and each reference store into this long-lived holder pays G1's
     * card-mark fence, so at most one store an event rather than one a field.
     */
    private byte[] body;
    /** Fields whose bytes are this holder's copy ({@link #unescaped}), because their JSON had escapes. */
    private int copiedMask;
    private final int[] offset = new int[SLOTS];
    private final int[] length = new int[SLOTS];
    private final byte[][] unescaped = new byte[SLOTS][];
    private final long[] textHash = new long[SLOTS];
    private int presentMask;
    private int hashedMask;
    private int evento = -1;
    private int canale = -1;
    private int stato = -1;
    private long timestampMillis = MISSING;
    private long valoreCents = MISSING;
    private boolean valoreOverflow;

    public ConversionEvent() {
        for (int i = 0; i < SLOTS; i++) {
            unescaped[i] = new byte[32];
        }
    }

    public void clear() {
        presentMask = 0;
        hashedMask = 0;
        evento = -1;
        canale = -1;
        stato = -1;
        timestampMillis = MISSING;
        valoreCents = MISSING;
        valoreOverflow = false;
    }

    @Override
    public void onString(final int slot, final JsonCursor cursor, final int enumIndex, final long epochMillis) {
        presentMask |= 1 << slot;
        final int len = cursor.stringLength();
        if (cursor.stringBytes() == cursor.buffer()) {
            // no escapes: the field is a range of the body, which outlives this holder's use of it (the body
            // stored only when it changes: see the field)
            if (body != cursor.buffer()) {
                body = cursor.buffer();
            }
            copiedMask &= ~(1 << slot);
            offset[slot] = cursor.stringOffset();
        } else {
            if (unescaped[slot].length < len) {
                unescaped[slot] = new byte[Math.max(len, unescaped[slot].length * 2)];
            }
            System.arraycopy(cursor.stringBytes(), cursor.stringOffset(), unescaped[slot], 0, len);
            copiedMask |= 1 << slot;
            offset[slot] = 0;
        }
        length[slot] = len;
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
        presentMask |= 1 << slot;
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
        return (presentMask & (1 << slot)) != 0;
    }

    /**
     * The buffer holding a string field's unescaped UTF-8 bytes, from {@link #offset(int)} for
     * {@link #length(int)} bytes: usually the event body itself, so valid while the body is.
     */
    public byte[] bytes(final int slot) {
        return (presentMask & ~copiedMask & (1 << slot)) != 0 ? body : unescaped[slot];
    }

    public int offset(final int slot) {
        return offset[slot];
    }

    public int length(final int slot) {
        return has(slot) ? length[slot] : 0;
    }

    /** 64-bit hash ({@link JsonCursor#hash(byte[], int, int)}) of a string field, computed on first request. */
    public long hash(final int slot) {
        if ((hashedMask & (1 << slot)) == 0) {
            textHash[slot] = has(slot) ? JsonCursor.hash(bytes(slot), offset[slot], length[slot]) : 0;
            hashedMask |= 1 << slot;
        }
        return textHash[slot];
    }

    /** The field's text as a new String (allocates: for tests, tools and logs, not the hot path). */
    public String text(final int slot) {
        return has(slot) ? new String(bytes(slot), offset[slot], length[slot], StandardCharsets.UTF_8) : null;
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
