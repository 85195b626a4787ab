package io.conversioni.ingress.auth;

import io.conversioni.json.JsonTree;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON Web Key Set (RFC 7517) into verification keys: {@code RSA} (RS256), {@code EC} on {@code P-256}
 * (ES256) and {@code oct} (HS256). Keys this server cannot use for verification (another {@code use}, another
 * curve or {@code alg}, another {@code kty}) are skipped as RFC 7517 §5 asks; keys that are broken, weak, carry
 * private material or contradict their {@code alg} are refused, and so is a set with no usable key.
 *
 * <p>Threading: stateless. Allocation: start-up only.
 */
final class JwksReader {
    private static final int P256_COORDINATE_BYTES = 32;

    private JwksReader() {
    }

    static List<VerificationKey> read(final Path file) {
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new JwtSettingsException(JwtSettingsException.KEY_UNREADABLE,
                "cannot read the JWKS file " + file + " (" + e.getClass().getSimpleName()
                    + "); check jwt.jwks_file and the file's permissions", e);
        }
        final Object root;
        try {
            root = JsonTree.parse(bytes);
        } catch (JsonTree.JsonTreeException e) {
            throw invalid("JWKS file " + file + " is not valid JSON (" + e.getMessage() + ")");
        }
        final Object keys = root instanceof Map ? ((Map<?, ?>) root).get("keys") : null;
        if (!(keys instanceof List)) {
            throw invalid("JWKS file " + file + " must be a JSON object with a \"keys\" array");
        }
        final List<VerificationKey> out = new ArrayList<>();
        int index = 0;
        for (final Object jwk : (List<?>) keys) {
            final String source = "JWKS file " + file + " key #" + index++;
            if (!(jwk instanceof Map)) {
                throw invalid(source + " is not a JSON object");
            }
            final VerificationKey key = readKey((Map<?, ?>) jwk, source);
            if (key != null) {
                out.add(key);
            }
        }
        if (out.isEmpty()) {
            throw invalid("JWKS file " + file + " has no usable signature key; it needs at least one RSA (RS256), "
                + "EC P-256 (ES256) or oct (HS256) key with \"use\":\"sig\" or no \"use\"");
        }
        return List.copyOf(out);
    }

    /** The key, or {@code null} when it is well-formed but not for us. */
    private static VerificationKey readKey(final Map<?, ?> jwk, final String source) {
        final String kty = optionalString(jwk, "kty", source);
        final String kid = optionalString(jwk, "kid", source);
        final String use = optionalString(jwk, "use", source);
        final String alg = optionalString(jwk, "alg", source);
        final String where = kid == null ? source : source + " (kid \"" + kid + "\")";
        if (kty == null) {
            throw invalid(where + " has no \"kty\"");
        }
        final Object ops = jwk.get("key_ops");
        if ((use != null && !"sig".equals(use)) || (ops instanceof List && !((List<?>) ops).contains("verify"))) {
            return null;
        }
        final JwtAlgorithm declared = JwtAlgorithm.fromJoseName(alg);
        if (alg != null && declared == null) {
            return null;
        }
        switch (kty) {
            case "RSA":
                return checkAlg(declared, JwtAlgorithm.RS256, where)
                    ? VerificationKey.rsa(kid, PublicKeys.checkRsa(rsa(jwk, where), where)) : null;
            case "EC":
                if (!"P-256".equals(optionalString(jwk, "crv", where))) {
                    return null;
                }
                return checkAlg(declared, JwtAlgorithm.ES256, where)
                    ? VerificationKey.ec(kid, PublicKeys.checkP256(ec(jwk, where), where)) : null;
            case "oct":
                return checkAlg(declared, JwtAlgorithm.HS256, where)
                    ? VerificationKey.hmac(kid, JwtSettings.checkSecretLength(bytes(jwk, "k", where), where)) : null;
            default:
                return null;
        }
    }

    private static boolean checkAlg(final JwtAlgorithm declared, final JwtAlgorithm expected, final String where) {
        if (declared != null && declared != expected) {
            throw invalid(where + " declares \"alg\":\"" + declared + "\" but its \"kty\" is for " + expected
                + "; fix the key's \"alg\"");
        }
        return true;
    }

    private static RSAPublicKey rsa(final Map<?, ?> jwk, final String where) {
        refusePrivate(jwk, where);
        final BigInteger n = new BigInteger(1, bytes(jwk, "n", where));
        final BigInteger e = new BigInteger(1, bytes(jwk, "e", where));
        try {
            return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
        } catch (GeneralSecurityException ex) {
            throw invalid(where + " is not a valid RSA public key (" + ex.getMessage() + ")");
        }
    }

    private static ECPublicKey ec(final Map<?, ?> jwk, final String where) {
        refusePrivate(jwk, where);
        final byte[] x = bytes(jwk, "x", where);
        final byte[] y = bytes(jwk, "y", where);
        if (x.length != P256_COORDINATE_BYTES || y.length != P256_COORDINATE_BYTES) {
            throw invalid(where + " must have \"x\" and \"y\" of exactly 32 bytes each for P-256");
        }
        final ECPoint w = new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC")
                .generatePublic(new ECPublicKeySpec(w, PublicKeys.p256Params()));
        } catch (GeneralSecurityException ex) {
            throw invalid(where + " is not a valid P-256 public key (" + ex.getMessage() + ")");
        }
    }

    private static void refusePrivate(final Map<?, ?> jwk, final String where) {
        if (jwk.containsKey("d")) {
            throw invalid(where + " contains private key material (\"d\"); publish only the public key");
        }
    }

    private static byte[] bytes(final Map<?, ?> jwk, final String name, final String where) {
        final String text = optionalString(jwk, name, where);
        final byte[] bytes = text == null ? null : Base64Url.decodeOrNull(text);
        if (bytes == null || bytes.length == 0) {
            throw invalid(where + " needs \"" + name + "\" as non-empty unpadded base64url");
        }
        return bytes;
    }

    private static String optionalString(final Map<?, ?> jwk, final String name, final String where) {
        final Object value = jwk.get(name);
        if (value != null && !(value instanceof String)) {
            throw invalid(where + " has a non-string \"" + name + "\"");
        }
        return (String) value;
    }

    private static JwtSettingsException invalid(final String message) {
        return new JwtSettingsException(JwtSettingsException.JWKS_INVALID, message);
    }
}
