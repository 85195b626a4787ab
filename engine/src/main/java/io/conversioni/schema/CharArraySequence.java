package io.conversioni.schema;

import java.nio.charset.StandardCharsets;

/**
 * A reusable {@link CharSequence} over a UTF-8 string, so that a regex {@code Matcher} can be reset onto
 * decoded JSON strings without allocating: ASCII text is viewed in place (one byte, one char); other text
 * is decoded into a reused {@code char[]} that only grows. Single-threaded; {@link #subSequence} and
 * {@link #toString} allocate and are not used by {@code Matcher.find()}.
 */
final class CharArraySequence implements CharSequence {
    private byte[] bytes = new byte[0];
    private int offset;
    private char[] chars = new char[64];
    private boolean ascii;
    private int length;

    /** Views {@code bytes[offset, offset + byteLength)}, which holds valid UTF-8. */
    void wrap(final byte[] bytes, final int offset, final int byteLength, final boolean isAscii) {
        this.ascii = isAscii;
        if (isAscii) {
            this.bytes = bytes;
            this.offset = offset;
            this.length = byteLength;
            return;
        }
        if (chars.length < byteLength) {
            chars = new char[Math.max(byteLength, chars.length * 2)];
        }
        int n = 0;
        int p = offset;
        final int end = offset + byteLength;
        while (p < end) {
            final int c = bytes[p] & 0xFF;
            final int cp;
            if (c < 0x80) {
                cp = c;
                p += 1;
            } else if (c < 0xE0) {
                cp = ((c & 0x1F) << 6) | (bytes[p + 1] & 0x3F);
                p += 2;
            } else if (c < 0xF0) {
                cp = ((c & 0x0F) << 12) | ((bytes[p + 1] & 0x3F) << 6) | (bytes[p + 2] & 0x3F);
                p += 3;
            } else {
                cp = ((c & 0x07) << 18) | ((bytes[p + 1] & 0x3F) << 12) | ((bytes[p + 2] & 0x3F) << 6)
                    | (bytes[p + 3] & 0x3F);
                p += 4;
            }
            if (cp >= 0x10000) {
                chars[n++] = Character.highSurrogate(cp);
                chars[n++] = Character.lowSurrogate(cp);
            } else {
                chars[n++] = (char) cp;
            }
        }
        this.length = n;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(final int index) {
        if (index >= length) {
            throw new IndexOutOfBoundsException(index);
        }
        return ascii ? (char) bytes[offset + index] : chars[index];
    }

    @Override
    public CharSequence subSequence(final int start, final int end) {
        return toString().substring(start, end);
    }

    @Override
    public String toString() {
        return ascii ? new String(bytes, offset, length, StandardCharsets.US_ASCII) : new String(chars, 0, length);
    }
}
