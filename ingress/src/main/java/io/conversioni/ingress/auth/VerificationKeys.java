package io.conversioni.ingress.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;

import java.util.List;

/**
 * Where a {@link JwtVerifier} finds the keys a token may be verified with: the fixed keys of the settings, or the
 * JWKS URL that the library fetches, caches and refreshes ({@link JwksUrlKeys}). The generation changes whenever
 * the key set does, so that the verifier's cache verifies a token again once the key that verified it may be gone.
 *
 * <p>Threading: any thread. Allocation: {@link #candidates} may allocate the list it returns (on a verified-token
 * cache miss only); {@link #generation} never allocates.
 */
interface VerificationKeys extends AutoCloseable {
    /** Changes whenever the key set changes; constant for fixed keys. A volatile read at most. */
    long generation();

    /**
     * The keys whose {@code kid} is {@code kid}; with none such (or no kid), every key: the caller picks those
     * that fit. A URL source fetches the set again, rate-limited, when no key has the kid.
     *
     * @throws KeySourceException when the key set cannot be fetched
     */
    List<JWK> candidates(String kid) throws KeySourceException;

    /** Stops any background refresh. */
    @Override
    void close();

    /** The keys of a PEM file, a secret or a JWKS file: they never change. */
    static VerificationKeys fixed(final List<JWK> keys) {
        return new VerificationKeys() {
            @Override
            public long generation() {
                return 0L;
            }

            @Override
            public List<JWK> candidates(final String kid) {
                return keys;
            }

            @Override
            public void close() {
                // nothing runs in the background
            }
        };
    }
}
