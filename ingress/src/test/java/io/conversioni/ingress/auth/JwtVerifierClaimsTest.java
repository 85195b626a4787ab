package io.conversioni.ingress.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.conversioni.ingress.auth.TestTokens.NOW;
import static io.conversioni.ingress.auth.TestTokens.SECRET;
import static io.conversioni.ingress.auth.TestTokens.assertRejected;
import static io.conversioni.ingress.auth.TestTokens.bearer;
import static io.conversioni.ingress.auth.TestTokens.hs256Token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JwtVerifierClaimsTest {
    private static final JwtSettings SETTINGS = JwtSettings.hs256(SECRET).withCacheCapacity(0);
    private static final JwtVerifier VERIFIER = new JwtVerifier(SETTINGS);

    private static JwtResult verify(final String payload) {
        return VERIFIER.verify(bearer(hs256Token(payload)), NOW);
    }

    @Test
    void shouldRejectTokenExpiredBeyondTheLeeway() {
        final String token = hs256Token("{\"sub\":\"a\",\"exp\":" + (NOW - 31) + "}");
        assertRejected(VERIFIER.verify(bearer(token), NOW), JwtResult.TOKEN_EXPIRED, token);
        assertRejected(verify("{\"exp\":" + (NOW - 30) + "}"), JwtResult.TOKEN_EXPIRED);
    }

    @Test
    void shouldAcceptTokenExpiredWithinTheLeeway() {
        final JwtResult result = verify("{\"sub\":\"a\",\"exp\":" + (NOW - 29) + "}");
        assertTrue(result.ok(), result::message);
        assertEquals(NOW - 29, result.expiresAt());
    }

    @Test
    void shouldApplyAConfiguredLeewayOfZero() {
        final JwtVerifier strict = new JwtVerifier(SETTINGS.withLeewaySeconds(0));
        assertRejected(strict.verify(bearer(hs256Token("{\"exp\":" + NOW + "}")), NOW), JwtResult.TOKEN_EXPIRED);
        assertTrue(strict.verify(bearer(hs256Token("{\"exp\":" + (NOW + 1) + "}")), NOW).ok());
    }

    @Test
    void shouldRejectNotBeforeInTheFutureBeyondTheLeeway() {
        assertRejected(verify("{\"nbf\":" + (NOW + 31) + ",\"exp\":" + (NOW + 600) + "}"),
            JwtResult.TOKEN_NOT_YET_VALID);
    }

    @Test
    void shouldAcceptNotBeforeInTheFutureWithinTheLeeway() {
        assertTrue(verify("{\"nbf\":" + (NOW + 30) + ",\"exp\":" + (NOW + 600) + "}").ok());
    }

    @Test
    void shouldRejectIssuedAtInTheFutureBeyondTheLeeway() {
        assertRejected(verify("{\"iat\":" + (NOW + 31) + ",\"exp\":" + (NOW + 600) + "}"),
            JwtResult.TOKEN_NOT_YET_VALID);
    }

    @Test
    void shouldAcceptIssuedAtInTheFutureWithinTheLeeway() {
        assertTrue(verify("{\"iat\":" + (NOW + 30) + ",\"exp\":" + (NOW + 600) + "}").ok());
    }

    @Test
    void shouldRoundFractionalDatesTowardsTheStricterSide() {
        assertRejected(verify("{\"exp\":" + (NOW - 30) + ".9}"), JwtResult.TOKEN_EXPIRED);
        assertRejected(verify("{\"nbf\":" + (NOW + 30) + ".1,\"exp\":" + (NOW + 600) + "}"),
            JwtResult.TOKEN_NOT_YET_VALID);
    }

    @Test
    void shouldRejectMissingExpWhenRequired() {
        assertRejected(verify("{\"sub\":\"a\"}"), JwtResult.EXP_MISSING);
    }

    @Test
    void shouldAcceptMissingExpWhenNotRequiredAndReportNoExpiry() {
        final JwtVerifier lax = new JwtVerifier(SETTINGS.withRequireExp(false));
        final JwtResult result = lax.verify(bearer(hs256Token("{\"sub\":\"a\"}")), NOW);
        assertTrue(result.ok(), result::message);
        assertEquals(JwtResult.NO_EXPIRY, result.expiresAt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"1716215565\"", "true", "null", "[1]", "{}", "-1", "253402300800"})
    void shouldRejectNonNumericOrOutOfRangeExpAsMalformed(final String exp) {
        assertRejected(verify("{\"sub\":\"a\",\"exp\":" + exp + "}"), JwtResult.TOKEN_MALFORMED);
    }

    @Test
    void shouldRejectNonStringSubjectAsMalformed() {
        assertRejected(verify("{\"sub\":42,\"exp\":" + (NOW + 60) + "}"), JwtResult.TOKEN_MALFORMED);
    }

    @Test
    void shouldReturnNullSubjectWhenTheTokenHasNone() {
        final JwtResult result = verify("{\"exp\":" + (NOW + 60) + "}");
        assertTrue(result.ok());
        assertNull(result.subject());
    }

    @Test
    void shouldRejectWrongOrMissingIssuerWhenConfigured() {
        final JwtVerifier verifier = new JwtVerifier(SETTINGS.withIssuer("https://crm.example"));
        final String exp = ",\"exp\":" + (NOW + 60) + "}";
        assertRejected(verifier.verify(bearer(hs256Token("{\"iss\":\"https://evil.example\"" + exp)), NOW),
            JwtResult.ISSUER_INVALID);
        assertRejected(verifier.verify(bearer(hs256Token("{\"sub\":\"a\"" + exp)), NOW), JwtResult.ISSUER_INVALID);
        assertTrue(verifier.verify(bearer(hs256Token("{\"iss\":\"https://crm.example\"" + exp)), NOW).ok());
    }

    @Test
    void shouldRejectWrongOrMissingAudienceWhenConfigured() {
        final JwtVerifier verifier = new JwtVerifier(SETTINGS.withAudience("conversioni"));
        final String exp = ",\"exp\":" + (NOW + 60) + "}";
        assertRejected(verifier.verify(bearer(hs256Token("{\"aud\":\"other\"" + exp)), NOW),
            JwtResult.AUDIENCE_INVALID);
        assertRejected(verifier.verify(bearer(hs256Token("{\"aud\":[\"a\",\"b\"]" + exp)), NOW),
            JwtResult.AUDIENCE_INVALID);
        assertRejected(verifier.verify(bearer(hs256Token("{\"sub\":\"a\"" + exp)), NOW), JwtResult.AUDIENCE_INVALID);
    }

    @Test
    void shouldAcceptAudienceAsAStringOrAnArrayContainingIt() {
        final JwtVerifier verifier = new JwtVerifier(SETTINGS.withAudience("conversioni"));
        final String exp = ",\"exp\":" + (NOW + 60) + "}";
        assertTrue(verifier.verify(bearer(hs256Token("{\"aud\":\"conversioni\"" + exp)), NOW).ok());
        assertTrue(verifier.verify(bearer(hs256Token("{\"aud\":[\"crm\",\"conversioni\"]" + exp)), NOW).ok());
    }

    @Test
    void shouldIgnoreIssuerAndAudienceWhenNotConfigured() {
        assertTrue(verify("{\"iss\":7,\"aud\":false,\"exp\":" + (NOW + 60) + "}").ok());
    }
}
