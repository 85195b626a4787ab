package io.conversioni.schema;

/**
 * A mutable {@link CharSequence} view over a reused {@code char[]}, so a regex {@code Matcher} can be
 * reset onto decoded JSON strings without allocating. Single-threaded; {@link #subSequence} and
 * {@link #toString} allocate and are not used by {@code Matcher.find()}.
 */
final class CharArraySequence implements CharSequence {
    private char[] chars = new char[0];
    private int length;

    void wrap(final char[] chars, final int length) {
        this.chars = chars;
        this.length = length;
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
        return chars[index];
    }

    @Override
    public CharSequence subSequence(final int start, final int end) {
        return new String(chars, start, end - start);
    }

    @Override
    public String toString() {
        return new String(chars, 0, length);
    }
}
