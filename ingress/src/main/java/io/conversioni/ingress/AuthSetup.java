package io.conversioni.ingress;

import io.conversioni.config.ConfigException;
import io.conversioni.config.ConfigReader;
import io.conversioni.ingress.auth.JwtIssuer;
import io.conversioni.ingress.auth.JwtResult;
import io.conversioni.ingress.auth.JwtSettings;
import io.conversioni.ingress.auth.JwtVerifier;

import java.nio.file.Path;
import java.util.List;

/**
 * The {@code auth:} section: which JWT keys the server accepts. {@code hs256} (default) takes its shared
 * secret from the environment variable {@code secret_env} when set, else from {@code secret_file} in the
 * data folder, generated on first start (mode 0600) when {@code development} is true. {@code rs256},
 * {@code es256} and {@code jwks} read public keys from files. Start-up only; the verifier it builds is
 * thread-safe.
 */
public final class AuthSetup {
    private final JwtSettings settings;
    private final JwtIssuer issuer;
    private final boolean generatedSecret;

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
        final long leeway = r.durationMillis("leeway", "30s", 0, JwtSettings.MAX_LEEWAY_SECONDS * 1000) / 1000;
        final String iss = r.string("issuer", "");
        final String aud = r.string("audience", "");
        final boolean development = r.bool("development", true);
        r.rejectUnknownKeys();
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
                    s = JwtSettings.jwks(require(jwks, "auth.jwks", mode));
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
            s = s.withLeewaySeconds(leeway);
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

    /** The request check the server uses. */
    public Authenticator authenticator() {
        final JwtVerifier verifier = new JwtVerifier(settings);
        return header -> {
            final JwtResult result = verifier.verify(header, System.currentTimeMillis() / 1000);
            return result.ok() ? Authenticator.Verdict.allow(result.subject() == null ? "" : result.subject())
                : Authenticator.Verdict.deny(result.code(), result.message());
        };
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
