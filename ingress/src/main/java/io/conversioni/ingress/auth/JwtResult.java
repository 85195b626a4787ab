package io.conversioni.ingress.auth;

/**
 * The outcome of {@link JwtVerifier#verify(String, long)}: accepted with the token's subject and expiry, or
 * rejected with a stable {@link #code()} and a {@link #message()} that is safe to return to the client (it
 * never contains the token, a claim value or key material) and says what to do. Every rejection answers HTTP
 * 401.
 *
 * <p>Threading: immutable. Allocation: rejections are shared constants; an acceptance is allocated once per
 * verified token and then served from the verifier's cache.
 */
public final class JwtResult {
    /** {@link #code()} of an accepted token. */
    public static final String OK = "ok";
    /** No {@code Authorization: Bearer <token>} header. */
    public static final String TOKEN_MISSING = "token_missing";
    /** Not a compact JWS with JSON-object header and payload, or a claim of the wrong type. */
    public static final String TOKEN_MALFORMED = "token_malformed";
    /** {@code alg} is {@code none}, unknown, not allowed, or does not fit the key named by {@code kid}. */
    public static final String ALG_NOT_ALLOWED = "alg_not_allowed";
    /** No configured key fits the token's {@code kid} and {@code alg}. */
    public static final String KEY_UNKNOWN = "key_unknown";
    /** The signature does not verify. */
    public static final String SIGNATURE_INVALID = "signature_invalid";
    /** {@code exp} is absent and the settings require it. */
    public static final String EXP_MISSING = "exp_missing";
    /** {@code exp} has passed (beyond the leeway). */
    public static final String TOKEN_EXPIRED = "token_expired";
    /** {@code nbf} or {@code iat} is in the future (beyond the leeway). */
    public static final String TOKEN_NOT_YET_VALID = "token_not_yet_valid";
    /** {@code iss} is absent or not the configured issuer. */
    public static final String ISSUER_INVALID = "issuer_invalid";
    /** {@code aud} is absent or does not contain the configured audience. */
    public static final String AUDIENCE_INVALID = "audience_invalid";
    /** The keys at {@code auth.jwks_url} could not be fetched: the server's problem, answered 503, not 401. */
    public static final String JWKS_UNAVAILABLE = "jwks_unavailable";

    /** {@link #expiresAt()} of an accepted token without {@code exp} (only when {@code requireExp} is off). */
    public static final long NO_EXPIRY = Long.MAX_VALUE;

    static final JwtResult MISSING = rejected(TOKEN_MISSING,
        "No bearer token: send the header 'Authorization: Bearer <token>'.");
    static final JwtResult MALFORMED = rejected(TOKEN_MALFORMED,
        "The bearer token is not a well-formed JWT: it must be three base64url parts (header.payload.signature, "
            + "no padding) whose header and payload are JSON objects without duplicate names. Get a fresh token "
            + "from the issuer.");
    static final JwtResult TOO_LONG = rejected(TOKEN_MALFORMED,
        "The Authorization header is longer than " + JwtVerifier.MAX_HEADER_CHARS
            + " characters; send only 'Bearer <token>' with a compact JWT.");
    static final JwtResult CLAIM_MALFORMED = rejected(TOKEN_MALFORMED,
        "The token's claims have the wrong types: exp, nbf and iat must be numbers of seconds since 1970 "
            + "(0 to 253402300799), sub and iss strings, aud a string or an array of strings, scope a string of "
            + "space-separated names.");
    static final JwtResult CRIT_UNSUPPORTED = rejected(TOKEN_MALFORMED,
        "The token's header lists critical extensions ('crit') that this server does not support; issue the "
            + "token without them.");
    static final JwtResult ALG_NONE = rejected(ALG_NOT_ALLOWED,
        "Unsigned tokens (alg 'none') are never accepted; sign the token with an algorithm this server allows.");
    static final JwtResult ALG_KEY_MISMATCH = rejected(ALG_NOT_ALLOWED,
        "The token's 'alg' does not fit the type of the key named by its 'kid'; sign it with the algorithm that "
            + "key is for.");
    static final JwtResult UNKNOWN_KEY = rejected(KEY_UNKNOWN,
        "No configured key matches the token's 'kid' and 'alg'; check that the issuer signs with a key this "
            + "server knows (with a JWKS file, restart with the new file after a key rotation).");
    static final JwtResult KEYS_UNAVAILABLE = rejected(JWKS_UNAVAILABLE,
        "The server cannot fetch its signing keys (auth.jwks_url) right now; retry later.");
    static final JwtResult BAD_SIGNATURE = rejected(SIGNATURE_INVALID,
        "The token's signature does not verify: it was altered or signed with another key. Get a fresh token "
            + "from the issuer.");
    static final JwtResult NO_EXP = rejected(EXP_MISSING,
        "The token has no 'exp' claim and this server requires one; issue tokens with an expiry.");
    static final JwtResult EXPIRED = rejected(TOKEN_EXPIRED,
        "The token has expired; get a fresh one from the issuer.");
    static final JwtResult NOT_YET_VALID = rejected(TOKEN_NOT_YET_VALID,
        "The token is not valid yet (its 'nbf' or 'iat' is in the future beyond the allowed clock skew); check "
            + "the clocks of the issuer and of this server.");
    static final JwtResult WRONG_ISSUER = rejected(ISSUER_INVALID,
        "The token's 'iss' claim is missing or is not the issuer this server trusts; get a token from the "
            + "configured issuer.");
    static final JwtResult WRONG_AUDIENCE = rejected(AUDIENCE_INVALID,
        "The token's 'aud' claim is missing or does not name this server's audience; get a token issued for "
            + "this server.");

    private final boolean ok;
    private final String code;
    private final String message;
    private final String subject;
    private final long expiresAt;
    private final int scopes;

    private JwtResult(final boolean ok, final String code, final String message, final String subject,
        final long expiresAt, final int scopes) {
        this.ok = ok;
        this.code = code;
        this.message = message;
        this.subject = subject;
        this.expiresAt = expiresAt;
        this.scopes = scopes;
    }

    static JwtResult accepted(final String subject, final long expiresAt, final int scopes) {
        return new JwtResult(true, OK, "Token accepted.", subject, expiresAt, scopes);
    }

    static JwtResult rejected(final String code, final String message) {
        return new JwtResult(false, code, message, null, 0L, 0);
    }

    /** Whether the token was accepted. */
    public boolean ok() {
        return ok;
    }

    /** {@link #OK} or one of the stable rejection codes declared here. */
    public String code() {
        return code;
    }

    /** A readable sentence safe to send to the client; never contains the token or key material. */
    public String message() {
        return message;
    }

    /** The {@code sub} claim of an accepted token; {@code null} when absent or rejected. */
    public String subject() {
        return subject;
    }

    /** The {@code exp} claim (epoch seconds) of an accepted token, {@link #NO_EXPIRY} without one; 0 if rejected. */
    public long expiresAt() {
        return expiresAt;
    }

    /** The {@link Scopes} bits of an accepted token (its {@code scope} claim, or the default); 0 if rejected. */
    public int scopes() {
        return scopes;
    }

    @Override
    public String toString() {
        return ok ? "JwtResult[ok, expiresAt=" + expiresAt + ", scopes=" + Scopes.names(scopes) + "]"
            : "JwtResult[" + code + ": " + message + "]";
    }
}
