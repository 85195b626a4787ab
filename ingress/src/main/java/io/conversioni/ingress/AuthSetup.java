package io.conversioni.ingress;

import io.conversioni.config.ConfigException;
import io.conversioni.config.ConfigReader;
import io.conversioni.ingress.auth.JwtIssuer;
import io.conversioni.ingress.auth.JwtResult;
import io.conversioni.ingress.auth.JwtSettings;
import io.conversioni.ingress.auth.JwtVerifier;
import io.conversioni.ingress.auth.Scopes;

import java.nio.file.Path;
import java.util.List;

/**
 * The {@code auth:} section: which JWT keys the server accepts and what a token without a {@code scope} claim
 * may do. {@code hs256} (default) takes its shared secret from the environment variable {@code secret_env} when
 * set, else from {@code secret_file} in the data folder, generated on first start (mode 0600) when
 * {@code development} is true. {@code rs256} and {@code es256} read a PEM public key; {@code jwks} reads a JWKS
 * file ({@code jwks}) or fetches and refreshes one from {@code jwks_url} every {@code jwks_cache_ttl}.
 * Start-up only; the verifier it builds is thread-safe and {@link #close()} stops its JWKS refresh.
 */
public final class AuthSetup implements AutoCloseable {
    /** Longest fetch (connect, then read) of the JWKS URL; a quarter of the cache time when that is shorter. */
    static final long MAX_JWKS_TIMEOUT_MILLIS = JwtSettings.DEFAULT_JWKS_TIMEOUT_MILLIS;

    private final JwtSettings settings;
    private final JwtIssuer issuer;
    private final boolean generatedSecret;
    private JwtVerifier verifier;

    private AuthSetup(final JwtSettings settings, final JwtIssuer issuer, final boolean generatedSecret) {
        this.settings = settings;
        this.issuer = issuer;
        this.generatedSecret = generatedSecret;
    }

    public static AuthSetup read(final ConfigReader r, final Path dataDir) throws ConfigException {
        final String mode = r.oneOf("mode", "hs256", List.of("hs256", "rs256", "es256", "jwks"));
        final String env = r.string("secret_env", JwtSettings.DEFAULT_SECRET_ENV);
        final String secretFile = r.string("secret_file", JwtSettings.DEVELOPMENT_SECRET_FILE);
        final String publicKey = r.string("public_key", "");
        final String jwks = r.string("jwks", "");
        final String jwksUrl = r.string("jwks_url", "");
        final long jwksTtl = r.durationMillis("jwks_cache_ttl", "5m", JwtSettings.MIN_JWKS_CACHE_TTL_MILLIS,
            24 * 3_600_000L);
        final String defaultScopes = r.string("default_scopes", Scopes.names(Scopes.DEFAULT));
        final long leeway = r.durationMillis("leeway", "30s", 0, JwtSettings.MAX_LEEWAY_SECONDS * 1000) / 1000;
        final String iss = r.string("issuer", "");
        final String aud = r.string("audience", "");
        final boolean development = r.bool("development", true);
        r.rejectUnknownKeys();
        final String unknownScope = Scopes.firstUnknown(defaultScopes);
        if (unknownScope != null) {
            throw new ConfigException(r.source() + ": auth.default_scopes names '" + unknownScope + "', which is not "
                + "a scope of this server; use some of " + String.join(", ", Scopes.known()) + ", separated by spaces");
        }
        if (!jwksUrl.isEmpty() && !"jwks".equals(mode)) {
            throw new ConfigException(r.source() + ": auth.jwks_url is set but auth.mode is " + mode
                + "; set auth.mode: jwks to fetch the keys from the URL");
        }
        if ("jwks".equals(mode) && jwks.isEmpty() == jwksUrl.isEmpty()) {
            throw new ConfigException(r.source() + ": auth.mode jwks needs exactly one of auth.jwks (a file) and "
                + "auth.jwks_url (fetched and refreshed)");
        }
        try {
            JwtSettings s;
            JwtIssuer issuer = null;
            boolean generated = false;
            switch (mode) {
                case "rs256":
                    s = JwtSettings.rs256(require(publicKey, "auth.public_key", mode));
                    break;
                case "es256":
                    s = JwtSettings.es256(require(publicKey, "auth.public_key", mode));
                    break;
                case "jwks":
                    s = jwksUrl.isEmpty() ? JwtSettings.jwks(Path.of(jwks))
                        : JwtSettings.jwksUrl(jwksUrl)
                            .withJwksCache(jwksTtl, Math.min(MAX_JWKS_TIMEOUT_MILLIS, jwksTtl / 4));
                    break;
                default:
                    final String fromEnv = System.getenv(env);
                    if (fromEnv != null && !fromEnv.isEmpty()) {
                        s = JwtSettings.hs256FromEnv(env);
                    } else {
                        final Path file = dataDir.resolve(secretFile);
                        if (!java.nio.file.Files.exists(file)) {
                            if (!development) {
                                throw new ConfigException("no JWT secret: set the environment variable " + env
                                    + " or create " + file + " (or set auth.development: true to generate one)");
                            }
                            JwtSettings.createOrLoadDevelopmentSecret(dataDir.resolve(secretFile).getParent());
                            generated = true;
                        }
                        s = JwtSettings.hs256FromFile(file);
                    }
                    issuer = JwtIssuer.of(s);
            }
            s = s.withLeewaySeconds(leeway).withDefaultScopes(Scopes.parse(defaultScopes));
            if (!iss.isEmpty()) {
                s = s.withIssuer(iss);
            }
            if (!aud.isEmpty()) {
                s = s.withAudience(aud);
            }
            if (issuer != null) {
                issuer = JwtIssuer.of(s);
            }
            return new AuthSetup(s, issuer, generated);
        } catch (RuntimeException e) {
            throw new ConfigException(r.source() + ": auth: " + e.getMessage());
        }
    }

    private static Path require(final String value, final String key, final String mode) throws ConfigException {
        if (value.isEmpty()) {
            throw new ConfigException(key + " must name a file when auth.mode is " + mode);
        }
        return Path.of(value);
    }

    /** The request check the server uses; built once, shared by every call. */
    public synchronized Authenticator authenticator() {
        if (verifier == null) {
            verifier = new JwtVerifier(settings);
        }
        final JwtVerifier v = verifier;
        return header -> {
            final JwtResult result = v.verify(header, System.currentTimeMillis() / 1000);
            if (result.ok()) {
                return Authenticator.Verdict.allow(result.subject() == null ? "" : result.subject(), result.scopes());
            }
            final int status = JwtResult.JWKS_UNAVAILABLE.equals(result.code()) ? 503 : 401;
            return Authenticator.Verdict.deny(status, result.code(), result.message());
        };
    }

    /** Stops the JWKS URL's background refresh, if any. */
    @Override
    public synchronized void close() {
        if (verifier != null) {
            verifier.close();
        }
    }

    /** Issues HS256 tokens, or null when the server verifies public keys only (tokens come from elsewhere). */
    public JwtIssuer issuer() {
        return issuer;
    }

    /** True when this start created the development secret. */
    public boolean generatedSecret() {
        return generatedSecret;
    }
}
