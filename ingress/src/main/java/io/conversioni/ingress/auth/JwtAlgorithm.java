package io.conversioni.ingress.auth;

import com.nimbusds.jose.JWSAlgorithm;

/**
 * The JWS algorithms this server verifies, each bound to exactly one key type, so that a token's {@code alg}
 * decides which keys may be tried and an HMAC can never be computed with a public key's bytes.
 *
 * <p>Threading: immutable. Allocation: none.
 */
public enum JwtAlgorithm {
    /** HMAC with SHA-256 over a shared secret of at least {@value JwtSettings#MIN_SECRET_BYTES} bytes. */
    HS256(JWSAlgorithm.HS256),
    /** RSASSA-PKCS1-v1_5 with SHA-256 over an RSA public key of at least 2048 bits. */
    RS256(JWSAlgorithm.RS256),
    /** ECDSA on P-256 with SHA-256; JOSE carries the signature as raw R||S (64 bytes, IEEE P1363). */
    ES256(JWSAlgorithm.ES256);

    private final JWSAlgorithm jose;

    JwtAlgorithm(final JWSAlgorithm jose) {
        this.jose = jose;
    }

    /** The library's name for this algorithm. */
    JWSAlgorithm jose() {
        return jose;
    }

    /**
     * The algorithm named by a JOSE {@code alg} value, compared exactly (JOSE names are case-sensitive), or
     * {@code null} when it is not one of ours ({@code none}, {@code HS512}, {@code hs256}, ...).
     */
    public static JwtAlgorithm fromJoseName(final String alg) {
        if (alg == null) {
            return null;
        }
        switch (alg) {
            case "HS256":
                return HS256;
            case "RS256":
                return RS256;
            case "ES256":
                return ES256;
            default:
                return null;
        }
    }
}
