package io.conversioni.ingress.auth;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Reads PEM public keys (X.509 SubjectPublicKeyInfo, {@code -----BEGIN PUBLIC KEY-----}) into JWKs and checks
 * that a public key is fit for its algorithm: RSA of at least {@value JwkPolicy#MIN_RSA_BITS} bits, EC on P-256
 * (the library checks that the point is on the curve). The library reads PEM only with BouncyCastle, which this
 * server does not ship; the JDK's key factory does it here. Errors name the file and give the command that fixes
 * it.
 *
 * <p>Threading: stateless. Allocation: start-up only.
 */
final class PublicKeys {
    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";

    private PublicKeys() {
    }

    /** Reads {@code file} as a PEM public key for {@code algorithm} (RS256 or ES256) and checks it. */
    static JWK readPem(final Path file, final JwtAlgorithm algorithm) {
        final String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new JwtSettingsException(JwtSettingsException.KEY_UNREADABLE,
                "cannot read the public key file " + file + " (" + e.getClass().getSimpleName()
                    + "); check auth.public_key and the file's permissions", e);
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
        return rsa ? rsaJwk((RSAPublicKey) key, source) : ecJwk((ECPublicKey) key, source);
    }

    /** The JWK of an RSA public key of at least {@value JwkPolicy#MIN_RSA_BITS} bits, with no kid. */
    static RSAKey rsaJwk(final RSAPublicKey key, final String source) {
        final int bits = key.getModulus().bitLength();
        if (bits < JwkPolicy.MIN_RSA_BITS) {
            throw invalid(source + " is a " + bits + "-bit RSA key; RS256 needs at least " + JwkPolicy.MIN_RSA_BITS
                + " bits: generate a new key pair");
        }
        final BigInteger e = key.getPublicExponent();
        if (!e.testBit(0) || e.compareTo(BigInteger.ONE) <= 0) {
            throw invalid(source + " has an invalid RSA public exponent; export the key again");
        }
        return new RSAKey.Builder(key).build();
    }

    /** The JWK of a P-256 public key, with no kid; refuses another curve or a point off the curve. */
    static ECKey ecJwk(final ECPublicKey key, final String source) {
        if (!Curve.P_256.equals(Curve.forECParameterSpec(key.getParams()))) {
            throw invalid(source + " is an EC key on another curve; ES256 needs P-256 (secp256r1, prime256v1)");
        }
        try {
            return new ECKey.Builder(Curve.P_256, key).build();
        } catch (IllegalArgumentException e) {
            throw invalid(source + " has an EC point that is not on P-256; export the key again");
        }
    }

    private static JwtSettingsException invalid(final String message) {
        return new JwtSettingsException(JwtSettingsException.KEY_INVALID, message);
    }
}
