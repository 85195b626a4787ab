package io.conversioni.ingress.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import io.conversioni.json.JsonBuilder;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Issues HS256 tokens ({@code sub}, {@code iat}, {@code exp}, plus {@code iss}/{@code aud} when configured,
 * {@code scope} when asked and {@code kid} when the key has one) that a {@link JwtVerifier} built from the same
 * settings accepts. The claims are written here, in a fixed order; the library computes the HMAC. Used by the
 * {@code token} command and to print a development token at first start; not on the request path.
 *
 * <p>Threading: immutable; any thread. Allocation: the library's signer and the token's strings per call.
 */
public final class JwtIssuer {
    private final byte[] secret;
    private final String kid;
    private final String issuer;
    private final String audience;

    private JwtIssuer(final byte[] secret, final String kid, final String issuer, final String audience) {
        this.secret = secret;
        this.kid = kid;
        this.issuer = issuer;
        this.audience = audience;
    }

    /** An issuer with {@code secret} (at least {@value JwtSettings#MIN_SECRET_BYTES} bytes), no iss or aud. */
    public static JwtIssuer hs256(final byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        return new JwtIssuer(JwtSettings.checkSecretLength(secret, "the HS256 secret").clone(), null, null, null);
    }

    /** An issuer with the one HS256 key of {@code settings} and its issuer and audience. */
    public static JwtIssuer of(final JwtSettings settings) {
        OctetSequenceKey hmac = null;
        for (final JWK key : settings.keys()) {
            if (key instanceof OctetSequenceKey && JwkPolicy.algorithmOf(key) == JwtAlgorithm.HS256) {
                if (hmac != null) {
                    throw new JwtSettingsException(JwtSettingsException.SETTING_INVALID, "the JWT settings hold "
                        + "several HS256 keys; tokens can only be issued with a single shared secret");
                }
                hmac = (OctetSequenceKey) key;
            }
        }
        if (hmac == null || !settings.allowedAlgorithms().contains(JwtAlgorithm.HS256)) {
            throw new JwtSettingsException(JwtSettingsException.SETTING_INVALID, "tokens can only be issued with an "
                + "allowed HS256 secret; configure auth.secret_env or auth.secret_file (RS256/ES256 tokens come from "
                + "the holder of the private key)");
        }
        return new JwtIssuer(hmac.toByteArray(), hmac.getKeyID(), settings.issuer(), settings.audience());
    }

    /**
     * A compact HS256 JWT for {@code subject}, issued at {@code nowEpochSeconds} and expiring
     * {@code ttlSeconds} later.
     *
     * @throws IllegalArgumentException if the subject is empty or the times are out of range
     */
    public String issue(final String subject, final long nowEpochSeconds, final long ttlSeconds) {
        return issue(subject, nowEpochSeconds, ttlSeconds, null);
    }

    /**
     * As {@link #issue(String, long, long)}, with a {@code scope} claim when {@code scope} is not {@code null}: the
     * space-separated names of {@link Scopes}, each known to this server.
     *
     * @throws IllegalArgumentException if the scope is empty or names a scope this server does not know
     */
    public String issue(final String subject, final long nowEpochSeconds, final long ttlSeconds, final String scope) {
        if (scope != null && (scope.isBlank() || Scopes.firstUnknown(scope) != null)) {
            throw new IllegalArgumentException("token_scope_invalid: the scope must list one or more of "
                + String.join(", ", Scopes.known()) + ", separated by spaces; was '" + scope + "'");
        }
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("token_subject_missing: give the token a non-empty subject");
        }
        if (nowEpochSeconds < 0 || ttlSeconds <= 0 || ttlSeconds > JwtClaims.MAX_NUMERIC_DATE - nowEpochSeconds) {
            throw new IllegalArgumentException("token_ttl_invalid: the time-to-live must be positive and end before "
                + "year 10000 (now=" + nowEpochSeconds + " s, ttl=" + ttlSeconds + " s)");
        }
        final JsonBuilder header = new JsonBuilder(96).beginObject().field("alg", "HS256").field("typ", "JWT");
        if (kid != null) {
            header.field("kid", kid);
        }
        final JsonBuilder claims = new JsonBuilder(256).beginObject();
        if (issuer != null) {
            claims.field("iss", issuer);
        }
        claims.field("sub", subject);
        if (audience != null) {
            claims.field("aud", audience);
        }
        if (scope != null) {
            claims.field("scope", String.join(" ", scope.trim().split(" +")));
        }
        claims.field("iat", nowEpochSeconds).field("exp", nowEpochSeconds + ttlSeconds);
        final String signingInput = encode(header.endObject()) + '.' + encode(claims.endObject());
        return signingInput + '.' + Base64Url.encode(sign(signingInput.getBytes(StandardCharsets.US_ASCII)));
    }

    private byte[] sign(final byte[] signingInput) {
        try {
            return new MACSigner(secret).sign(new JWSHeader(JWSAlgorithm.HS256), signingInput).decode();
        } catch (JOSEException e) {
            throw new IllegalStateException("the JOSE library cannot compute HS256", e);
        }
    }

    private static String encode(final JsonBuilder json) {
        return Base64Url.encode(json.toBytes());
    }

    @Override
    public String toString() {
        return "JwtIssuer[HS256" + (kid == null ? "" : ", kid=" + kid) + ", issuer=" + issuer + ", audience="
            + audience + "]";
    }
}
