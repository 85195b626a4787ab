package io.conversioni.ingress.auth;

import java.util.Base64;

/**
 * Strict base64url (RFC 4648 §5) as JOSE uses it: URL alphabet only, no padding, no whitespace, and zero
 * unused trailing bits. The JOSE library decodes leniently (it skips characters outside the alphabet); this
 * check runs first, so that every accepted token has exactly one spelling and the verified-token cache, keyed by
 * the token's text, cannot be filled with variants of one token.
 *
 * <p>Threading: stateless. Allocation: {@link #isCanonical} none; {@link #encode} the result.
 */
final class Base64Url {
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
