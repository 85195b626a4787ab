package io.conversioni.ingress.auth;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/**
 * Checks the registered claims of a payload whose signature has already been verified: types ({@code exp},
 * {@code nbf}, {@code iat} NumericDates; {@code sub}, {@code iss} strings; {@code aud} string or array of
 * strings), the required {@code exp}, the configured {@code iss} and {@code aud}, and then the time window.
 * Other claims are ignored.
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
    static VerifiedTokenCache.Entry check(final Map<?, ?> claims, final JwtSettings settings, final long now) {
        final Object sub = claims.get("sub");
        final long exp = numericDate(claims.get("exp"), RoundingMode.FLOOR);
        final long nbf = numericDate(claims.get("nbf"), RoundingMode.CEILING);
        final long iat = numericDate(claims.get("iat"), RoundingMode.CEILING);
        if ((sub != null && !(sub instanceof String)) || exp == INVALID || nbf == INVALID || iat == INVALID) {
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
        return new VerifiedTokenCache.Entry(JwtResult.accepted((String) sub, expiresAt), validFrom, expiresAt);
    }

    private static boolean hasAudience(final Object aud, final String expected) {
        if (aud instanceof String) {
            return expected.equals(aud);
        }
        return aud instanceof List && ((List<?>) aud).contains(expected);
    }

    /** Epoch seconds in [0, MAX_NUMERIC_DATE], {@link #ABSENT} for no claim, {@link #INVALID} for anything else. */
    private static long numericDate(final Object value, final RoundingMode rounding) {
        if (value == null) {
            return ABSENT;
        }
        if (!(value instanceof BigDecimal)) {
            return INVALID;
        }
        final BigDecimal seconds = ((BigDecimal) value).setScale(0, rounding);
        if (seconds.signum() < 0 || seconds.compareTo(BigDecimal.valueOf(MAX_NUMERIC_DATE)) > 0) {
            return INVALID;
        }
        return seconds.longValueExact();
    }

    private static VerifiedTokenCache.Entry rejected(final JwtResult result) {
        return new VerifiedTokenCache.Entry(result, 0L, 0L);
    }
}
