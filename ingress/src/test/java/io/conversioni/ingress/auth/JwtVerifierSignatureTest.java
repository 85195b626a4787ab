package io.conversioni.ingress.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

import static io.conversioni.ingress.auth.TestTokens.EC;
import static io.conversioni.ingress.auth.TestTokens.EC_OTHER;
import static io.conversioni.ingress.auth.TestTokens.NOW;
import static io.conversioni.ingress.auth.TestTokens.RSA;
import static io.conversioni.ingress.auth.TestTokens.RSA_OTHER;
import static io.conversioni.ingress.auth.TestTokens.SECRET;
import static io.conversioni.ingress.auth.TestTokens.assertRejected;
import static io.conversioni.ingress.auth.TestTokens.b64;
import static io.conversioni.ingress.auth.TestTokens.bearer;
import static io.conversioni.ingress.auth.TestTokens.claims;
import static io.conversioni.ingress.auth.TestTokens.es256;
import static io.conversioni.ingress.auth.TestTokens.hs256;
import static io.conversioni.ingress.auth.TestTokens.hs256Token;
import static io.conversioni.ingress.auth.TestTokens.pem;
import static io.conversioni.ingress.auth.TestTokens.rs256;
import static io.conversioni.ingress.auth.TestTokens.token;
import static io.conversioni.ingress.auth.TestTokens.unsigned;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JwtVerifierSignatureTest {
    private static final String HS256 = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    private static final String RS256 = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
    private static final String ES256 = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}";

    @TempDir
    Path dir;

    private JwtVerifier rsaVerifier() throws Exception {
        final Path file = dir.resolve("rsa.pem");
        Files.writeString(file, pem(RSA.getPublic()));
        return new JwtVerifier(JwtSettings.rs256(file).withCacheCapacity(0));
    }

    private JwtVerifier ecVerifier() throws Exception {
        final Path file = dir.resolve("ec.pem");
        Files.writeString(file, pem(EC.getPublic()));
        return new JwtVerifier(JwtSettings.es256(file).withCacheCapacity(0));
    }

    private static JwtVerifier hmacVerifier() {
        return new JwtVerifier(JwtSettings.hs256(SECRET).withCacheCapacity(0));
    }

    @Test
    void shouldAcceptValidHs256TokenWithItsSubjectAndExpiry() {
        final JwtResult result = hmacVerifier().verify(bearer(hs256Token(claims(NOW + 3600))), NOW);
        assertTrue(result.ok(), result::message);
        assertEquals(JwtResult.OK, result.code());
        assertEquals("crm-webhook", result.subject());
        assertEquals(NOW + 3600, result.expiresAt());
    }

    @Test
    void shouldAcceptValidRs256TokenFromPemPublicKey() throws Exception {
        final String token = token(RS256, claims(NOW + 60), rs256(RSA.getPrivate()));
        final JwtResult result = rsaVerifier().verify(bearer(token), NOW);
        assertTrue(result.ok(), result::message);
        assertEquals("crm-webhook", result.subject());
    }

    @Test
    void shouldAcceptValidEs256TokenWithRawConcatenatedSignature() throws Exception {
        final String token = token(ES256, claims(NOW + 60), es256(EC.getPrivate()));
        final JwtResult result = ecVerifier().verify(bearer(token), NOW);
        assertTrue(result.ok(), result::message);
        assertEquals("crm-webhook", result.subject());
    }

    @Test
    void shouldAcceptLowerCaseSchemeAndSurroundingSpaces() {
        final JwtResult result = hmacVerifier().verify("  bearer   " + hs256Token(claims(NOW + 60)) + " ", NOW);
        assertTrue(result.ok(), result::message);
    }

    @Test
    void shouldRejectRs256TokenSignedWithAnotherKey() throws Exception {
        final String token = token(RS256, claims(NOW + 60), rs256(RSA_OTHER.getPrivate()));
        assertRejected(rsaVerifier().verify(bearer(token), NOW), JwtResult.SIGNATURE_INVALID, token);
    }

    @Test
    void shouldRejectEs256TokenSignedWithAnotherKey() throws Exception {
        final String token = token(ES256, claims(NOW + 60), es256(EC_OTHER.getPrivate()));
        assertRejected(ecVerifier().verify(bearer(token), NOW), JwtResult.SIGNATURE_INVALID, token);
    }

    @Test
    void shouldRejectHs256TokenSignedWithAnotherSecret() {
        final byte[] other = "another-secret-of-thirty-two-bytes-or-more".getBytes(StandardCharsets.US_ASCII);
        final String token = token(HS256, claims(NOW + 60), hs256(other));
        assertRejected(hmacVerifier().verify(bearer(token), NOW), JwtResult.SIGNATURE_INVALID, token,
            new String(SECRET, StandardCharsets.US_ASCII));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
    void shouldRejectAlgNoneInAnyCaseWithoutSignature(final String alg) {
        final String token = token("{\"alg\":\"" + alg + "\"}", claims(NOW + 60), unsigned());
        assertTrue(token.endsWith("."));
        assertRejected(hmacVerifier().verify(bearer(token), NOW), JwtResult.ALG_NOT_ALLOWED, token);
    }

    @Test
    void shouldRejectAlgNoneEvenWithAValidLookingSignature() {
        final String token = token("{\"alg\":\"none\"}", claims(NOW + 60), hs256(SECRET));
        assertRejected(hmacVerifier().verify(bearer(token), NOW), JwtResult.ALG_NOT_ALLOWED, token);
    }

    @Test
    void shouldRejectHs256TokenHmacedWithTheRsaPublicKeyPemWhenHoldingAnRsaKey() throws Exception {
        final byte[] pemBytes = pem(RSA.getPublic()).getBytes(StandardCharsets.US_ASCII);
        final JwtVerifier verifier = rsaVerifier();
        final String confused = token(HS256, claims(NOW + 60), hs256(pemBytes));
        assertRejected(verifier.verify(bearer(confused), NOW), JwtResult.ALG_NOT_ALLOWED, confused);
        final String confusedDer = token(HS256, claims(NOW + 60), hs256(RSA.getPublic().getEncoded()));
        assertRejected(verifier.verify(bearer(confusedDer), NOW), JwtResult.ALG_NOT_ALLOWED, confusedDer);
    }

    @Test
    void shouldRejectRs256TokenWhenOnlyHs256IsConfigured() {
        final String token = token(RS256, claims(NOW + 60), rs256(RSA.getPrivate()));
        assertRejected(hmacVerifier().verify(bearer(token), NOW), JwtResult.ALG_NOT_ALLOWED, token);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS512", "hs256", "PS256", "ES256K", "RS256 "})
    void shouldRejectAlgorithmsOutsideTheAllowList(final String alg) {
        final String token = token("{\"alg\":\"" + alg + "\"}", claims(NOW + 60), hs256(SECRET));
        assertRejected(hmacVerifier().verify(bearer(token), NOW), JwtResult.ALG_NOT_ALLOWED, token);
    }

    @Test
    void shouldRejectTamperedPayloadWithOriginalSignature() {
        final String token = hs256Token(claims(NOW + 60));
        final String[] parts = token.split("\\.");
        final String forged = parts[0] + "." + b64("{\"sub\":\"admin\",\"iat\":" + NOW + ",\"exp\":" + (NOW + 60)
            + "}") + "." + parts[2];
        assertRejected(hmacVerifier().verify(bearer(forged), NOW), JwtResult.SIGNATURE_INVALID, forged);
    }

    @Test
    void shouldRejectTamperedHeaderWithOriginalSignature() throws Exception {
        final String token = token(RS256, claims(NOW + 60), rs256(RSA.getPrivate()));
        final String[] parts = token.split("\\.");
        final String forged = b64("{\"alg\":\"RS256\",\"kid\":\"x\"}") + "." + parts[1] + "." + parts[2];
        assertRejected(rsaVerifier().verify(bearer(forged), NOW), JwtResult.SIGNATURE_INVALID, forged);
    }

    @Test
    void shouldRejectEverySingleCharacterChangeOfTheSignature() {
        final JwtVerifier verifier = hmacVerifier();
        final String token = hs256Token(claims(NOW + 60));
        final int sigStart = token.lastIndexOf('.') + 1;
        for (int i = sigStart; i < token.length(); i++) {
            final char replacement = token.charAt(i) == 'A' ? 'B' : 'A';
            final String tampered = token.substring(0, i) + replacement + token.substring(i + 1);
            final JwtResult result = verifier.verify(bearer(tampered), NOW);
            // The last character also carries unused bits: flipping only those is non-canonical base64url.
            assertTrue(!result.ok() && (JwtResult.SIGNATURE_INVALID.equals(result.code())
                || JwtResult.TOKEN_MALFORMED.equals(result.code())), () -> "accepted a changed signature");
        }
    }

    @Test
    void shouldRejectEs256SignatureWithZeroScalars() throws Exception {
        final String token = token(ES256, claims(NOW + 60), input -> new byte[64]);
        assertRejected(ecVerifier().verify(bearer(token), NOW), JwtResult.SIGNATURE_INVALID, token);
    }

    @Test
    void shouldRejectEs256SignatureInDerFormat() throws Exception {
        final String token = token(ES256, claims(NOW + 60),
            input -> TestTokens.signDer(EC.getPrivate(), input));
        assertRejected(ecVerifier().verify(bearer(token), NOW), JwtResult.SIGNATURE_INVALID, token);
    }

    @Test
    void shouldRejectAnAllowedAlgorithmRemovedFromTheAllowList() throws Exception {
        final Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, TestTokens.jwks(TestTokens.rsaJwk("r1", RSA.getPublic(), null),
            TestTokens.octJwk("h1", SECRET)));
        final JwtVerifier verifier = new JwtVerifier(JwtSettings.jwks(jwks)
            .withAllowedAlgorithms(EnumSet.of(JwtAlgorithm.RS256)));
        final String token = token("{\"alg\":\"HS256\",\"kid\":\"h1\"}", claims(NOW + 60), hs256(SECRET));
        assertRejected(verifier.verify(bearer(token), NOW), JwtResult.ALG_NOT_ALLOWED, token);
        final String rsaToken = token("{\"alg\":\"RS256\",\"kid\":\"r1\"}", claims(NOW + 60), rs256(RSA.getPrivate()));
        assertTrue(verifier.verify(bearer(rsaToken), NOW).ok());
    }

    @Test
    void shouldRejectCriticalHeaderExtensions() {
        final String token = token("{\"alg\":\"HS256\",\"b64\":false,\"crit\":[\"b64\"]}", claims(NOW + 60),
            hs256(SECRET));
        assertRejected(hmacVerifier().verify(bearer(token), NOW), JwtResult.TOKEN_MALFORMED, token);
    }

    @Test
    void shouldIgnoreAnEmbeddedJwkAndVerifyWithTheConfiguredKey() throws Exception {
        final String attackerJwk = TestTokens.rsaJwk("evil", RSA_OTHER.getPublic(), "RS256");
        final String token = token("{\"alg\":\"RS256\",\"jwk\":" + attackerJwk + "}", claims(NOW + 60),
            rs256(RSA_OTHER.getPrivate()));
        assertRejected(rsaVerifier().verify(bearer(token), NOW), JwtResult.SIGNATURE_INVALID, token);
    }
}
