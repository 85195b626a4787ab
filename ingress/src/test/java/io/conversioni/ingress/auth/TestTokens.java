package io.conversioni.ingress.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Builds signed tokens from arbitrary header and payload JSON (so that attack tokens can be made), PEM and JWKS
 * texts, with real keys generated once per test JVM from a seeded random source.
 */
final class TestTokens {
    /** 2024-05-20T14:32:45Z. */
    static final long NOW = 1_716_215_565L;
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef-test-secret".getBytes(StandardCharsets.US_ASCII);
    static final KeyPair RSA = generate("RSA", 2048, 1);
    static final KeyPair RSA_OTHER = generate("RSA", 2048, 2);
    static final KeyPair EC = generate("EC", 256, 3);
    static final KeyPair EC_OTHER = generate("EC", 256, 4);

    private TestTokens() {
    }

    /** Signs {@code header.payload} (the JSON texts, base64url-encoded here) with a JWS algorithm. */
    interface Signer {
        byte[] sign(byte[] signingInput) throws GeneralSecurityException;
    }

    static Signer hs256(final byte[] secret) {
        return input -> {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(input);
        };
    }

    static Signer rs256(final PrivateKey key) {
        return input -> sign("SHA256withRSA", key, input);
    }

    static Signer es256(final PrivateKey key) {
        return input -> sign("SHA256withECDSAinP1363Format", key, input);
    }

    static Signer unsigned() {
        return input -> new byte[0];
    }

    static String token(final String headerJson, final String payloadJson, final Signer signer) {
        final String signingInput = b64(headerJson) + "." + b64(payloadJson);
        try {
            return signingInput + "." + b64(signer.sign(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hs256Token(final String payloadJson) {
        return token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payloadJson, hs256(SECRET));
    }

    static String claims(final long exp) {
        return "{\"sub\":\"crm-webhook\",\"iat\":" + (NOW - 60) + ",\"exp\":" + exp + "}";
    }

    static String bearer(final String token) {
        return "Bearer " + token;
    }

    static String b64(final String json) {
        return b64(json.getBytes(StandardCharsets.UTF_8));
    }

    static String b64(final byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String pem(final PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
    }

    static String rsaJwk(final String kid, final PublicKey key, final String alg) {
        final RSAPublicKey rsa = (RSAPublicKey) key;
        return "{\"kty\":\"RSA\",\"kid\":\"" + kid + "\",\"use\":\"sig\""
            + (alg == null ? "" : ",\"alg\":\"" + alg + "\"")
            + ",\"n\":\"" + b64(unsigned(rsa.getModulus())) + "\",\"e\":\"" + b64(unsigned(rsa.getPublicExponent()))
            + "\"}";
    }

    static String ecJwk(final String kid, final PublicKey key) {
        final ECPublicKey ec = (ECPublicKey) key;
        return "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"" + kid + "\",\"x\":\""
            + b64(fixed(ec.getW().getAffineX(), 32)) + "\",\"y\":\"" + b64(fixed(ec.getW().getAffineY(), 32)) + "\"}";
    }

    static String octJwk(final String kid, final byte[] secret) {
        return "{\"kty\":\"oct\",\"kid\":\"" + kid + "\",\"k\":\"" + b64(secret) + "\"}";
    }

    static String jwks(final String... keys) {
        return "{\"keys\":[" + String.join(",", keys) + "]}";
    }

    /** Asserts a rejection with {@code code} whose message is readable and leaks none of {@code secrets}. */
    static void assertRejected(final JwtResult result, final String code, final String... secrets) {
        assertFalse(result.ok(), () -> "expected " + code + " but was accepted");
        assertEquals(code, result.code(), result::message);
        assertNull(result.subject());
        assertNotNull(result.message());
        assertFalse(result.message().isBlank());
        for (final String secret : secrets) {
            assertNoLeak(result.message(), secret);
        }
    }

    /** {@code text} contains neither {@code secret} nor any of its dot-separated parts of 8 or more characters. */
    static void assertNoLeak(final String text, final String secret) {
        assertFalse(text.contains(secret), () -> "leaked: " + text);
        for (final String part : secret.split("\\.")) {
            if (part.length() >= 8) {
                assertFalse(text.contains(part), () -> "leaked a token part: " + text);
            }
        }
    }

    /** An ES256 signature in ASN.1 DER, as Java's plain SHA256withECDSA makes it (JOSE wants raw R||S). */
    static byte[] signDer(final PrivateKey key, final byte[] input) throws GeneralSecurityException {
        return sign("SHA256withECDSA", key, input);
    }

    private static byte[] sign(final String algorithm, final PrivateKey key, final byte[] input)
        throws GeneralSecurityException {
        final Signature signature = Signature.getInstance(algorithm);
        signature.initSign(key);
        signature.update(input);
        return signature.sign();
    }

    private static byte[] unsigned(final BigInteger value) {
        final byte[] bytes = value.toByteArray();
        return bytes[0] == 0 && bytes.length > 1 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    private static byte[] fixed(final BigInteger value, final int length) {
        final byte[] bytes = unsigned(value);
        final byte[] out = new byte[length];
        System.arraycopy(bytes, 0, out, length - bytes.length, bytes.length);
        return out;
    }

    static KeyPair generate(final String algorithm, final int bits, final long seed) {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            final SecureRandom seeded = SecureRandom.getInstance("SHA1PRNG");
            seeded.setSeed(0x6A777421L + seed);
            if ("EC".equals(algorithm)) {
                generator.initialize(new ECGenParameterSpec("secp256r1"), seeded);
            } else {
                generator.initialize(bits, seeded);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
