package io.conversioni.ingress.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;

/**
 * Which JSON Web Keys may verify which algorithm, and the library's verifier for one. A key serves exactly one
 * algorithm, fixed by its type: {@code oct} HS256, {@code RSA} RS256 (at least {@value #MIN_RSA_BITS} bits),
 * {@code EC} on P-256 ES256. Binding the algorithm to the key type is what defeats algorithm confusion: an RSA
 * key's bytes are never used as an HMAC secret. A public key with private material, a key for another
 * {@code use}, with {@code key_ops} lacking {@code verify}, or declaring another {@code alg} serves nothing.
 *
 * <p>Threading: stateless. Allocation: {@link #verifier} builds the library's verifier (once per key for fixed
 * keys, per cache miss for keys fetched from a JWKS URL).
 */
final class JwkPolicy {
    /** Shortest RSA modulus accepted for RS256. */
    static final int MIN_RSA_BITS = 2048;

    private JwkPolicy() {
    }

    /** The one algorithm {@code key} verifies, or {@code null} when it is not a key this server may use. */
    static JwtAlgorithm algorithmOf(final JWK key) {
        if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
            return null;
        }
        if (key.getKeyOperations() != null && !key.getKeyOperations().contains(KeyOperation.VERIFY)) {
            return null;
        }
        final JwtAlgorithm algorithm;
        if (key instanceof OctetSequenceKey) {
            algorithm = key.size() >= JwtSettings.MIN_SECRET_BYTES * 8 ? JwtAlgorithm.HS256 : null;
        } else if (key instanceof RSAKey) {
            algorithm = !key.isPrivate() && key.size() >= MIN_RSA_BITS ? JwtAlgorithm.RS256 : null;
        } else if (key instanceof ECKey) {
            algorithm = !key.isPrivate() && Curve.P_256.equals(((ECKey) key).getCurve()) ? JwtAlgorithm.ES256 : null;
        } else {
            algorithm = null;
        }
        if (algorithm == null || (key.getAlgorithm() != null && !algorithm.jose().equals(key.getAlgorithm()))) {
            return null;
        }
        return algorithm;
    }

    /** The verifier of {@code key}, which {@link #algorithmOf} mapped to {@code algorithm}. */
    static JWSVerifier verifier(final JWK key, final JwtAlgorithm algorithm) throws JOSEException {
        switch (algorithm) {
            case HS256:
                return new MACVerifier((OctetSequenceKey) key);
            case RS256:
                return new RSASSAVerifier((RSAKey) key);
            default:
                return new ECDSAVerifier((ECKey) key);
        }
    }
}
