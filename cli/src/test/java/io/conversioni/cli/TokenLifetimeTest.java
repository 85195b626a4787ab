package io.conversioni.cli;

import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.AuthSetup;
import io.conversioni.json.JsonTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code token}: the lifetime its help states is the one it issues, and the serve banner's (24 h). */
class TokenLifetimeTest {
    @TempDir
    Path data;

    @Test
    void shouldStateAndIssueTheBannersTwentyFourHourLifetimeByDefault() throws Exception {
        final String[] help = CliRun.run("token", "--help");
        assertEquals("0", help[0], help[2]);
        assertTrue(help[1].contains("(default: 24h)"), help[1]);

        AuthSetup.read(EngineConfig.embedded().auth(), data); // creates the data folder's jwt-secret, as serve does
        final String[] run = CliRun.run("token", "--data-dir", data.toString(), "--sub", "marketing");
        assertEquals("0", run[0], run[2]);
        assertEquals(24 * 3600L, lifetimeSeconds(run[1].trim()));
        final String[] eightHours = CliRun.run("token", "--data-dir", data.toString(), "--sub", "marketing", "--ttl", "8h");
        assertEquals(8 * 3600L, lifetimeSeconds(eightHours[1].trim()));
    }

    @SuppressWarnings("unchecked")
    private static long lifetimeSeconds(final String jwt) throws Exception {
        final String payload = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
        final Map<String, Object> claims = (Map<String, Object>) JsonTree.parse(payload);
        return ((Number) claims.get("exp")).longValue() - ((Number) claims.get("iat")).longValue();
    }
}
