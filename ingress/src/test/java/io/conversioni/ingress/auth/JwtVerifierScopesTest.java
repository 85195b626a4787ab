package io.conversioni.ingress.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static io.conversioni.ingress.auth.TestTokens.NOW;
import static io.conversioni.ingress.auth.TestTokens.SECRET;
import static io.conversioni.ingress.auth.TestTokens.assertRejected;
import static io.conversioni.ingress.auth.TestTokens.bearer;
import static io.conversioni.ingress.auth.TestTokens.hs256Token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code scope} claim, the default scopes, and a JWKS URL that cannot be fetched. */
class JwtVerifierScopesTest {
    private static final JwtVerifier VERIFIER = new JwtVerifier(JwtSettings.hs256(SECRET));

    private static int scopesOf(final JwtVerifier verifier, final String scopeJson) {
        final JwtResult result = verifier.verify(bearer(hs256Token("{\"sub\":\"a\",\"exp\":" + (NOW + 60)
            + (scopeJson == null ? "" : ",\"scope\":" + scopeJson) + "}")), NOW);
        assertTrue(result.ok(), result::message);
        return result.scopes();
    }

    @Test
    void shouldReadSpaceSeparatedScopesAndIgnoreOtherServicesNames() {
        assertEquals(Scopes.EVENTI_SCRIVI, scopesOf(VERIFIER, "\"eventi:scrivi\""));
        assertEquals(Scopes.METRICHE_LEGGI | Scopes.ADMIN, scopesOf(VERIFIER, "\"  admin profilo:leggi metriche:leggi \""));
        assertEquals(0, scopesOf(VERIFIER, "\"\""));
        assertEquals(0, scopesOf(VERIFIER, "\"Admin METRICHE:LEGGI eventi:scrivi,admin\""));
    }

    @Test
    void shouldGrantTheDefaultScopesOnlyWhenTheClaimIsAbsent() {
        assertEquals(Scopes.DEFAULT, scopesOf(VERIFIER, null));
        final JwtVerifier strict = new JwtVerifier(JwtSettings.hs256(SECRET).withDefaultScopes(Scopes.EVENTI_SCRIVI));
        assertEquals(Scopes.EVENTI_SCRIVI, scopesOf(strict, null));
        assertEquals(Scopes.ADMIN, scopesOf(strict, "\"admin\""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "[\"admin\"]", "7", "{}", "true"})
    void shouldRejectAScopeClaimThatIsNotAStringAsMalformed(final String scope) {
        final String token = hs256Token("{\"sub\":\"a\",\"exp\":" + (NOW + 60) + ",\"scope\":" + scope + "}");
        assertRejected(VERIFIER.verify(bearer(token), NOW), JwtResult.TOKEN_MALFORMED, token);
    }

    @Test
    void shouldAnswerJwksUnavailableWhenTheKeysCannotBeFetched() throws IOException {
        final int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        final JwtSettings settings = JwtSettings.jwksUrl("http://127.0.0.1:" + closedPort + "/jwks.json")
            .withJwksCache(1_000, 200);
        try (JwtVerifier verifier = new JwtVerifier(settings)) {
            final String token = TestTokens.token("{\"alg\":\"RS256\",\"kid\":\"k\"}",
                TestTokens.claims(NOW + 60), TestTokens.rs256(TestTokens.RSA.getPrivate()));
            assertRejected(verifier.verify(bearer(token), NOW), JwtResult.JWKS_UNAVAILABLE, token);
        }
    }
}
