package io.conversioni.pipeline;

import io.conversioni.event.ConversionEvent;
import io.conversioni.json.JsonCursor;

import java.util.List;

/**
 * Builds the 128-bit dedupe key of an event from the configured fields (two independently seeded
 * 64-bit hashes folded field by field, with each field's length mixed in so that ("ab","c") and
 * ("a","bc") differ). Owned by one thread (the window stage's); allocates nothing per event.
 */
final class DedupeKeys {
    private static final long SEED_HI = 0x243F6A8885A308D3L;
    private static final long SEED_LO = 0x13198A2E03707344L;

    private final int[] slots;
    /** One field's two hashes ({@link JsonCursor#hashPair}). */
    private final long[] pair = new long[2];
    private long hi;
    private long lo;

    DedupeKeys(final List<String> fields) {
        slots = new int[fields.size()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = slotOf(fields.get(i));
        }
    }

    static int slotOf(final String field) {
        switch (field) {
            case "id_cliente": return ConversionEvent.ID_CLIENTE;
            case "evento": return ConversionEvent.EVENTO;
            case "canale": return ConversionEvent.CANALE;
            case "stato": return ConversionEvent.STATO;
            case "campagna": return ConversionEvent.CAMPAGNA;
            case "dispositivo": return ConversionEvent.DISPOSITIVO;
            case "localita": return ConversionEvent.LOCALITA;
            default: throw new IllegalArgumentException("not a dedupe key field: " + field);
        }
    }

    /** Computes the key of {@code event}; read it with {@link #hi()} and {@link #lo()}. */
    void compute(final ConversionEvent event) {
        long h = SEED_HI;
        long l = SEED_LO;
        for (int slot : slots) {
            final byte[] b = event.bytes(slot);
            final int off = event.offset(slot);
            final int len = event.length(slot);
            // JsonCursor.hash(b, off, len, h) and JsonCursor.hash(b, off, len, l ^ 0x9E3779B97F4A7C15L), one pass
            JsonCursor.hashPair(b, off, len, h, l ^ 0x9E3779B97F4A7C15L, pair);
            h = pair[0];
            l = pair[1];
        }
        hi = h;
        lo = l;
    }

    long hi() {
        return hi;
    }

    long lo() {
        return lo;
    }
}
