package io.conversioni.ingress.auth;

import io.conversioni.json.JsonTree;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies the bearer JWT of an {@code Authorization} header: compact JWS with HS256, RS256 or ES256, key
 * chosen by {@code kid} and bound to its algorithm, then {@code exp}/{@code nbf}/{@code iat} with leeway and the
 * configured {@code iss}/{@code aud}. Never throws on client input: every outcome is a {@link JwtResult}.
 *
 * <p>Rules: {@code alg} must be in the allow-list ({@code none}, in any case, never is); a key is only used with
 * its own algorithm (no HMAC over a public key); header parameters that would fetch or embed keys
 * ({@code jku}, {@code jwk}, {@code x5u}, {@code x5c}) are ignored and {@code crit} is refused; base64url must be
 * canonical and JSON strict (duplicate names refused); the signature is checked before the payload is parsed.
 *
 * <p>Threading: any number of threads (the Undertow workers) may call {@link #verify} at once; the settings are
 * immutable and the cache is concurrent. Allocation: none when the header is in the cache (the common case:
 * the same CRM token on every webhook); otherwise the decoded parts, a JSON tree and a JCA object per call.
 * Growth: only accepted tokens are cached, keyed by the exact header value, at most
 * {@link JwtSettings#cacheCapacity()} of them; a hit is re-checked against {@code exp}/{@code nbf}/{@code iat}
 * at the caller's time. Rejections are never cached.
 */
public final class JwtVerifier {
    /** Longest {@code Authorization} value examined; longer ones are malformed before any hashing or parsing. */
    public static final int MAX_HEADER_CHARS = 8192;

    private static final String SCHEME = "Bearer";

    private final JwtSettings settings;
    private final List<VerificationKey> keys;
    private final Set<JwtAlgorithm> allowed;
    private final long leewaySeconds;
    private final JwtResult algNotAllowed;
    private final VerifiedTokenCache cache;

    public JwtVerifier(final JwtSettings settings) {
        this.settings = settings;
        this.keys = settings.keys();
        this.allowed = settings.allowedAlgorithms();
        this.leewaySeconds = settings.leewaySeconds();
        this.algNotAllowed = JwtResult.rejected(JwtResult.ALG_NOT_ALLOWED,
            "The token's 'alg' is not accepted by this server; sign it with one of " + allowed + ".");
        this.cache = new VerifiedTokenCache(settings.cacheCapacity());
    }

    /**
     * Verifies {@code authorizationHeader} ({@code "Bearer <compact JWS>"}, scheme case-insensitive; {@code null}
     * when the request had none) at {@code nowEpochSeconds}.
     */
    public JwtResult verify(final String authorizationHeader, final long nowEpochSeconds) {
        if (authorizationHeader == null) {
            return JwtResult.MISSING;
        }
        if (authorizationHeader.length() > MAX_HEADER_CHARS) {
            return JwtResult.TOO_LONG;
        }
        final VerifiedTokenCache.Entry cached = cache.get(authorizationHeader);
        if (cached != null) {
            final JwtResult timeFailure = timeFailure(cached.validFromEpochSeconds(), cached.expiresAtEpochSeconds(),
                nowEpochSeconds, leewaySeconds);
            if (timeFailure == null) {
                return cached.result();
            }
            if (timeFailure == JwtResult.EXPIRED) {
                cache.remove(authorizationHeader, cached);
            }
            return timeFailure;
        }
        final int start = tokenStart(authorizationHeader);
        if (start < 0) {
            return JwtResult.MISSING;
        }
        final int end = tokenEnd(authorizationHeader);
        final VerifiedTokenCache.Entry entry = verifyToken(authorizationHeader.substring(start, end), nowEpochSeconds);
        if (entry.result().ok()) {
            cache.put(authorizationHeader, entry, nowEpochSeconds, leewaySeconds);
        }
        return entry.result();
    }

    /** The settings this verifier was built from. */
    public JwtSettings settings() {
        return settings;
    }

    int cachedTokenCount() {
        return cache.size();
    }

    /** {@code null} when the time claims hold at {@code now}; else the expired or not-yet-valid rejection. */
    static JwtResult timeFailure(final long validFrom, final long expiresAt, final long now, final long leeway) {
        if (isExpired(expiresAt, now, leeway)) {
            return JwtResult.EXPIRED;
        }
        // validFrom is in [0, MAX_NUMERIC_DATE]: the subtraction cannot overflow for any plausible now.
        return validFrom - now > leeway ? JwtResult.NOT_YET_VALID : null;
    }

    /** RFC 7519 §4.1.4: the current time must be before {@code exp}, give or take the leeway. */
    static boolean isExpired(final long expiresAt, final long now, final long leeway) {
        return expiresAt != JwtResult.NO_EXPIRY && now - expiresAt >= leeway;
    }

    private VerifiedTokenCache.Entry verifyToken(final String token, final long now) {
        final int dot1 = token.indexOf('.');
        final int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
        if (dot1 <= 0 || dot2 <= dot1 + 1 || token.indexOf('.', dot2 + 1) >= 0
            || !Base64Url.isCanonical(token, 0, dot1) || !Base64Url.isCanonical(token, dot1 + 1, dot2)
            || !Base64Url.isCanonical(token, dot2 + 1, token.length())) {
            return rejected(JwtResult.MALFORMED);
        }
        final Map<?, ?> header = jsonObject(Base64Url.decode(token, 0, dot1));
        if (header == null || !(header.get("alg") instanceof String)) {
            return rejected(JwtResult.MALFORMED);
        }
        final String alg = (String) header.get("alg");
        if ("none".equalsIgnoreCase(alg)) {
            return rejected(JwtResult.ALG_NONE);
        }
        final JwtAlgorithm algorithm = JwtAlgorithm.fromJoseName(alg);
        if (algorithm == null || !allowed.contains(algorithm)) {
            return rejected(algNotAllowed);
        }
        if (header.containsKey("crit")) {
            return rejected(JwtResult.CRIT_UNSUPPORTED);
        }
        final Object kid = header.get("kid");
        if (kid != null && !(kid instanceof String)) {
            return rejected(JwtResult.MALFORMED);
        }
        final byte[] signingInput = token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII);
        final JwtResult signatureFailure = checkSignature(algorithm, (String) kid, signingInput,
            Base64Url.decode(token, dot2 + 1, token.length()));
        if (signatureFailure != null) {
            return rejected(signatureFailure);
        }
        final Map<?, ?> claims = jsonObject(Base64Url.decode(token, dot1 + 1, dot2));
        if (claims == null) {
            return rejected(JwtResult.MALFORMED);
        }
        return JwtClaims.check(claims, settings, now);
    }

    /**
     * Tries the keys the token may use: those named by its {@code kid}; if no key has that kid, or the token has
     * none, every key of its algorithm (keys from a PEM file or secret have no kid and serve any token).
     */
    private JwtResult checkSignature(final JwtAlgorithm algorithm, final String kid, final byte[] signingInput,
        final byte[] signature) {
        boolean kidKnown = false;
        if (kid != null) {
            for (final VerificationKey key : keys) {
                kidKnown |= kid.equals(key.kid());
            }
        }
        boolean tried = false;
        boolean otherAlgorithm = false;
        for (final VerificationKey key : keys) {
            final boolean eligible = kid == null || (kidKnown ? kid.equals(key.kid()) : key.kid() == null);
            if (!eligible) {
                continue;
            }
            if (key.algorithm() != algorithm) {
                otherAlgorithm = true;
                continue;
            }
            tried = true;
            if (key.verify(signingInput, signature)) {
                return null;
            }
        }
        if (tried) {
            return JwtResult.BAD_SIGNATURE;
        }
        return kidKnown && otherAlgorithm ? JwtResult.ALG_KEY_MISMATCH : JwtResult.UNKNOWN_KEY;
    }

    private static Map<?, ?> jsonObject(final byte[] json) {
        try {
            final Object value = JsonTree.parse(json);
            return value instanceof Map ? (Map<?, ?>) value : null;
        } catch (JsonTree.JsonTreeException e) {
            return null;
        }
    }

    /** Index of the token after {@code Bearer} and its spaces, or -1 when the scheme is not Bearer or no token. */
    private static int tokenStart(final String header) {
        int i = 0;
        while (i < header.length() && isSpace(header.charAt(i))) {
            i++;
        }
        if (!header.regionMatches(true, i, SCHEME, 0, SCHEME.length())) {
            return -1;
        }
        i += SCHEME.length();
        if (i >= header.length() || !isSpace(header.charAt(i))) {
            return -1;
        }
        while (i < header.length() && isSpace(header.charAt(i))) {
            i++;
        }
        return i < header.length() ? i : -1;
    }

    private static int tokenEnd(final String header) {
        int end = header.length();
        while (end > 0 && isSpace(header.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    private static boolean isSpace(final char c) {
        return c == ' ' || c == '\t';
    }

    private static VerifiedTokenCache.Entry rejected(final JwtResult result) {
        return new VerifiedTokenCache.Entry(result, 0L, 0L);
    }

    @Override
    public String toString() {
        return "JwtVerifier[" + settings + "]";
    }
}
