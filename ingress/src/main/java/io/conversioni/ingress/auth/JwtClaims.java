package io.conversioni.ingress.auth;

import java.util.List;
import java.util.Map;

/**
 * Checks the claims of a payload whose signature has already been verified, as the library parsed them (numbers
 * are {@code Long} or {@code Double}): types ({@code exp}, {@code nbf}, {@code iat} NumericDates; {@code sub},
 * {@code iss} strings, {@code sub} well-formed UTF-16; {@code aud} string or array of strings; {@code scope} a
 * space-separated string), the required {@code exp}, the configured {@code iss} and {@code aud}, and then the time
 * window. The scopes come from {@code scope}, or from the settings' default when the claim is absent. Other
 * claims are ignored. The library's own claim checks are not used: they round fractional dates down and accept
 * any type, where this server wants the stricter side and a clear rejection.
 *
 * <p>Threading: stateless. Allocation: one accepted {@link JwtResult} and cache entry per accepted token;
 * rejections are shared constants.
 */
final class JwtClaims {
    /** 9999-12-31T23:59:59Z: NumericDates beyond this (or negative) are malformed. */
    static final long MAX_NUMERIC_DATE = 253_402_300_799L;

    private static final long ABSENT = -1;
    private static final long INVALID = -2;

    private JwtClaims() {
    }

    /**
     * An entry whose result is accepted (then cacheable) or a rejection (its bounds are meaningless).
     * NumericDates may be fractional: {@code exp} is rounded down, {@code nbf} and {@code iat} up (strictest).
     */
    static VerifiedTokenCache.Entry check(final Map<String, Object> claims, final JwtSettings settings, final long now,
        final long keysGeneration) {
        final Object sub = claims.get("sub");
        final Object scope = claims.get("scope");
        final long exp = numericDate(claims, "exp", false);
        final long nbf = numericDate(claims, "nbf", true);
        final long iat = numericDate(claims, "iat", true);
        if (presentNull(claims, "sub") || presentNull(claims, "scope")
            || (sub != null && !(sub instanceof String && wellFormed((String) sub)))
            || (scope != null && !(scope instanceof String))
            || exp == INVALID || nbf == INVALID || iat == INVALID) {
            return rejected(JwtResult.CLAIM_MALFORMED);
        }
        if (exp == ABSENT && settings.requireExp()) {
            return rejected(JwtResult.NO_EXP);
        }
        if (settings.issuer() != null && !settings.issuer().equals(claims.get("iss"))) {
            return rejected(JwtResult.WRONG_ISSUER);
        }
        if (settings.audience() != null && !hasAudience(claims.get("aud"), settings.audience())) {
            return rejected(JwtResult.WRONG_AUDIENCE);
        }
        final long expiresAt = exp == ABSENT ? JwtResult.NO_EXPIRY : exp;
        final long validFrom = Math.max(Math.max(nbf, iat), 0L);
        final JwtResult timeFailure = JwtVerifier.timeFailure(validFrom, expiresAt, now, settings.leewaySeconds());
        if (timeFailure != null) {
            return rejected(timeFailure);
        }
        final int scopes = scope == null ? settings.defaultScopes() : Scopes.parse((String) scope);
        return new VerifiedTokenCache.Entry(JwtResult.accepted((String) sub, expiresAt, scopes), validFrom, expiresAt,
            keysGeneration);
    }

    /** No lone surrogate: the subject becomes a rate-limit key and a log field. */
    private static boolean wellFormed(final String s) {
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasAudience(final Object aud, final String expected) {
        if (aud instanceof String) {
            return expected.equals(aud);
        }
        return aud instanceof List && ((List<?>) aud).contains(expected);
    }

    /** A claim written as JSON {@code null}: a wrong type, not an absent claim. */
    private static boolean presentNull(final Map<String, Object> claims, final String name) {
        return claims.containsKey(name) && claims.get(name) == null;
    }

    /** Epoch seconds in [0, MAX_NUMERIC_DATE], {@link #ABSENT} for no claim, {@link #INVALID} for anything else. */
    private static long numericDate(final Map<String, Object> claims, final String name, final boolean roundUp) {
        final Object value = claims.get(name);
        if (value == null) {
            return claims.containsKey(name) ? INVALID : ABSENT;
        }
        final double seconds;
        if (value instanceof Long) {
            final long whole = (Long) value;
            return whole < 0 || whole > MAX_NUMERIC_DATE ? INVALID : whole;
        } else if (value instanceof Double) {
            seconds = roundUp ? Math.ceil((Double) value) : Math.floor((Double) value);
        } else {
            return INVALID;
        }
        // NaN and infinities fail both comparisons' complement: only finite values in range pass.
        if (!(seconds >= 0 && seconds <= MAX_NUMERIC_DATE)) {
            return INVALID;
        }
        return (long) seconds;
    }

    private static VerifiedTokenCache.Entry rejected(final JwtResult result) {
        return new VerifiedTokenCache.Entry(result, 0L, 0L, 0L);
    }
}
