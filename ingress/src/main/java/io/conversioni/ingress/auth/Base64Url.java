package io.conversioni.ingress.auth;

import java.util.Base64;

/**
 * Strict base64url (RFC 4648 §5) as JOSE uses it: URL alphabet only, no padding, no whitespace, and zero
 * unused trailing bits, so that every byte string has exactly one encoding and a token cannot be altered
 * without changing its bytes.
 *
 * <p>Threading: stateless. Allocation: {@link #decode} allocates the result and a substring.
 */
final class Base64Url {
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private Base64Url() {
    }

    /** Whether {@code s[from, to)} is canonical unpadded base64url (the empty range is). */
    static boolean isCanonical(final CharSequence s, final int from, final int to) {
        final int length = to - from;
        final int tail = length & 3;
        if (tail == 1) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (value(s.charAt(i)) < 0) {
                return false;
            }
        }
        if (tail == 0) {
            return true;
        }
        final int last = value(s.charAt(to - 1));
        // 2 trailing chars carry 1 byte (4 unused bits); 3 carry 2 bytes (2 unused bits).
        return (last & (tail == 2 ? 0x0F : 0x03)) == 0;
    }

    /** Decodes {@code s[from, to)}, which {@link #isCanonical} must have accepted. */
    static byte[] decode(final String s, final int from, final int to) {
        return DECODER.decode(s.substring(from, to));
    }

    /** Decodes a whole canonical string, or returns {@code null} when it is not canonical base64url. */
    static byte[] decodeOrNull(final String s) {
        return isCanonical(s, 0, s.length()) ? DECODER.decode(s) : null;
    }

    static String encode(final byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }

    private static int value(final char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        if (c == '-') {
            return 62;
        }
        return c == '_' ? 63 : -1;
    }
}
