package io.conversioni.ingress.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.conversioni.ingress.auth.TestTokens.NOW;
import static io.conversioni.ingress.auth.TestTokens.SECRET;
import static io.conversioni.ingress.auth.TestTokens.assertRejected;
import static io.conversioni.ingress.auth.TestTokens.b64;
import static io.conversioni.ingress.auth.TestTokens.bearer;
import static io.conversioni.ingress.auth.TestTokens.claims;
import static io.conversioni.ingress.auth.TestTokens.hs256;
import static io.conversioni.ingress.auth.TestTokens.hs256Token;
import static io.conversioni.ingress.auth.TestTokens.token;

class JwtVerifierMalformedTest {
    private static final JwtVerifier VERIFIER = new JwtVerifier(JwtSettings.hs256(SECRET));
    private static final String HEADER = "{\"alg\":\"HS256\"}";

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Bearertoken", "Token abc.def.ghi"})
    void shouldAnswerTokenMissingWithoutABearerToken(final String header) {
        assertRejected(VERIFIER.verify(header, NOW), JwtResult.TOKEN_MISSING);
    }

    @Test
    void shouldAnswerTokenMissingForANullHeader() {
        assertRejected(VERIFIER.verify(null, NOW), JwtResult.TOKEN_MISSING);
    }

    @Test
    void shouldAnswerTokenMissingForAValidTokenSentWithoutTheBearerScheme() {
        final String token = hs256Token(claims(NOW + 60));
        assertRejected(VERIFIER.verify(token, NOW), JwtResult.TOKEN_MISSING, token);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "abc.def", "a.b.c.d", ".def.ghi", "abc..ghi", "abc.def.g h", "ab=.def.ghi",
        "abc.def.ghi=", "a+c.def.ghi", "a/c.def.ghi", "a.def.ghi", "é.def.ghi", "abc.def.gh\u0000"})
    void shouldRejectStructurallyMalformedTokens(final String token) {
        assertRejected(VERIFIER.verify(bearer(token), NOW), JwtResult.TOKEN_MALFORMED, token);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"HS256\"", "42", "{\"alg\":\"HS256\"", "{\"alg\":\"HS256\",\"alg\":\"HS256\"}",
        "{\"typ\":\"JWT\"}", "{\"alg\":256}", "{\"alg\":\"HS256\",\"kid\":7}", "{\"alg\":\"HS256\"} x"})
    void shouldRejectHeadersThatAreNotAUsableJsonObject(final String header) {
        final String token = token(header, claims(NOW + 60), hs256(SECRET));
        assertRejected(VERIFIER.verify(bearer(token), NOW), JwtResult.TOKEN_MALFORMED, token);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"sub\"", "null", "{\"exp\":1,",
        "{\"sub\":\"a\",\"sub\":\"admin\",\"exp\":9999999999}",
        "{\"exp\":1e999}", "{\"sub\":\"\\ud800\",\"exp\":9999999999}"})
    void shouldRejectSignedPayloadsThatAreNotAValidJsonObject(final String payload) {
        final String token = token(HEADER, payload, hs256(SECRET));
        assertRejected(VERIFIER.verify(bearer(token), NOW), JwtResult.TOKEN_MALFORMED, token);
    }

    @Test
    void shouldRejectBase64WithNonZeroUnusedBitsAsMalformed() {
        final String token = hs256Token(claims(NOW + 60));
        final String payload = token.split("\\.")[1];
        final String header = b64(HEADER);
        // "e30" is "{}"; "e31" decodes to the same byte with a non-zero unused bit.
        assertRejected(VERIFIER.verify(bearer(header + "." + payload + "." + "e31"), NOW), JwtResult.TOKEN_MALFORMED);
    }

    @Test
    void shouldRejectAnOverlongHeaderBeforeParsingIt() {
        final String huge = "Bearer " + "a".repeat(JwtVerifier.MAX_HEADER_CHARS);
        assertRejected(VERIFIER.verify(huge, NOW), JwtResult.TOKEN_MALFORMED);
    }

    @Test
    void shouldRejectASignatureOfTheWrongLength() {
        final String token = hs256Token(claims(NOW + 60));
        final String truncated = token.substring(0, token.length() - 3);
        assertRejected(VERIFIER.verify(bearer(truncated), NOW), JwtResult.SIGNATURE_INVALID, truncated);
        final String empty = token.substring(0, token.lastIndexOf('.') + 1);
        assertRejected(VERIFIER.verify(bearer(empty), NOW), JwtResult.SIGNATURE_INVALID, empty);
    }
}
