package io.conversioni.json;

/**
 * A strict pull reader over a byte range holding one JSON text (RFC 8259).
 *
 * <p>Strings are decoded from UTF-8 into a reused {@code char[]} with their length in code points and a
 * 64-bit hash; numbers are read exactly as {@code unscaled × 10^exponent} (normalised: no trailing zeros
 * in {@code unscaled}), never through a {@code double}. Invalid UTF-8, unescaped control characters, lone
 * surrogates, leading zeros, and any other syntax error raise the cursor's single preallocated
 * {@link JsonSyntaxException}; {@link #errorMessage()} and {@link #errorOffset()} describe it.
 *
 * <p>Threading: confined to one thread. Allocation: none after the string buffer has grown to the longest
 * string seen (it only grows). Recycle: {@link #reset(byte[], int, int)} for every new input.
 */
public final class JsonCursor {
    /** Numbers with more significant digits than this cannot be held exactly and are out of range. */
    public static final int MAX_SIGNIFICANT_DIGITS = 18;
    /** Decimal exponents beyond ± this are out of range. */
    public static final int MAX_EXPONENT = 350;

    public static final long FNV_OFFSET = 0xcbf29ce484222325L;
    public static final long FNV_PRIME = 0x100000001b3L;

    private final JsonSyntaxException syntaxError = new JsonSyntaxException();

    private byte[] buf = new byte[0];
    private int start;
    private int pos;
    private int end;

    private String errorMessage;
    private int errorOffset;

    private char[] chars = new char[128];
    private int charLength;
    private int codePoints;
    private long hash;

    private long unscaled;
    private int exponent;
    private boolean numberInRange;
    private int tokenStart;

    /** Points the cursor at {@code buf[offset, offset + length)}; a leading UTF-8 byte order mark is skipped. */
    public void reset(final byte[] buf, final int offset, final int length) {
        this.buf = buf;
        this.start = offset;
        this.pos = offset;
        this.end = offset + length;
        this.errorMessage = null;
        this.errorOffset = -1;
        if (length >= 3 && (buf[offset] & 0xFF) == 0xEF && (buf[offset + 1] & 0xFF) == 0xBB
            && (buf[offset + 2] & 0xFF) == 0xBF) {
            pos += 3;
        }
    }

    /** The underlying buffer (absolute positions are indexes into it). */
    public byte[] buffer() {
        return buf;
    }

    /** Absolute index of the next byte to read. */
    public int position() {
        return pos;
    }

    /** Moves to an absolute index previously returned by {@link #position()} or {@link #tokenStart()}. */
    public void position(final int absolute) {
        this.pos = absolute;
    }

    /** Absolute index where the last string, number or literal token began. */
    public int tokenStart() {
        return tokenStart;
    }

    /** Skips white space and returns the next byte (0..255) without consuming it, or -1 at the end. */
    public int peek() {
        final byte[] b = buf;
        int p = pos;
        while (p < end) {
            final int c = b[p];
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                p++;
            } else {
                pos = p;
                return c & 0xFF;
            }
        }
        pos = p;
        return -1;
    }

    /** Consumes {@code c} after white space, or fails with a message naming what was expected. */
    public void expect(final char c, final String whatExpected) {
        if (peek() != c) {
            throw fail(whatExpected);
        }
        pos++;
    }

    /** Consumes the next byte (after {@link #peek()} saw it). */
    public void advance() {
        pos++;
    }

    /** Fails unless only white space remains. */
    public void expectEnd() {
        if (peek() != -1) {
            throw fail("unexpected data after the end of the JSON value");
        }
    }

    /** Records a syntax error at the current position and returns the shared exception to throw. */
    public JsonSyntaxException fail(final String message) {
        return failAt(pos, message);
    }

    private JsonSyntaxException failAt(final int absolute, final String message) {
        errorMessage = pos >= end && absolute >= end ? "unexpected end of input: " + message : message;
        errorOffset = absolute - start;
        return syntaxError;
    }

    public String errorMessage() {
        return errorMessage;
    }

    /** Offset of the error from the start of the input, in bytes. */
    public int errorOffset() {
        return errorOffset;
    }

    // ------------------------------------------------------------------------------------------ strings

    /** Decoded characters of the last string; valid until the next {@link #readString()}. */
    public char[] chars() {
        return chars;
    }

    public int charLength() {
        return charLength;
    }

    public int codePoints() {
        return codePoints;
    }

    /** FNV-1a 64 over the UTF-16 chars of the last string. */
    public long hash() {
        return hash;
    }

    /** True when the last string equals {@code s}. */
    public boolean stringEquals(final char[] s) {
        if (s.length != charLength) {
            return false;
        }
        final char[] c = chars;
        for (int i = 0; i < s.length; i++) {
            if (c[i] != s[i]) {
                return false;
            }
        }
        return true;
    }

    /** Reads a string; the next byte must be the opening quote (call after {@link #peek()}). */
    public void readString() {
        final byte[] b = buf;
        final int e = end;
        tokenStart = pos;
        int p = pos + 1;
        int n = 0;
        int cps = 0;
        long h = FNV_OFFSET;
        char[] out = chars;
        while (true) {
            if (p >= e) {
                throw failAt(p, "unterminated string");
            }
            final int c = b[p] & 0xFF;
            if (n + 2 > out.length) {
                out = grow(out, n);
            }
            if (c == '"') {
                p++;
                break;
            } else if (c == '\\') {
                if (p + 1 >= e) {
                    throw failAt(p, "unterminated escape sequence");
                }
                final int x = b[p + 1];
                final char decoded;
                switch (x) {
                    case '"': decoded = '"'; break;
                    case '\\': decoded = '\\'; break;
                    case '/': decoded = '/'; break;
                    case 'b': decoded = '\b'; break;
                    case 'f': decoded = '\f'; break;
                    case 'n': decoded = '\n'; break;
                    case 'r': decoded = '\r'; break;
                    case 't': decoded = '\t'; break;
                    case 'u': decoded = 0; break;
                    default: throw failAt(p, "invalid escape sequence in string");
                }
                if (x != 'u') {
                    out[n++] = decoded;
                    h = (h ^ decoded) * FNV_PRIME;
                    cps++;
                    p += 2;
                } else {
                    final int unit = hex4(b, p + 2, e);
                    p += 6;
                    if (Character.isHighSurrogate((char) unit)) {
                        if (p + 1 >= e || b[p] != '\\' || b[p + 1] != 'u') {
                            throw failAt(p, "unpaired surrogate in \\u escape");
                        }
                        final int low = hex4(b, p + 2, e);
                        if (!Character.isLowSurrogate((char) low)) {
                            throw failAt(p, "unpaired surrogate in \\u escape");
                        }
                        p += 6;
                        out[n++] = (char) unit;
                        out[n++] = (char) low;
                        h = (((h ^ unit) * FNV_PRIME) ^ low) * FNV_PRIME;
                    } else if (Character.isLowSurrogate((char) unit)) {
                        throw failAt(p - 6, "unpaired surrogate in \\u escape");
                    } else {
                        out[n++] = (char) unit;
                        h = (h ^ unit) * FNV_PRIME;
                    }
                    cps++;
                }
            } else if (c < 0x20) {
                throw failAt(p, "control character in string must be escaped");
            } else if (c < 0x80) {
                out[n++] = (char) c;
                h = (h ^ c) * FNV_PRIME;
                cps++;
                p++;
            } else {
                final int cp;
                if (c >= 0xC2 && c <= 0xDF) {
                    cp = ((c & 0x1F) << 6) | cont(b, p + 1, e);
                    p += 2;
                } else if (c >= 0xE0 && c <= 0xEF) {
                    final int c1 = p + 1 < e ? b[p + 1] & 0xFF : -1;
                    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F)) {
                        throw failAt(p, "invalid UTF-8 (overlong or surrogate)");
                    }
                    cp = ((c & 0x0F) << 12) | (cont(b, p + 1, e) << 6) | cont(b, p + 2, e);
                    p += 3;
                } else if (c >= 0xF0 && c <= 0xF4) {
                    final int c1 = p + 1 < e ? b[p + 1] & 0xFF : -1;
                    if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F)) {
                        throw failAt(p, "invalid UTF-8 (overlong or beyond U+10FFFF)");
                    }
                    cp = ((c & 0x07) << 18) | (cont(b, p + 1, e) << 12) | (cont(b, p + 2, e) << 6)
                        | cont(b, p + 3, e);
                    p += 4;
                } else {
                    throw failAt(p, "invalid UTF-8 byte");
                }
                if (cp >= 0x10000) {
                    final char hi = Character.highSurrogate(cp);
                    final char lo = Character.lowSurrogate(cp);
                    out[n++] = hi;
                    out[n++] = lo;
                    h = (((h ^ hi) * FNV_PRIME) ^ lo) * FNV_PRIME;
                } else {
                    out[n++] = (char) cp;
                    h = (h ^ cp) * FNV_PRIME;
                }
                cps++;
            }
        }
        pos = p;
        chars = out;
        charLength = n;
        codePoints = cps;
        hash = h;
    }

    private int cont(final byte[] b, final int p, final int e) {
        if (p >= e) {
            throw failAt(p, "truncated UTF-8 sequence");
        }
        final int c = b[p] & 0xFF;
        if ((c & 0xC0) != 0x80) {
            throw failAt(p, "invalid UTF-8 continuation byte");
        }
        return c & 0x3F;
    }

    private int hex4(final byte[] b, final int p, final int e) {
        if (p + 4 > e) {
            throw failAt(p, "truncated \\u escape");
        }
        int v = 0;
        for (int i = p; i < p + 4; i++) {
            final int c = b[i];
            final int d;
            if (c >= '0' && c <= '9') {
                d = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                d = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                d = c - 'A' + 10;
            } else {
                throw failAt(i, "invalid hex digit in \\u escape");
            }
            v = (v << 4) | d;
        }
        return v;
    }

    private static char[] grow(final char[] old, final int used) {
        final char[] bigger = new char[Math.max(old.length * 2, used + 16)];
        System.arraycopy(old, 0, bigger, 0, used);
        return bigger;
    }

    // ------------------------------------------------------------------------------------------ numbers

    /** Unscaled value of the last number (value = unscaled × 10^exponent); meaningful when in range. */
    public long unscaled() {
        return unscaled;
    }

    public int exponent() {
        return exponent;
    }

    /** False when the last number has more than 18 significant digits or an exponent beyond ±350. */
    public boolean numberInRange() {
        return numberInRange;
    }

    /** True when the last number is mathematically an integer (1.0 and 1e2 are integers). */
    public boolean numberIsInteger() {
        return exponent >= 0 || unscaled == 0;
    }

    /**
     * Reads a number (the next byte must be '-' or a digit). The grammar is enforced exactly; a value that
     * is well-formed but cannot be held exactly leaves {@link #numberInRange()} false instead of failing.
     */
    public void readNumber() {
        final byte[] b = buf;
        final int e = end;
        tokenStart = pos;
        int p = pos;
        boolean negative = false;
        if (b[p] == '-') {
            negative = true;
            p++;
        }
        if (p >= e || b[p] < '0' || b[p] > '9') {
            throw failAt(p, "invalid number: a digit must follow '-'");
        }
        // value = digits × 10^(pendingZeros − fractionDigits + exponentPart); leading zeros are ignored
        // and zeros are only multiplied in when a non-zero digit follows, so digits never ends in 0.
        long digits = 0;
        int significant = 0;
        int pendingZeros = 0;
        int fractionDigits = 0;
        boolean overflow = false;
        if (b[p] == '0' && p + 1 < e && b[p + 1] >= '0' && b[p + 1] <= '9') {
            throw failAt(p, "invalid number: leading zeros are not allowed");
        }
        boolean inFraction = false;
        while (true) {
            while (p < e && b[p] >= '0' && b[p] <= '9') {
                final int d = b[p] - '0';
                if (inFraction) {
                    fractionDigits++;
                }
                if (d == 0) {
                    if (significant > 0) {
                        pendingZeros++;
                    }
                } else {
                    significant += pendingZeros + 1;
                    if (significant > MAX_SIGNIFICANT_DIGITS) {
                        overflow = true;
                    } else {
                        for (int z = 0; z < pendingZeros; z++) {
                            digits *= 10;
                        }
                        digits = digits * 10 + d;
                    }
                    pendingZeros = 0;
                }
                p++;
            }
            if (inFraction || p >= e || b[p] != '.') {
                break;
            }
            p++;
            if (p >= e || b[p] < '0' || b[p] > '9') {
                throw failAt(p, "invalid number: a digit must follow '.'");
            }
            inFraction = true;
        }
        long expPart = 0;
        if (p < e && (b[p] == 'e' || b[p] == 'E')) {
            p++;
            boolean expNegative = false;
            if (p < e && (b[p] == '+' || b[p] == '-')) {
                expNegative = b[p] == '-';
                p++;
            }
            if (p >= e || b[p] < '0' || b[p] > '9') {
                throw failAt(p, "invalid number: a digit must follow the exponent marker");
            }
            while (p < e && b[p] >= '0' && b[p] <= '9') {
                if (expPart < 100_000) {
                    expPart = expPart * 10 + (b[p] - '0');
                }
                p++;
            }
            if (expNegative) {
                expPart = -expPart;
            }
        }
        pos = p;
        if (digits == 0 && !overflow) {
            unscaled = 0;
            exponent = 0;
            numberInRange = true;
            return;
        }
        final long finalExp = expPart + pendingZeros - fractionDigits;
        numberInRange = !overflow && finalExp >= -MAX_EXPONENT && finalExp <= MAX_EXPONENT;
        unscaled = negative ? -digits : digits;
        exponent = (int) Math.max(-MAX_EXPONENT - 1, Math.min(MAX_EXPONENT + 1, finalExp));
    }

    // ------------------------------------------------------------------------------------------ literals

    /** Reads {@code true}, {@code false} or {@code null}; returns the first letter ('t', 'f' or 'n'). */
    public int readLiteral() {
        final int c = peek();
        tokenStart = pos;
        if (c == 't' && matches("true")) {
            pos += 4;
        } else if (c == 'f' && matches("false")) {
            pos += 5;
        } else if (c == 'n' && matches("null")) {
            pos += 4;
        } else {
            throw fail("invalid literal: expected true, false or null");
        }
        if (pos < end) {
            final int next = buf[pos];
            if ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || (next >= '0' && next <= '9')) {
                throw fail("invalid literal: expected true, false or null");
            }
        }
        return c;
    }

    private boolean matches(final String word) {
        if (pos + word.length() > end) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (buf[pos + i] != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
