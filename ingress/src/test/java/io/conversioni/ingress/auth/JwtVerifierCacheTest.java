package io.conversioni.ingress.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.conversioni.ingress.auth.TestTokens.NOW;
import static io.conversioni.ingress.auth.TestTokens.SECRET;
import static io.conversioni.ingress.auth.TestTokens.assertRejected;
import static io.conversioni.ingress.auth.TestTokens.bearer;
import static io.conversioni.ingress.auth.TestTokens.claims;
import static io.conversioni.ingress.auth.TestTokens.hs256Token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JwtVerifierCacheTest {
    @Test
    void shouldServeTheSameResultFromTheCacheForTheSameHeader() {
        final JwtVerifier verifier = new JwtVerifier(JwtSettings.hs256(SECRET));
        final String header = bearer(hs256Token(claims(NOW + 600)));
        final JwtResult first = verifier.verify(header, NOW);
        assertTrue(first.ok(), first::message);
        assertEquals(1, verifier.cachedTokenCount());
        // An equal but distinct String: the cache compares contents, not identity.
        final String sameHeader = new String(header.toCharArray());
        final long started = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            assertSame(first, verifier.verify(sameHeader, NOW + 1));
        }
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        // 10,000 HMAC verifications with JSON parsing take far longer than 10,000 hash lookups; the bound is loose.
        assertTrue(elapsedMs < 2_000, () -> "cache hits took " + elapsedMs + " ms");
    }

    @Test
    void shouldVerifyAgainWhenTheCacheIsOff() {
        final JwtVerifier verifier = new JwtVerifier(JwtSettings.hs256(SECRET).withCacheCapacity(0));
        final String header = bearer(hs256Token(claims(NOW + 600)));
        final JwtResult first = verifier.verify(header, NOW);
        assertTrue(first.ok());
        assertNotSame(first, verifier.verify(header, NOW));
        assertEquals(0, verifier.cachedTokenCount());
    }

    @Test
    void shouldExpireACachedTokenWhenTimePassesItsExp() {
        final JwtVerifier verifier = new JwtVerifier(JwtSettings.hs256(SECRET).withLeewaySeconds(0));
        final String header = bearer(hs256Token(claims(NOW + 10)));
        assertTrue(verifier.verify(header, NOW).ok());
        assertTrue(verifier.verify(header, NOW + 9).ok());
        assertRejected(verifier.verify(header, NOW + 10), JwtResult.TOKEN_EXPIRED);
        assertEquals(0, verifier.cachedTokenCount());
        assertRejected(verifier.verify(header, NOW + 11), JwtResult.TOKEN_EXPIRED);
    }

    @Test
    void shouldNotCacheRejections() {
        final JwtVerifier verifier = new JwtVerifier(JwtSettings.hs256(SECRET));
        final String token = hs256Token(claims(NOW + 600));
        final String tampered = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BA" : "AA");
        assertRejected(verifier.verify(bearer(tampered), NOW), JwtResult.SIGNATURE_INVALID, tampered);
        assertRejected(verifier.verify(bearer(hs256Token(claims(NOW - 600))), NOW), JwtResult.TOKEN_EXPIRED);
        assertEquals(0, verifier.cachedTokenCount());
    }

    @Test
    void shouldNotServeANotYetValidTokenThatWasNeverCached() {
        final JwtVerifier verifier = new JwtVerifier(JwtSettings.hs256(SECRET).withLeewaySeconds(0));
        final String header = bearer(hs256Token("{\"nbf\":" + (NOW + 5) + ",\"exp\":" + (NOW + 60) + "}"));
        assertRejected(verifier.verify(header, NOW), JwtResult.TOKEN_NOT_YET_VALID);
        assertTrue(verifier.verify(header, NOW + 5).ok());
        assertEquals(1, verifier.cachedTokenCount());
    }

    @Test
    void shouldStayWithinItsCapacity() {
        final JwtVerifier verifier = new JwtVerifier(JwtSettings.hs256(SECRET).withCacheCapacity(4));
        for (int i = 0; i < 50; i++) {
            final String header = bearer(hs256Token("{\"sub\":\"s" + i + "\",\"exp\":" + (NOW + 600) + "}"));
            assertEquals("s" + i, verifier.verify(header, NOW).subject());
            assertTrue(verifier.cachedTokenCount() <= 4, () -> "cache grew to " + verifier.cachedTokenCount());
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldGiveConsistentResultsToConcurrentCallers() throws Exception {
        final JwtVerifier verifier = new JwtVerifier(JwtSettings.hs256(SECRET).withCacheCapacity(8));
        final List<String> headers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            headers.add(bearer(hs256Token("{\"sub\":\"s" + i + "\",\"exp\":" + (NOW + 600) + "}")));
        }
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            final List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int offset = t;
                futures.add(pool.submit(() -> {
                    int accepted = 0;
                    for (int i = 0; i < 2_000; i++) {
                        final int which = (i * 7 + offset) % headers.size();
                        final JwtResult result = verifier.verify(headers.get(which), NOW);
                        if (result.ok() && ("s" + which).equals(result.subject())) {
                            accepted++;
                        }
                    }
                    return accepted;
                }));
            }
            for (final Future<Integer> future : futures) {
                assertEquals(2_000, future.get());
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertTrue(verifier.cachedTokenCount() <= 8 + 4);
    }
}
