package io.conversioni.json;

/** Decoding of already-validated UTF-8 into a {@link StringBuilder}, without allocating. Stateless. */
public final class Utf8 {
    private Utf8() {
    }

    /** Appends the code point starting at {@code b[p]}; returns the index after it. */
    public static int appendCodePoint(final StringBuilder sb, final byte[] b, final int p) {
        final int c = b[p] & 0xFF;
        if (c < 0x80) {
            sb.append((char) c);
            return p + 1;
        } else if (c < 0xE0) {
            sb.append((char) (((c & 0x1F) << 6) | (b[p + 1] & 0x3F)));
            return p + 2;
        } else if (c < 0xF0) {
            sb.append((char) (((c & 0x0F) << 12) | ((b[p + 1] & 0x3F) << 6) | (b[p + 2] & 0x3F)));
            return p + 3;
        }
        final int cp = ((c & 0x07) << 18) | ((b[p + 1] & 0x3F) << 12) | ((b[p + 2] & 0x3F) << 6) | (b[p + 3] & 0x3F);
        sb.append(Character.highSurrogate(cp)).append(Character.lowSurrogate(cp));
        return p + 4;
    }
}
