package io.conversioni.ingress.auth;

import com.nimbusds.jose.Header;
import com.nimbusds.jose.HeaderParameterNames;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;

import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies the bearer JWT of an {@code Authorization} header with the JOSE library (nimbus-jose-jwt): compact JWS
 * with HS256, RS256 or ES256, key chosen by {@code kid} and bound to its algorithm, then {@code exp}/{@code nbf}/
 * {@code iat} with leeway, the configured {@code iss}/{@code aud} and the {@code scope} claim. Never throws on
 * client input: every outcome is a {@link JwtResult} with a stable code.
 *
 * <p>What this class adds to the library: the verified-token cache in front of it; a canonical-base64url check
 * (one spelling per token); {@code alg} checked against the allow-list before any key is touched ({@code none},
 * in any case, never passes); a key only ever used with its own algorithm ({@link JwkPolicy}: no HMAC over a
 * public key); {@code crit} refused; header keys ({@code jwk}, {@code jku}, {@code x5u}, {@code x5c}) never used;
 * {@code exp} required by default; strict claim types ({@link JwtClaims}). The library parses (strict JSON,
 * duplicate names refused), fetches JWKS URLs and checks signatures.
 *
 * <p>Threading: any number of threads (the Undertow IO threads) may call {@link #verify} at once; the settings
 * are immutable and the cache is concurrent. Allocation: none when the header is in the cache (the common case:
 * the same CRM token on every webhook; a hit costs one hash lookup and a volatile read, no signature);
 * otherwise the library's parse and verifier objects per call. Growth: only accepted tokens are cached, keyed by
 * the exact header value, at most {@link JwtSettings#cacheCapacity()} of them; a hit is re-checked against
 * {@code exp}/{@code nbf}/{@code iat} at the caller's time, and verified again after the key set changed.
 * Rejections are never cached. With a JWKS URL, {@link #close()} stops the background refresh.
 */
public final class JwtVerifier implements AutoCloseable {
    /** Longest {@code Authorization} value examined; longer ones are malformed before any hashing or parsing. */
    public static final int MAX_HEADER_CHARS = 8192;

    private static final String SCHEME = "Bearer";

    private final JwtSettings settings;
    private final VerificationKeys keys;
    private final Set<JwtAlgorithm> allowed;
    private final long leewaySeconds;
    private final JwtResult algNotAllowed;
    private final VerifiedTokenCache cache;

    public JwtVerifier(final JwtSettings settings) {
        this.settings = settings;
        this.keys = settings.jwksUrl() == null ? VerificationKeys.fixed(settings.keys()) : new JwksUrlKeys(settings);
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
        if (cached != null && cached.keysGeneration() == keys.generation()) {
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
        if (cached != null) {
            cache.remove(authorizationHeader, cached);
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

    /** Stops the JWKS URL's background refresh; nothing to do with fixed keys. */
    @Override
    public void close() {
        keys.close();
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
        // Read before the keys: a set that changes during this call leaves an entry of the older generation.
        final long generation = keys.generation();
        final Base64URL headerPart = new Base64URL(token.substring(0, dot1));
        final Header parsed = header(headerPart);
        if (parsed == null) {
            return rejected(JwtResult.MALFORMED);
        }
        final String alg = parsed.getAlgorithm().getName();
        if (parsed instanceof PlainHeader || "none".equalsIgnoreCase(alg)) {
            return rejected(JwtResult.ALG_NONE);
        }
        final JwtAlgorithm algorithm = JwtAlgorithm.fromJoseName(alg);
        if (!(parsed instanceof JWSHeader) || algorithm == null || !allowed.contains(algorithm)) {
            return rejected(algNotAllowed);
        }
        if (parsed.getIncludedParams().contains(HeaderParameterNames.CRITICAL)) {
            return rejected(JwtResult.CRIT_UNSUPPORTED);
        }
        final JWSObject jws;
        try {
            jws = new JWSObject(headerPart, new Base64URL(token.substring(dot1 + 1, dot2)),
                new Base64URL(token.substring(dot2 + 1)));
        } catch (ParseException e) {
            // The library refuses an empty signature outright; for us it is a signature that does not verify.
            return rejected(dot2 + 1 == token.length() ? JwtResult.BAD_SIGNATURE : JwtResult.MALFORMED);
        }
        final JwtResult signatureFailure = checkSignature(jws, algorithm, ((JWSHeader) parsed).getKeyID());
        if (signatureFailure != null) {
            return rejected(signatureFailure);
        }
        final Map<String, Object> claims = jsonObject(jws.getPayload().toString());
        if (claims == null) {
            return rejected(JwtResult.MALFORMED);
        }
        return JwtClaims.check(claims, settings, now, generation);
    }

    /** The library's reading of a header that is a JSON object; {@code null} when it is not one. */
    private static Header header(final Base64URL part) {
        try {
            final Map<String, Object> json = jsonObject(part.decodeToString());
            return json == null ? null : Header.parse(json, part);
        } catch (ParseException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The JSON object {@code text} holds, or {@code null}. The library's parser is strict (duplicate names and
     * trailing text refused) but reads a JSON array as a map of pairs and {@code null} as no map: only an object
     * passes here.
     */
    private static Map<String, Object> jsonObject(final String text) {
        if (text == null || !text.stripLeading().startsWith("{")) {
            return null;
        }
        try {
            return JSONObjectUtils.parse(text);
        } catch (ParseException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Tries the keys the token may use: those named by its {@code kid}; if no key has that kid, or the token has
     * none, every key of its algorithm without a kid (keys from a PEM file or secret have none and serve any
     * token; a JWKS URL's keys are chosen by kid).
     */
    private JwtResult checkSignature(final JWSObject jws, final JwtAlgorithm algorithm, final String kid) {
        final List<JWK> candidates;
        try {
            candidates = keys.candidates(kid);
        } catch (RateLimitReachedException e) {
            // An unknown kid, and the set was fetched again a moment ago: the key is not there.
            return JwtResult.UNKNOWN_KEY;
        } catch (KeySourceException e) {
            return JwtResult.KEYS_UNAVAILABLE;
        }
        boolean kidKnown = false;
        if (kid != null) {
            for (final JWK key : candidates) {
                kidKnown |= kid.equals(key.getKeyID());
            }
        }
        boolean tried = false;
        boolean otherAlgorithm = false;
        for (final JWK key : candidates) {
            final boolean eligible = kid == null || (kidKnown ? kid.equals(key.getKeyID()) : key.getKeyID() == null);
            final JwtAlgorithm keyAlgorithm = eligible ? JwkPolicy.algorithmOf(key) : null;
            if (keyAlgorithm == null) {
                continue;
            }
            if (keyAlgorithm != algorithm) {
                otherAlgorithm = true;
                continue;
            }
            tried = true;
            if (verifies(jws, key, algorithm)) {
                return null;
            }
        }
        if (tried) {
            return JwtResult.BAD_SIGNATURE;
        }
        return kidKnown && otherAlgorithm ? JwtResult.ALG_KEY_MISMATCH : JwtResult.UNKNOWN_KEY;
    }

    private static boolean verifies(final JWSObject jws, final JWK key, final JwtAlgorithm algorithm) {
        try {
            return jws.verify(JwkPolicy.verifier(key, algorithm));
        } catch (JOSEException | IllegalStateException e) {
            return false;
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
        return new VerifiedTokenCache.Entry(result, 0L, 0L, 0L);
    }

    @Override
    public String toString() {
        return "JwtVerifier[" + settings + "]";
    }
}
