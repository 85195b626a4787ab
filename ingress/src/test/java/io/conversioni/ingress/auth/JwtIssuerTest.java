package io.conversioni.ingress.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static io.conversioni.ingress.auth.TestTokens.NOW;
import static io.conversioni.ingress.auth.TestTokens.RSA;
import static io.conversioni.ingress.auth.TestTokens.SECRET;
import static io.conversioni.ingress.auth.TestTokens.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JwtIssuerTest {
    @Test
    void shouldIssueATokenThatTheVerifierAcceptsUntilItExpires() {
        final JwtSettings settings = JwtSettings.hs256(SECRET).withLeewaySeconds(0);
        final String token = JwtIssuer.of(settings).issue("crm-webhook", NOW, 3600);
        final JwtVerifier verifier = new JwtVerifier(settings);
        final JwtResult result = verifier.verify("Bearer " + token, NOW + 10);
        assertTrue(result.ok(), result::message);
        assertEquals("crm-webhook", result.subject());
        assertEquals(NOW + 3600, result.expiresAt());
        assertRejected(verifier.verify("Bearer " + token, NOW + 3600), JwtResult.TOKEN_EXPIRED, token);
    }

    @Test
    void shouldWriteSubIatExpAndTheConfiguredIssuerAndAudience() {
        final JwtSettings settings = JwtSettings.hs256(SECRET).withIssuer("conversioni-dev").withAudience("ingest");
        final String token = JwtIssuer.of(settings).issue("a \"quoted\" \\ subject\n", NOW, 60);
        final String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        assertEquals("{\"iss\":\"conversioni-dev\",\"sub\":\"a \\\"quoted\\\" \\\\ subject\\n\",\"aud\":\"ingest\","
            + "\"iat\":" + NOW + ",\"exp\":" + (NOW + 60) + "}", payload);
        final JwtResult result = new JwtVerifier(settings).verify("Bearer " + token, NOW);
        assertTrue(result.ok(), result::message);
        assertEquals("a \"quoted\" \\ subject\n", result.subject());
    }

    @Test
    void shouldBeRejectedByAVerifierWithAnotherIssuer() {
        final String token = JwtIssuer.of(JwtSettings.hs256(SECRET).withIssuer("a")).issue("s", NOW, 60);
        assertRejected(new JwtVerifier(JwtSettings.hs256(SECRET).withIssuer("b")).verify("Bearer " + token, NOW),
            JwtResult.ISSUER_INVALID, token);
    }

    @Test
    void shouldRefuseToIssueWithoutAnHs256Secret() {
        final JwtSettingsException e = assertThrows(JwtSettingsException.class,
            () -> JwtIssuer.of(JwtSettings.rs256(RSA.getPublic())));
        assertEquals(JwtSettingsException.SETTING_INVALID, e.code());
        assertThrows(JwtSettingsException.class, () -> JwtIssuer.hs256(new byte[31]));
    }

    @Test
    void shouldRefuseAnEmptySubjectOrANonPositiveTtl() {
        final JwtIssuer issuer = JwtIssuer.hs256(SECRET);
        assertThrows(IllegalArgumentException.class, () -> issuer.issue("", NOW, 60));
        assertThrows(IllegalArgumentException.class, () -> issuer.issue("s", NOW, 0));
        assertThrows(IllegalArgumentException.class, () -> issuer.issue("s", NOW, Long.MAX_VALUE));
    }
}
