package io.conversioni.json;

import org.agrona.UnsafeApi;

import java.nio.charset.StandardCharsets;

/**
 * A strict pull reader over a byte range holding one JSON text (RFC 8259).
 *
 * <p>Strings stay UTF-8: a string without escapes is a range of the input (no copy), one with escapes is
 * unescaped into a reused scratch buffer; either way its length in code points is counted; numbers are read exactly as {@code unscaled × 10^exponent} (normalised: no trailing zeros
 * in {@code unscaled}), never through a {@code double}. Invalid UTF-8, unescaped control characters, lone
 * surrogates, leading zeros, and any other syntax error raise the cursor's single preallocated
 * {@link JsonSyntaxException}; {@link #errorMessage()} and {@link #errorOffset()} describe it.
 *
 * <p>Threading: confined to one thread. Allocation: none after the scratch buffer has grown to the longest
 * escaped input seen (it only grows). Recycle: {@link #reset(byte[], int, int)} for every new input.
 */
public final class JsonCursor {
    /** Byte-array base offset for word reads; every read below is bounds-checked by its loop condition. */
    private static final long BYTES_BASE = org.agrona.BufferUtil.ARRAY_BASE_OFFSET;
    /** Numbers with more significant digits than this cannot be held exactly and are out of range. */
    public static final int MAX_SIGNIFICANT_DIGITS = 18;
    /** Decimal exponents beyond ± this are out of range. */
    public static final int MAX_EXPONENT = 350;

    private static final long HASH_SEED = 0xcbf29ce484222325L;

    private final JsonSyntaxException syntaxError = new JsonSyntaxException();

    private byte[] buf = new byte[0];
    private int start;
    private int pos;
    private int end;

    private String errorMessage;
    private int errorOffset;

    private byte[] scratch = new byte[256];
    private byte[] strBuf = scratch;
    private int strOffset;
    private int strLength;
    private int codePoints;

    private long unscaled;
    private int exponent;
    private boolean numberInRange;
    private int tokenStart;

    /** Points the cursor at {@code buf[offset, offset + length)}; a leading UTF-8 byte order mark is skipped. */
    public void reset(final byte[] buf, final int offset, final int length) {
        if (this.buf != buf) {
            this.buf = buf; // a reference store into a long-lived object costs a G1 card-mark fence: only on change
        }
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
            // every byte above ' ' is not white space: one compare for nearly every call
            if (c > ' ' || (c != ' ' && c != '\n' && c != '\r' && c != '\t')) {
                pos = p;
                return c & 0xFF;
            }
            p++;
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

    /**
     * The bytes of the last string, unescaped, in UTF-8: the input buffer itself when the string had no
     * escape (no copy), else the cursor's scratch buffer. Valid until the next {@link #readString()}.
     */
    public byte[] stringBytes() {
        return strBuf;
    }

    public int stringOffset() {
        return strOffset;
    }

    /** Length of the last string in UTF-8 bytes. */
    public int stringLength() {
        return strLength;
    }

    /** Length of the last string in Unicode code points (what JSON Schema's minLength counts). */
    public int codePoints() {
        return codePoints;
    }

    /** True when the last string is all ASCII (then bytes, chars and code points coincide). */
    public boolean isAscii() {
        return codePoints == strLength;
    }

    /** True when the last string's UTF-8 bytes equal {@code utf8}. */
    public boolean stringEquals(final byte[] utf8) {
        return strLength == utf8.length && sameBytes(strBuf, strOffset, utf8, 0, strLength);
    }

    /** The last string as a new {@link String} (allocates: start-up files, messages and tests only). */
    public String stringValue() {
        return new String(strBuf, strOffset, strLength, StandardCharsets.UTF_8);
    }

    /** 64-bit hash of the last string's UTF-8 bytes ({@link #hash(byte[], int, int)}). */
    public long hash() {
        return hash(strBuf, strOffset, strLength);
    }

    /**
     * A cheap, constant-time hash of the last string (length, first, middle and last bytes) for small
     * lookup tables of property names, where every hit is confirmed by comparing bytes anyway.
     */
    public int keyHash() {
        return keyHash(strBuf, strOffset, strLength);
    }

    /** {@link #keyHash()} of {@code bytes[from, from + length)}. */
    public static int keyHash(final byte[] bytes, final int from, final int length) {
        if (length == 0) {
            return 0;
        }
        final int h = length * 0x9E3779B1 ^ bytes[from] * 0x85EBCA77 ^ bytes[from + length / 2] * 0xC2B2AE3D
            ^ bytes[from + length - 1] * 0x27D4EB2F;
        return h ^ (h >>> 15);
    }

    /**
     * Whether {@code a[aFrom, aFrom + length)} and {@code b[bFrom, bFrom + length)} hold the same bytes. For
     * the short names and constants of a schema: eight bytes per compare and no set-up, where
     * {@code Arrays.equals} pays for vectorising and range checks first. The caller guarantees both ranges
     * lie inside their arrays (nothing outside them is read).
     */
    public static boolean sameBytes(final byte[] a, final int aFrom, final byte[] b, final int bFrom, final int length) {
        if (length >= 8) {
            final long aBase = BYTES_BASE + aFrom;
            final long bBase = BYTES_BASE + bFrom;
            int i = 0;
            for (; i + 8 <= length; i += 8) {
                if (UnsafeApi.getLong(a, aBase + i) != UnsafeApi.getLong(b, bBase + i)) {
                    return false;
                }
            }
            // the last eight bytes, overlapping what was compared: still inside both ranges
            return i == length
                || UnsafeApi.getLong(a, aBase + length - 8) == UnsafeApi.getLong(b, bBase + length - 8);
        }
        for (int i = 0; i < length; i++) {
            if (a[aFrom + i] != b[bFrom + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * 64-bit hash of {@code bytes[from, from + length)}, eight bytes per step with a final avalanche
     * (for dedupe keys and dictionaries; not cryptographic). Allocates nothing.
     */
    public static long hash(final byte[] bytes, final int from, final int length) {
        return hash(bytes, from, length, HASH_SEED);
    }

    /** {@link #hash(byte[], int, int)} with another seed: a second, independent 64 bits for wide keys. */
    public static long hash(final byte[] bytes, final int from, final int length, final long seed) {
        long h = seed ^ (length * 0x9E3779B97F4A7C15L);
        int p = from;
        final int end = from + length;
        while (p + 8 <= end) {
            h = Long.rotateLeft(h ^ (UnsafeApi.getLong(bytes, BYTES_BASE + p) * 0xC2B2AE3D27D4EB4FL), 31) * 0x9E3779B97F4A7C15L;
            p += 8;
        }
        long tail = 0;
        for (int shift = 0; p < end; p++, shift += 8) {
            tail |= (bytes[p] & 0xFFL) << shift;
        }
        return finish(Long.rotateLeft(h ^ (tail * 0xC2B2AE3D27D4EB4FL), 31) * 0x9E3779B97F4A7C15L);
    }

    /**
     * {@link #hash(byte[], int, int, long)} with two seeds in one pass over the bytes: {@code out[0]} and
     * {@code out[1]} get exactly what the two calls would return (each word is read once, and the two
     * multiply chains overlap). For keys wider than 64 bits; allocates nothing.
     */
    public static void hashPair(final byte[] bytes, final int from, final int length, final long seedA, final long seedB,
                                final long[] out) {
        final long lengthMix = length * 0x9E3779B97F4A7C15L;
        long a = seedA ^ lengthMix;
        long b = seedB ^ lengthMix;
        int p = from;
        final int end = from + length;
        while (p + 8 <= end) {
            final long word = UnsafeApi.getLong(bytes, BYTES_BASE + p) * 0xC2B2AE3D27D4EB4FL;
            a = Long.rotateLeft(a ^ word, 31) * 0x9E3779B97F4A7C15L;
            b = Long.rotateLeft(b ^ word, 31) * 0x9E3779B97F4A7C15L;
            p += 8;
        }
        long tail = 0;
        for (int shift = 0; p < end; p++, shift += 8) {
            tail |= (bytes[p] & 0xFFL) << shift;
        }
        tail *= 0xC2B2AE3D27D4EB4FL;
        out[0] = finish(Long.rotateLeft(a ^ tail, 31) * 0x9E3779B97F4A7C15L);
        out[1] = finish(Long.rotateLeft(b ^ tail, 31) * 0x9E3779B97F4A7C15L);
    }

    private static long finish(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }

    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /** True when any byte of {@code word} is a control char, '"', '\\' or not ASCII (SWAR tests). */
    private static boolean needsAttention(final long word) {
        final long control = (word - ONES * 0x20) & ~word;
        final long quote = word ^ (ONES * '"');
        final long backslash = word ^ (ONES * '\\');
        final long quoteZero = (quote - ONES) & ~quote;
        final long backslashZero = (backslash - ONES) & ~backslash;
        return ((control | quoteZero | backslashZero | word) & HIGHS) != 0;
    }

    /**
     * Reads the next string when its bytes are exactly {@code quoted} (a name in quotes, every byte
     * standing for itself) and returns true, leaving the cursor as {@link #readString()} would; else
     * returns false and moves nothing. Call after {@link #peek()} saw the opening quote.
     */
    public boolean tryQuoted(final byte[] quoted) {
        final int p = pos;
        final int length = quoted.length;
        if (length > end - p || !sameBytes(buf, p, quoted, 0, length)) {
            return false;
        }
        tokenStart = p;
        setStrBuf(buf);
        strOffset = p + 1;
        strLength = length - 2;
        codePoints = length - 2;
        pos = p + length;
        return true;
    }

    /**
     * Points {@link #stringBytes()} at {@code bytes}, storing the reference only when it changes: nearly every
     * string lies in the same body, and each reference store into this long-lived cursor pays G1's card-mark
     * fence.
     */
    private void setStrBuf(final byte[] bytes) {
        if (strBuf != bytes) {
            strBuf = bytes;
        }
    }

    /** Reads a string; the next byte must be the opening quote (call after {@link #peek()}). */
    public void readString() {
        final byte[] b = buf;
        final int e = end;
        tokenStart = pos;
        final int start = pos + 1;
        int p = start;
        // fast path: scan plain ASCII eight bytes at a time, then byte by byte
        while (p + 8 <= e && !needsAttention(UnsafeApi.getLong(b, BYTES_BASE + p))) {
            p += 8;
        }
        while (p < e) {
            final int c = b[p];
            if (c < 0x20 || c == '"' || c == '\\') {
                break; // non-ASCII bytes are negative and stop here too
            }
            p++;
        }
        if (p < e && b[p] == '"') {
            setStrBuf(b);
            strOffset = start;
            strLength = p - start;
            codePoints = strLength;
            pos = p + 1;
            return;
        }
        readStringSlow(start, p);
    }

    /** Non-ASCII, escapes, errors: validates UTF-8 and unescapes into the scratch buffer if needed. */
    private void readStringSlow(final int start, final int asciiEnd) {
        final byte[] b = buf;
        final int e = end;
        int p = asciiEnd;
        int cps = asciiEnd - start;
        byte[] out = null;   // becomes the scratch buffer at the first escape
        int n = 0;
        while (true) {
            if (p >= e) {
                throw failAt(p, "unterminated string");
            }
            final int c = b[p] & 0xFF;
            if (c == '"') {
                break;
            } else if (c == '\\') {
                if (out == null) {
                    // an escape needs at most as many bytes as it replaces: the rest of the input bounds it
                    if (scratch.length < e - start) {
                        scratch = new byte[Math.max(e - start, scratch.length * 2)];
                    }
                    out = scratch;
                    n = p - start;
                    System.arraycopy(b, start, out, 0, n);
                }
                if (p + 1 >= e) {
                    throw failAt(p, "unterminated escape sequence");
                }
                final int x = b[p + 1];
                int cp;
                switch (x) {
                    case '"': cp = '"'; break;
                    case '\\': cp = '\\'; break;
                    case '/': cp = '/'; break;
                    case 'b': cp = '\b'; break;
                    case 'f': cp = '\f'; break;
                    case 'n': cp = '\n'; break;
                    case 'r': cp = '\r'; break;
                    case 't': cp = '\t'; break;
                    case 'u': cp = -1; break;
                    default: throw failAt(p, "invalid escape sequence in string");
                }
                if (cp >= 0) {
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
                        cp = Character.toCodePoint((char) unit, (char) low);
                    } else if (Character.isLowSurrogate((char) unit)) {
                        throw failAt(p - 6, "unpaired surrogate in \\u escape");
                    } else {
                        cp = unit;
                    }
                }
                n = putUtf8(out, n, cp);
                cps++;
            } else if (c < 0x20) {
                throw failAt(p, "control character in string must be escaped");
            } else {
                final int len;
                if (c < 0x80) {
                    len = 1;
                } else if (c >= 0xC2 && c <= 0xDF) {
                    cont(b, p + 1, e);
                    len = 2;
                } else if (c >= 0xE0 && c <= 0xEF) {
                    final int c1 = p + 1 < e ? b[p + 1] & 0xFF : -1;
                    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F)) {
                        throw failAt(p, "invalid UTF-8 (overlong or surrogate)");
                    }
                    cont(b, p + 1, e);
                    cont(b, p + 2, e);
                    len = 3;
                } else if (c >= 0xF0 && c <= 0xF4) {
                    final int c1 = p + 1 < e ? b[p + 1] & 0xFF : -1;
                    if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F)) {
                        throw failAt(p, "invalid UTF-8 (overlong or beyond U+10FFFF)");
                    }
                    cont(b, p + 1, e);
                    cont(b, p + 2, e);
                    cont(b, p + 3, e);
                    len = 4;
                } else {
                    throw failAt(p, "invalid UTF-8 byte");
                }
                if (out != null) {
                    System.arraycopy(b, p, out, n, len);
                    n += len;
                }
                p += len;
                cps++;
            }
        }
        if (out == null) {
            setStrBuf(b);
            strOffset = start;
            strLength = p - start;
        } else {
            setStrBuf(out);
            strOffset = 0;
            strLength = n;
        }
        codePoints = cps;
        pos = p + 1;
    }

    private static int putUtf8(final byte[] out, final int n, final int cp) {
        if (cp < 0x80) {
            out[n] = (byte) cp;
            return n + 1;
        } else if (cp < 0x800) {
            out[n] = (byte) (0xC0 | (cp >> 6));
            out[n + 1] = (byte) (0x80 | (cp & 0x3F));
            return n + 2;
        } else if (cp < 0x10000) {
            out[n] = (byte) (0xE0 | (cp >> 12));
            out[n + 1] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            out[n + 2] = (byte) (0x80 | (cp & 0x3F));
            return n + 3;
        }
        out[n] = (byte) (0xF0 | (cp >> 18));
        out[n + 1] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        out[n + 2] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        out[n + 3] = (byte) (0x80 | (cp & 0x3F));
        return n + 4;
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
