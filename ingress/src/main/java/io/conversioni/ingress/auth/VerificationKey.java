package io.conversioni.ingress.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;

/**
 * One configured key and the single algorithm it verifies: an HMAC secret for HS256, an RSA public key for
 * RS256, a P-256 public key for ES256. Binding the algorithm to the key is what defeats algorithm confusion:
 * a key is only ever used with its own algorithm, never an RSA key's bytes as an HMAC secret.
 *
 * <p>Threading: immutable; {@link #verify} takes a fresh {@code Mac}/{@code Signature} per call (a JCA lookup,
 * microseconds; the verifier's cache keeps it off the common path). Allocation: per call, as above.
 */
final class VerificationKey {
    private static final int HS256_SIGNATURE_BYTES = 32;
    private static final int ES256_SIGNATURE_BYTES = 64;

    private final String kid;
    private final JwtAlgorithm algorithm;
    private final Key key;
    private final int signatureBytes;

    private VerificationKey(final String kid, final JwtAlgorithm algorithm, final Key key, final int signatureBytes) {
        this.kid = kid;
        this.algorithm = algorithm;
        this.key = key;
        this.signatureBytes = signatureBytes;
    }

    /** An HS256 key; {@code secret} is copied and must already have been checked for length. */
    static VerificationKey hmac(final String kid, final byte[] secret) {
        return new VerificationKey(kid, JwtAlgorithm.HS256, new SecretKeySpec(secret.clone(), "HmacSHA256"),
            HS256_SIGNATURE_BYTES);
    }

    /** An RS256 key; {@link PublicKeys#checkRsa} must already have accepted it. */
    static VerificationKey rsa(final String kid, final RSAPublicKey key) {
        return new VerificationKey(kid, JwtAlgorithm.RS256, key, (key.getModulus().bitLength() + 7) / 8);
    }

    /** An ES256 key; {@link PublicKeys#checkP256} must already have accepted it. */
    static VerificationKey ec(final String kid, final ECPublicKey key) {
        return new VerificationKey(kid, JwtAlgorithm.ES256, key, ES256_SIGNATURE_BYTES);
    }

    /** The JWK {@code kid}, or {@code null} for a key configured without one (it matches any token kid). */
    String kid() {
        return kid;
    }

    JwtAlgorithm algorithm() {
        return algorithm;
    }

    /** A copy of the HMAC secret, for {@link JwtIssuer}; {@code null} for public keys. */
    byte[] secretOrNull() {
        return algorithm == JwtAlgorithm.HS256 ? key.getEncoded() : null;
    }

    /** Whether {@code signature} is this key's signature of {@code signingInput}; never throws on bad input. */
    boolean verify(final byte[] signingInput, final byte[] signature) {
        if (signature.length != signatureBytes) {
            return false;
        }
        try {
            switch (algorithm) {
                case HS256: {
                    final Mac mac = Mac.getInstance(algorithm.jcaName());
                    mac.init(key);
                    return MessageDigest.isEqual(mac.doFinal(signingInput), signature);
                }
                case ES256:
                    if (!scalarsInRange(signature, ((ECPublicKey) key).getParams().getOrder())) {
                        return false;
                    }
                    return verifySignature(signingInput, signature);
                default:
                    return verifySignature(signingInput, signature);
            }
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("JDK lacks " + algorithm.jcaName() + " or rejects a checked key", e);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private boolean verifySignature(final byte[] signingInput, final byte[] signature)
        throws GeneralSecurityException {
        final Signature verifier = Signature.getInstance(algorithm.jcaName());
        verifier.initVerify((java.security.PublicKey) key);
        verifier.update(signingInput);
        return verifier.verify(signature);
    }

    /** ECDSA needs 1 <= r, s < n; refusing r = s = 0 here also guards against CVE-2022-21449 on old JDKs. */
    private static boolean scalarsInRange(final byte[] signature, final BigInteger order) {
        final int half = signature.length / 2;
        final BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, half));
        final BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, half, signature.length));
        return r.signum() > 0 && s.signum() > 0 && r.compareTo(order) < 0 && s.compareTo(order) < 0;
    }

    @Override
    public String toString() {
        return "VerificationKey[" + algorithm + (kid == null ? "" : ", kid=" + kid) + "]";
    }
}
