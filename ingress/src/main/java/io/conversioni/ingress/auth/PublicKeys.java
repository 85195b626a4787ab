package io.conversioni.ingress.auth;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.EllipticCurve;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Reads PEM public keys (X.509 SubjectPublicKeyInfo, {@code -----BEGIN PUBLIC KEY-----}) and checks that a
 * public key is fit for its algorithm: RSA of at least {@value #MIN_RSA_BITS} bits, EC on P-256 with the point
 * on the curve. Errors name the file and give the command that fixes it.
 *
 * <p>Threading: stateless. Allocation: start-up only.
 */
final class PublicKeys {
    static final int MIN_RSA_BITS = 2048;

    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";
    private static final ECParameterSpec P256 = p256();

    private PublicKeys() {
    }

    /** Reads {@code file} as a PEM public key for {@code algorithm} (RS256 or ES256) and checks it. */
    static VerificationKey readPem(final Path file, final JwtAlgorithm algorithm) {
        final String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new JwtSettingsException(JwtSettingsException.KEY_UNREADABLE,
                "cannot read the public key file " + file + " (" + e.getClass().getSimpleName()
                    + "); check jwt.public_key_file and the file's permissions", e);
        }
        final String source = "public key file " + file;
        if (text.contains("PRIVATE KEY-----")) {
            throw invalid(source + " holds a private key; give the server only the public key: "
                + "openssl pkey -in private.pem -pubout -out public.pem");
        }
        if (text.contains("-----BEGIN RSA PUBLIC KEY-----")) {
            throw invalid(source + " is a PKCS#1 RSA key; convert it to a SubjectPublicKeyInfo PEM: "
                + "openssl rsa -RSAPublicKey_in -in key.pem -pubout -out public.pem");
        }
        if (text.contains("-----BEGIN CERTIFICATE-----")) {
            throw invalid(source + " is a certificate; extract its public key: "
                + "openssl x509 -in cert.pem -pubkey -noout > public.pem");
        }
        final int begin = text.indexOf(BEGIN);
        final int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw invalid(source + " has no '" + BEGIN + "' ... '" + END + "' block; write the key as PEM: "
                + "openssl pkey -pubin -in key -pubout -out public.pem");
        }
        final byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw invalid(source + " has invalid base64 between its PEM markers; export the key again");
        }
        final boolean rsa = algorithm == JwtAlgorithm.RS256;
        final PublicKey key;
        try {
            key = KeyFactory.getInstance(rsa ? "RSA" : "EC").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw invalid(source + " is not " + (rsa ? "an RSA" : "an EC P-256") + " public key, which "
                + algorithm + " needs; configure the algorithm that matches the key");
        }
        return rsa
            ? VerificationKey.rsa(null, checkRsa((RSAPublicKey) key, source))
            : VerificationKey.ec(null, checkP256((ECPublicKey) key, source));
    }

    static RSAPublicKey checkRsa(final RSAPublicKey key, final String source) {
        final int bits = key.getModulus().bitLength();
        if (bits < MIN_RSA_BITS) {
            throw invalid(source + " is a " + bits + "-bit RSA key; RS256 needs at least " + MIN_RSA_BITS
                + " bits: generate a new key pair");
        }
        final BigInteger e = key.getPublicExponent();
        if (!e.testBit(0) || e.compareTo(BigInteger.ONE) <= 0) {
            throw invalid(source + " has an invalid RSA public exponent; export the key again");
        }
        return key;
    }

    static ECPublicKey checkP256(final ECPublicKey key, final String source) {
        final ECParameterSpec params = key.getParams();
        if (!params.getCurve().equals(P256.getCurve()) || !params.getGenerator().equals(P256.getGenerator())
            || !params.getOrder().equals(P256.getOrder())) {
            throw invalid(source + " is an EC key on another curve; ES256 needs P-256 (secp256r1, prime256v1)");
        }
        if (!onCurve(key.getW())) {
            throw invalid(source + " has an EC point that is not on P-256; export the key again");
        }
        return key;
    }

    static ECParameterSpec p256Params() {
        return P256;
    }

    /** y² = x³ + ax + b (mod p), with 0 <= x, y < p. */
    private static boolean onCurve(final ECPoint w) {
        if (ECPoint.POINT_INFINITY.equals(w)) {
            return false;
        }
        final EllipticCurve curve = P256.getCurve();
        final BigInteger p = ((ECFieldFp) curve.getField()).getP();
        final BigInteger x = w.getAffineX();
        final BigInteger y = w.getAffineY();
        if (x.signum() < 0 || y.signum() < 0 || x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return false;
        }
        final BigInteger left = y.multiply(y).mod(p);
        final BigInteger right = x.pow(3).add(curve.getA().multiply(x)).add(curve.getB()).mod(p);
        return left.equals(right);
    }

    private static ECParameterSpec p256() {
        try {
            final AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec("secp256r1"));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no P-256 (secp256r1) curve", e);
        }
    }

    private static JwtSettingsException invalid(final String message) {
        return new JwtSettingsException(JwtSettingsException.KEY_INVALID, message);
    }
}
