package io.conversioni.ingress.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How the server authenticates bearer tokens: the verification keys (an HS256 secret from an environment
 * variable or a file, an RS256/ES256 PEM public key, a JWKS file, or a JWKS URL that the verifier fetches and
 * refreshes), the allowed algorithms, the clock-skew leeway, the expected issuer and audience, and the scopes of
 * a token without a {@code scope} claim. Every factory and {@code with...} method validates at once and
 * throws {@link JwtSettingsException} naming the setting, so a bad configuration stops the start-up.
 *
 * <p>Threading: immutable; {@code with...} returns a copy. Allocation: start-up only. Secrets are copied in
 * and never appear in {@link #toString()} or in an error message.
 */
public final class JwtSettings {
    /** Shortest HS256 secret accepted: 256 bits, the size of the HMAC's output (RFC 7518 §3.2). */
    public static final int MIN_SECRET_BYTES = 32;
    /** Default clock skew allowed on {@code exp}, {@code nbf} and {@code iat}. */
    public static final long DEFAULT_LEEWAY_SECONDS = 30;
    /** Largest leeway accepted. */
    public static final long MAX_LEEWAY_SECONDS = 3600;
    /** Default number of verified tokens remembered by a {@link JwtVerifier}. */
    public static final int DEFAULT_CACHE_CAPACITY = 1024;
    /** Largest cache accepted. */
    public static final int MAX_CACHE_CAPACITY = 1 << 16;
    /** The environment variable conventionally holding the HS256 secret. */
    public static final String DEFAULT_SECRET_ENV = "CONVERSIONI_JWT_SECRET";
    /** The development secret's file name inside the data directory. */
    public static final String DEVELOPMENT_SECRET_FILE = "jwt-secret";
    /** Default time a JWKS fetched from a URL is kept before it is fetched again. */
    public static final long DEFAULT_JWKS_CACHE_TTL_MILLIS = 5 * 60_000L;
    /** Shortest JWKS cache time accepted. */
    public static final long MIN_JWKS_CACHE_TTL_MILLIS = 1_000L;
    /** Default connect and read timeout of a JWKS fetch. */
    public static final long DEFAULT_JWKS_TIMEOUT_MILLIS = 5_000L;
    /** Algorithms a JWKS URL may serve: public keys only (a shared secret is never published). */
    private static final Set<JwtAlgorithm> PUBLIC_KEY_ALGORITHMS =
        Collections.unmodifiableSet(EnumSet.of(JwtAlgorithm.RS256, JwtAlgorithm.ES256));

    private final List<JWK> keys;
    private final URL jwksUrl;
    private final long jwksCacheTtlMillis;
    private final long jwksTimeoutMillis;
    private final int defaultScopes;
    private final Set<JwtAlgorithm> allowedAlgorithms;
    private final long leewaySeconds;
    private final String issuer;
    private final String audience;
    private final boolean requireExp;
    private final int cacheCapacity;

    private JwtSettings(final List<JWK> keys, final URL jwksUrl, final long jwksCacheTtlMillis,
        final long jwksTimeoutMillis, final int defaultScopes, final Set<JwtAlgorithm> allowedAlgorithms,
        final long leewaySeconds, final String issuer, final String audience, final boolean requireExp,
        final int cacheCapacity) {
        this.keys = keys;
        this.jwksUrl = jwksUrl;
        this.jwksCacheTtlMillis = jwksCacheTtlMillis;
        this.jwksTimeoutMillis = jwksTimeoutMillis;
        this.defaultScopes = defaultScopes;
        this.allowedAlgorithms = allowedAlgorithms;
        this.leewaySeconds = leewaySeconds;
        this.issuer = issuer;
        this.audience = audience;
        this.requireExp = requireExp;
        this.cacheCapacity = cacheCapacity;
    }

    private static JwtSettings ofKeys(final List<JWK> keys) {
        final EnumSet<JwtAlgorithm> algorithms = EnumSet.noneOf(JwtAlgorithm.class);
        for (final JWK key : keys) {
            algorithms.add(JwkPolicy.algorithmOf(key));
        }
        return new JwtSettings(List.copyOf(keys), null, DEFAULT_JWKS_CACHE_TTL_MILLIS, DEFAULT_JWKS_TIMEOUT_MILLIS,
            Scopes.DEFAULT, Collections.unmodifiableSet(algorithms), DEFAULT_LEEWAY_SECONDS, null, null, true,
            DEFAULT_CACHE_CAPACITY);
    }

    private JwtSettings copy(final URL url, final long ttlMillis, final long timeoutMillis, final int scopes,
        final Set<JwtAlgorithm> algorithms, final long leeway, final String iss, final String aud,
        final boolean exp, final int capacity) {
        return new JwtSettings(keys, url, ttlMillis, timeoutMillis, scopes, algorithms, leeway, iss, aud, exp,
            capacity);
    }

    private static OctetSequenceKey hmacKey(final byte[] secret) {
        return new OctetSequenceKey.Builder(secret.clone()).build();
    }

    /** HS256 with {@code secret} (copied; at least {@value #MIN_SECRET_BYTES} bytes). */
    public static JwtSettings hs256(final byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        return ofKeys(List.of(hmacKey(checkSecretLength(secret, "the HS256 secret"))));
    }

    /** HS256 with the UTF-8 bytes of the process environment variable {@code envVarName}. */
    public static JwtSettings hs256FromEnv(final String envVarName) {
        return hs256FromEnv(envVarName, System.getenv());
    }

    /** HS256 with the UTF-8 bytes of {@code environment.get(envVarName)} (the text as typed, not decoded). */
    public static JwtSettings hs256FromEnv(final String envVarName, final Map<String, String> environment) {
        final String value = environment.get(envVarName);
        final String source = "environment variable " + envVarName;
        if (value == null || value.isEmpty()) {
            throw new JwtSettingsException(JwtSettingsException.SECRET_MISSING, source + " is not set; set it to a "
                + "random secret of at least " + MIN_SECRET_BYTES + " bytes (openssl rand -base64 32) or configure "
                + "auth.secret_file");
        }
        final byte[] secret = value.getBytes(StandardCharsets.UTF_8);
        return ofKeys(List.of(hmacKey(checkSecretLength(secret, source))));
    }

    /** HS256 with the bytes of {@code file}, trailing CR/LF removed (so {@code echo secret > file} works). */
    public static JwtSettings hs256FromFile(final Path file) {
        final byte[] secret = checkSecretLength(readSecretFile(file), "secret file " + file);
        return ofKeys(List.of(hmacKey(secret)));
    }

    /** RS256 with the PEM public key ({@code -----BEGIN PUBLIC KEY-----}, at least 2048 bits) in {@code pemFile}. */
    public static JwtSettings rs256(final Path pemFile) {
        return ofKeys(List.of(PublicKeys.readPem(pemFile, JwtAlgorithm.RS256)));
    }

    /** RS256 with an RSA public key of at least 2048 bits. */
    public static JwtSettings rs256(final PublicKey key) {
        if (!(key instanceof RSAPublicKey)) {
            throw new JwtSettingsException(JwtSettingsException.KEY_INVALID, "RS256 needs an RSA public key");
        }
        return ofKeys(List.of(PublicKeys.rsaJwk((RSAPublicKey) key, "the RS256 key")));
    }

    /** ES256 with the PEM P-256 public key ({@code -----BEGIN PUBLIC KEY-----}) in {@code pemFile}. */
    public static JwtSettings es256(final Path pemFile) {
        return ofKeys(List.of(PublicKeys.readPem(pemFile, JwtAlgorithm.ES256)));
    }

    /** ES256 with a P-256 public key. */
    public static JwtSettings es256(final PublicKey key) {
        if (!(key instanceof ECPublicKey)) {
            throw new JwtSettingsException(JwtSettingsException.KEY_INVALID, "ES256 needs an EC P-256 public key");
        }
        return ofKeys(List.of(PublicKeys.ecJwk((ECPublicKey) key, "the ES256 key")));
    }

    /** The usable keys of the JSON Web Key Set in {@code jwksFile}; tokens pick one by {@code kid}. */
    public static JwtSettings jwks(final Path jwksFile) {
        return ofKeys(JwksReader.read(jwksFile));
    }

    /**
     * The RS256 and ES256 keys of the JSON Web Key Set at {@code url}, fetched by the verifier when it is built and
     * refreshed in the background every {@link #jwksCacheTtlMillis()} (and at once, rate-limited, when a token
     * names an unknown {@code kid}), so that a key rotation needs no restart. {@code https} is required, except
     * for a loopback host (a local key server or a test).
     */
    public static JwtSettings jwksUrl(final String url) {
        final URL parsed;
        try {
            final URI uri = new URI(url);
            if (uri.getHost() == null || !uri.isAbsolute()) {
                throw setting("auth.jwks_url '" + url + "' is not an absolute http(s) URL");
            }
            if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && isLoopback(uri.getHost()))) {
                throw setting("auth.jwks_url '" + url + "' must use https (plain http only for localhost), so that "
                    + "nobody on the path can swap the keys");
            }
            parsed = uri.toURL();
        } catch (URISyntaxException | java.net.MalformedURLException | IllegalArgumentException e) {
            throw setting("auth.jwks_url '" + url + "' is not a valid URL (" + e.getMessage() + ")");
        }
        return new JwtSettings(List.of(), parsed, DEFAULT_JWKS_CACHE_TTL_MILLIS, DEFAULT_JWKS_TIMEOUT_MILLIS,
            Scopes.DEFAULT, PUBLIC_KEY_ALGORITHMS, DEFAULT_LEEWAY_SECONDS, null, null, true, DEFAULT_CACHE_CAPACITY);
    }

    /** {@code localhost} or a loopback address literal; other names are not resolved (no DNS at start-up). */
    private static boolean isLoopback(final String host) {
        if ("localhost".equalsIgnoreCase(host)) {
            return true;
        }
        if (!host.matches("[0-9.]+|\\[[0-9a-fA-F:.]+\\]")) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * How long a fetched JWKS is kept ({@value #MIN_JWKS_CACHE_TTL_MILLIS} ms or more) and the connect and read
     * timeout of a fetch (100 ms to a quarter of the cache time).
     */
    public JwtSettings withJwksCache(final long ttlMillis, final long timeoutMillis) {
        if (ttlMillis < MIN_JWKS_CACHE_TTL_MILLIS) {
            throw setting("auth.jwks_cache_ttl is " + ttlMillis + " ms; use at least " + MIN_JWKS_CACHE_TTL_MILLIS
                + " ms (default 5m)");
        }
        if (timeoutMillis < 100 || timeoutMillis > ttlMillis / 4) {
            throw setting("the JWKS fetch timeout is " + timeoutMillis + " ms; use 100 ms to a quarter of "
                + "auth.jwks_cache_ttl (" + ttlMillis / 4 + " ms)");
        }
        return copy(jwksUrl, ttlMillis, timeoutMillis, defaultScopes, allowedAlgorithms, leewaySeconds, issuer,
            audience, requireExp, cacheCapacity);
    }

    /** The scopes ({@link Scopes} bits) of a token without a {@code scope} claim; default {@link Scopes#DEFAULT}. */
    public JwtSettings withDefaultScopes(final int scopes) {
        return copy(jwksUrl, jwksCacheTtlMillis, jwksTimeoutMillis, scopes, allowedAlgorithms, leewaySeconds, issuer,
            audience, requireExp, cacheCapacity);
    }

    /**
     * The development HS256 secret kept in {@code dataDir/jwt-secret}: created on first call (32 bytes from
     * {@link java.security.SecureRandom}, written as base64url text, owner-only permissions where the file
     * system supports POSIX) and read back on later calls. The secret is that text's ASCII bytes, so the same
     * file works as {@code auth.secret_file} and the text can be pasted as the HS256 secret of another tool.
     */
    public static byte[] createOrLoadDevelopmentSecret(final Path dataDir) {
        return DevelopmentSecret.createOrLoad(dataDir.resolve(DEVELOPMENT_SECRET_FILE));
    }

    /** Only these algorithms are accepted; each must have a configured key. Default: the keys' algorithms. */
    public JwtSettings withAllowedAlgorithms(final Set<JwtAlgorithm> algorithms) {
        if (algorithms.isEmpty()) {
            throw setting("no algorithm is allowed; auth.mode must be one of hs256, rs256, es256, jwks");
        }
        for (final JwtAlgorithm algorithm : algorithms) {
            if (!keysAlgorithms().contains(algorithm)) {
                throw setting("auth.mode allows " + algorithm + " but no configured key is for it (the keys are "
                    + "for " + keysAlgorithms() + "); remove it or configure a matching key");
            }
        }
        return copy(jwksUrl, jwksCacheTtlMillis, jwksTimeoutMillis, defaultScopes,
            Collections.unmodifiableSet(EnumSet.copyOf(algorithms)), leewaySeconds, issuer, audience, requireExp,
            cacheCapacity);
    }

    /** Clock skew tolerated on {@code exp}, {@code nbf} and {@code iat}, 0 to {@value #MAX_LEEWAY_SECONDS}. */
    public JwtSettings withLeewaySeconds(final long seconds) {
        if (seconds < 0 || seconds > MAX_LEEWAY_SECONDS) {
            throw setting("auth.leeway is " + seconds + " s; use 0 to " + MAX_LEEWAY_SECONDS + " s (default "
                + DEFAULT_LEEWAY_SECONDS + " s)");
        }
        return copy(jwksUrl, jwksCacheTtlMillis, jwksTimeoutMillis, defaultScopes, allowedAlgorithms, seconds, issuer,
            audience, requireExp, cacheCapacity);
    }

    /** Tokens must carry {@code "iss": issuer}; {@code null} (the default) does not check {@code iss}. */
    public JwtSettings withIssuer(final String issuer) {
        if (issuer != null && issuer.isEmpty()) {
            throw setting("auth.issuer is empty; remove it or give the issuer's exact 'iss' value");
        }
        return copy(jwksUrl, jwksCacheTtlMillis, jwksTimeoutMillis, defaultScopes, allowedAlgorithms, leewaySeconds,
            issuer, audience, requireExp, cacheCapacity);
    }

    /** Tokens' {@code aud} (string or array) must contain {@code audience}; {@code null} (default) skips it. */
    public JwtSettings withAudience(final String audience) {
        if (audience != null && audience.isEmpty()) {
            throw setting("auth.audience is empty; remove it or give this server's 'aud' value");
        }
        return copy(jwksUrl, jwksCacheTtlMillis, jwksTimeoutMillis, defaultScopes, allowedAlgorithms, leewaySeconds,
            issuer, audience, requireExp, cacheCapacity);
    }

    /** Whether tokens without {@code exp} are refused (default {@code true}). */
    public JwtSettings withRequireExp(final boolean require) {
        return copy(jwksUrl, jwksCacheTtlMillis, jwksTimeoutMillis, defaultScopes, allowedAlgorithms, leewaySeconds,
            issuer, audience, require, cacheCapacity);
    }

    /** Verified tokens remembered, 0 (no cache) to {@value #MAX_CACHE_CAPACITY}; default 1024. */
    public JwtSettings withCacheCapacity(final int capacity) {
        if (capacity < 0 || capacity > MAX_CACHE_CAPACITY) {
            throw setting("the verified-token cache size is " + capacity + "; use 0 (off) to " + MAX_CACHE_CAPACITY + " (default "
                + DEFAULT_CACHE_CAPACITY + ")");
        }
        return copy(jwksUrl, jwksCacheTtlMillis, jwksTimeoutMillis, defaultScopes, allowedAlgorithms, leewaySeconds,
            issuer, audience, requireExp, capacity);
    }

    public Set<JwtAlgorithm> allowedAlgorithms() {
        return allowedAlgorithms;
    }

    public long leewaySeconds() {
        return leewaySeconds;
    }

    /** The required {@code iss}, or {@code null}. */
    public String issuer() {
        return issuer;
    }

    /** The required {@code aud} member, or {@code null}. */
    public String audience() {
        return audience;
    }

    public boolean requireExp() {
        return requireExp;
    }

    public int cacheCapacity() {
        return cacheCapacity;
    }

    /** Number of fixed verification keys (0 with a JWKS URL: those are fetched). */
    public int keyCount() {
        return keys.size();
    }

    /** The JWKS URL, or {@code null} when the keys are fixed. */
    public URL jwksUrl() {
        return jwksUrl;
    }

    public long jwksCacheTtlMillis() {
        return jwksCacheTtlMillis;
    }

    public long jwksTimeoutMillis() {
        return jwksTimeoutMillis;
    }

    /** The {@link Scopes} bits of a token without a {@code scope} claim. */
    public int defaultScopes() {
        return defaultScopes;
    }

    List<JWK> keys() {
        return keys;
    }

    @Override
    public String toString() {
        return "JwtSettings[keys=" + describeKeys() + (jwksUrl == null ? "" : ", jwksUrl=" + jwksUrl
            + ", jwksCacheTtlMillis=" + jwksCacheTtlMillis) + ", defaultScopes=" + Scopes.names(defaultScopes)
            + ", algorithms=" + allowedAlgorithms + ", leewaySeconds=" + leewaySeconds
            + ", issuer=" + issuer + ", audience=" + audience + ", requireExp=" + requireExp + ", cacheCapacity="
            + cacheCapacity + "]";
    }

    /** Returns {@code secret} when it is long enough; the message names the source, never the secret. */
    static byte[] checkSecretLength(final byte[] secret, final String source) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new JwtSettingsException(JwtSettingsException.SECRET_TOO_SHORT, source + " has " + secret.length
                + " bytes; HS256 needs at least " + MIN_SECRET_BYTES + " (256 bits). Generate one with: "
                + "openssl rand -base64 32");
        }
        return secret;
    }

    /** The bytes of a secret file without trailing CR/LF; refuses an unreadable or empty file. */
    static byte[] readSecretFile(final Path file) {
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new JwtSettingsException(JwtSettingsException.KEY_UNREADABLE, "cannot read the secret file " + file
                + " (" + e.getClass().getSimpleName() + "); check auth.secret_file and the file's permissions", e);
        }
        int end = bytes.length;
        while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
            end--;
        }
        if (end == 0) {
            throw new JwtSettingsException(JwtSettingsException.SECRET_MISSING, "secret file " + file + " is empty; "
                + "write a random secret of at least " + MIN_SECRET_BYTES + " bytes into it "
                + "(openssl rand -base64 32 > file)");
        }
        return end == bytes.length ? bytes : Arrays.copyOf(bytes, end);
    }

    private Set<JwtAlgorithm> keysAlgorithms() {
        if (jwksUrl != null) {
            return PUBLIC_KEY_ALGORITHMS;
        }
        final EnumSet<JwtAlgorithm> algorithms = EnumSet.noneOf(JwtAlgorithm.class);
        for (final JWK key : keys) {
            algorithms.add(JwkPolicy.algorithmOf(key));
        }
        return algorithms;
    }

    /** The keys' types and kids, never their material. */
    private String describeKeys() {
        final StringBuilder out = new StringBuilder("[");
        for (final JWK key : keys) {
            out.append(out.length() > 1 ? ", " : "").append(JwkPolicy.algorithmOf(key))
                .append(key.getKeyID() == null ? "" : " kid=" + key.getKeyID());
        }
        return out.append(']').toString();
    }

    private static JwtSettingsException setting(final String message) {
        return new JwtSettingsException(JwtSettingsException.SETTING_INVALID, message);
    }
}
