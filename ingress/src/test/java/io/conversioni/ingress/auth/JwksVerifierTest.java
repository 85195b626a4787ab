package io.conversioni.ingress.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.conversioni.ingress.auth.TestTokens.EC;
import static io.conversioni.ingress.auth.TestTokens.EC_OTHER;
import static io.conversioni.ingress.auth.TestTokens.NOW;
import static io.conversioni.ingress.auth.TestTokens.RSA;
import static io.conversioni.ingress.auth.TestTokens.RSA_OTHER;
import static io.conversioni.ingress.auth.TestTokens.SECRET;
import static io.conversioni.ingress.auth.TestTokens.assertRejected;
import static io.conversioni.ingress.auth.TestTokens.bearer;
import static io.conversioni.ingress.auth.TestTokens.claims;
import static io.conversioni.ingress.auth.TestTokens.ecJwk;
import static io.conversioni.ingress.auth.TestTokens.es256;
import static io.conversioni.ingress.auth.TestTokens.hs256;
import static io.conversioni.ingress.auth.TestTokens.jwks;
import static io.conversioni.ingress.auth.TestTokens.octJwk;
import static io.conversioni.ingress.auth.TestTokens.rs256;
import static io.conversioni.ingress.auth.TestTokens.rsaJwk;
import static io.conversioni.ingress.auth.TestTokens.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JwksVerifierTest {
    @TempDir
    Path dir;

    private JwtSettings settings(final String json) throws Exception {
        final Path file = dir.resolve("jwks.json");
        Files.writeString(file, json);
        return JwtSettings.jwks(file);
    }

    private JwtVerifier verifier() throws Exception {
        return new JwtVerifier(settings(jwks(rsaJwk("rsa-1", RSA.getPublic(), "RS256"),
            rsaJwk("rsa-2", RSA_OTHER.getPublic(), null), ecJwk("ec-1", EC.getPublic()), octJwk("hmac-1", SECRET))));
    }

    private static String header(final String alg, final String kid) {
        return "{\"alg\":\"" + alg + "\"" + (kid == null ? "" : ",\"kid\":\"" + kid + "\"") + "}";
    }

    @Test
    void shouldAcceptTokensOfEachKeyTypeSelectedByKid() throws Exception {
        final JwtVerifier verifier = verifier();
        assertTrue(verifier.verify(bearer(token(header("RS256", "rsa-1"), claims(NOW + 60), rs256(RSA.getPrivate()))),
            NOW).ok());
        assertTrue(verifier.verify(bearer(token(header("RS256", "rsa-2"), claims(NOW + 60),
            rs256(RSA_OTHER.getPrivate()))), NOW).ok());
        final JwtResult ec = verifier.verify(bearer(token(header("ES256", "ec-1"), claims(NOW + 60),
            es256(EC.getPrivate()))), NOW);
        assertTrue(ec.ok(), ec::message);
        assertEquals("crm-webhook", ec.subject());
        assertTrue(verifier.verify(bearer(token(header("HS256", "hmac-1"), claims(NOW + 60), hs256(SECRET))), NOW)
            .ok());
    }

    @Test
    void shouldRejectATokenWhoseKidNamesAnotherKeyOfTheSameType() throws Exception {
        final String token = token(header("RS256", "rsa-1"), claims(NOW + 60), rs256(RSA_OTHER.getPrivate()));
        assertRejected(verifier().verify(bearer(token), NOW), JwtResult.SIGNATURE_INVALID, token);
    }

    @Test
    void shouldTryEveryKeyOfTheTokensTypeWhenItHasNoKid() throws Exception {
        final JwtVerifier verifier = verifier();
        assertTrue(verifier.verify(bearer(token(header("RS256", null), claims(NOW + 60),
            rs256(RSA_OTHER.getPrivate()))), NOW).ok());
        assertTrue(verifier.verify(bearer(token(header("ES256", null), claims(NOW + 60), es256(EC.getPrivate()))),
            NOW).ok());
        final String stranger = token(header("ES256", null), claims(NOW + 60), es256(EC_OTHER.getPrivate()));
        assertRejected(verifier.verify(bearer(stranger), NOW), JwtResult.SIGNATURE_INVALID, stranger);
    }

    @Test
    void shouldAnswerKeyUnknownForAnUnknownKid() throws Exception {
        final String token = token(header("RS256", "rotated-away"), claims(NOW + 60), rs256(RSA.getPrivate()));
        assertRejected(verifier().verify(bearer(token), NOW), JwtResult.KEY_UNKNOWN, token);
    }

    @Test
    void shouldRejectAnHmacTokenWhoseKidNamesAnRsaKey() throws Exception {
        final byte[] rsaPem = TestTokens.pem(RSA.getPublic()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final String token = token(header("HS256", "rsa-1"), claims(NOW + 60), hs256(rsaPem));
        assertRejected(verifier().verify(bearer(token), NOW), JwtResult.ALG_NOT_ALLOWED, token);
    }

    @Test
    void shouldRejectAnHmacTokenAgainstAJwksWithOnlyPublicKeys() throws Exception {
        final JwtVerifier verifier = new JwtVerifier(settings(jwks(rsaJwk("rsa-1", RSA.getPublic(), null))));
        final String n = rsaJwk("rsa-1", RSA.getPublic(), null);
        final String token = token(header("HS256", "rsa-1"), claims(NOW + 60),
            hs256(n.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertRejected(verifier.verify(bearer(token), NOW), JwtResult.ALG_NOT_ALLOWED, token);
    }

    @Test
    void shouldSkipKeysForOtherUsesCurvesAndAlgorithms() throws Exception {
        final JwtSettings settings = settings(jwks(
            "{\"kty\":\"RSA\",\"use\":\"enc\",\"kid\":\"e\",\"n\":\"AQAB\",\"e\":\"AQAB\"}",
            "{\"kty\":\"EC\",\"crv\":\"P-384\",\"kid\":\"p384\",\"x\":\"AA\",\"y\":\"AA\"}",
            "{\"kty\":\"RSA\",\"alg\":\"PS256\",\"kid\":\"ps\",\"n\":\"AQAB\",\"e\":\"AQAB\"}",
            "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AA\"}",
            ecJwk("ec-1", EC.getPublic())));
        assertEquals(1, settings.keyCount());
    }

    @Test
    void shouldRefuseAJwksWithoutUsableKeys() {
        final JwtSettingsException e = assertThrows(JwtSettingsException.class,
            () -> settings("{\"keys\":[{\"kty\":\"RSA\",\"use\":\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}"));
        assertEquals(JwtSettingsException.JWKS_INVALID, e.code());
        assertTrue(e.getMessage().contains("no usable signature key"), e::getMessage);
    }

    @Test
    void shouldRefuseAJwksHoldingPrivateKeyMaterial() {
        final String withD = rsaJwk("r", RSA.getPublic(), null).replace("}", ",\"d\":\"AQAB\"}");
        final JwtSettingsException e = assertThrows(JwtSettingsException.class, () -> settings(jwks(withD)));
        assertEquals(JwtSettingsException.JWKS_INVALID, e.code());
        assertTrue(e.getMessage().contains("private"), e::getMessage);
    }

    @Test
    void shouldRefuseAJwksKeyWhoseAlgContradictsItsType() {
        final JwtSettingsException e = assertThrows(JwtSettingsException.class,
            () -> settings(jwks(rsaJwk("r", RSA.getPublic(), "ES256"))));
        assertEquals(JwtSettingsException.JWKS_INVALID, e.code());
    }

    @Test
    void shouldRefuseAnEcKeyWhosePointIsNotOnTheCurve() {
        final String jwk = ecJwk("ec", EC.getPublic());
        final String y = jwk.substring(jwk.indexOf("\"y\":\"") + 5, jwk.lastIndexOf('"'));
        final String offCurve = jwk.replace(y, (y.charAt(0) == 'A' ? 'B' : 'A') + y.substring(1));
        final JwtSettingsException e = assertThrows(JwtSettingsException.class, () -> settings(jwks(offCurve)));
        assertEquals(JwtSettingsException.KEY_INVALID, e.code());
    }

    @Test
    void shouldRefuseAShortOctKeyAndMalformedJson() {
        assertEquals(JwtSettingsException.SECRET_TOO_SHORT, assertThrows(JwtSettingsException.class,
            () -> settings(jwks(octJwk("h", new byte[16])))).code());
        assertEquals(JwtSettingsException.JWKS_INVALID, assertThrows(JwtSettingsException.class,
            () -> settings("{\"keys\":[],\"keys\":[]}")).code());
        assertEquals(JwtSettingsException.JWKS_INVALID, assertThrows(JwtSettingsException.class,
            () -> settings("[]")).code());
    }
}
