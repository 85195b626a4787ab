package io.conversioni.ingress.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.JSONObjectUtils;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON Web Key Set file (RFC 7517) into the keys this server verifies with: {@code RSA} (RS256),
 * {@code EC} on {@code P-256} (ES256) and {@code oct} (HS256). The library parses each key (and checks that an EC
 * point is on its curve); this class decides which keys are for us. Keys this server cannot use for verification
 * (another {@code use}, {@code key_ops}, curve, {@code alg} or {@code kty}) are skipped as RFC 7517 §5 asks; keys
 * that are broken, weak, carry private material or contradict their {@code alg} are refused, and so is a set
 * with no usable key, so that a bad file stops the start-up with a message naming the key.
 *
 * <p>Threading: stateless. Allocation: start-up only.
 */
final class JwksReader {
    private JwksReader() {
    }

    static List<JWK> read(final Path file) {
        final String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new JwtSettingsException(JwtSettingsException.KEY_UNREADABLE,
                "cannot read the JWKS file " + file + " (" + e.getClass().getSimpleName()
                    + "); check auth.jwks and the file's permissions", e);
        }
        final Map<String, Object> root;
        try {
            root = JSONObjectUtils.parse(text);
        } catch (ParseException e) {
            throw invalid("JWKS file " + file + " is not a valid JSON object (" + e.getMessage() + ")");
        }
        final Object keys = root.get("keys");
        if (!(keys instanceof List)) {
            throw invalid("JWKS file " + file + " must be a JSON object with a \"keys\" array");
        }
        final List<JWK> out = new ArrayList<>();
        int index = 0;
        for (final Object jwk : (List<?>) keys) {
            final String source = "JWKS file " + file + " key #" + index++;
            if (!(jwk instanceof Map)) {
                throw invalid(source + " is not a JSON object");
            }
            @SuppressWarnings("unchecked")
            final JWK key = readKey((Map<String, Object>) jwk, source);
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
    private static JWK readKey(final Map<String, Object> jwk, final String source) {
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
        final JwtAlgorithm expected;
        switch (kty) {
            case "RSA":
                expected = JwtAlgorithm.RS256;
                break;
            case "EC":
                if (!"P-256".equals(optionalString(jwk, "crv", where))) {
                    return null;
                }
                expected = JwtAlgorithm.ES256;
                break;
            case "oct":
                expected = JwtAlgorithm.HS256;
                break;
            default:
                return null;
        }
        if (declared != null && declared != expected) {
            throw invalid(where + " declares \"alg\":\"" + declared + "\" but its \"kty\" is for " + expected
                + "; fix the key's \"alg\"");
        }
        if (expected != JwtAlgorithm.HS256 && jwk.containsKey("d")) {
            throw invalid(where + " contains private key material (\"d\"); publish only the public key");
        }
        final JWK key;
        try {
            key = JWK.parse(jwk);
        } catch (ParseException | RuntimeException e) {
            throw new JwtSettingsException(JwtSettingsException.KEY_INVALID, where + " is not a valid " + kty
                + " key (" + e.getMessage() + "); export it again");
        }
        if (expected == JwtAlgorithm.HS256) {
            JwtSettings.checkSecretLength(((com.nimbusds.jose.jwk.OctetSequenceKey) key).toByteArray(), where);
        } else if (expected == JwtAlgorithm.RS256 && key.size() < JwkPolicy.MIN_RSA_BITS) {
            throw new JwtSettingsException(JwtSettingsException.KEY_INVALID, where + " is a " + key.size()
                + "-bit RSA key; RS256 needs at least " + JwkPolicy.MIN_RSA_BITS + " bits: generate a new key pair");
        }
        return key;
    }

    private static String optionalString(final Map<String, Object> jwk, final String name, final String where) {
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
