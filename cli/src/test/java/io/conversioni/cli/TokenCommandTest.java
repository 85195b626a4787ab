package io.conversioni.cli;

import io.conversioni.ingress.auth.JwtResult;
import io.conversioni.ingress.auth.JwtSettings;
import io.conversioni.ingress.auth.JwtVerifier;
import io.conversioni.ingress.auth.Scopes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code conversioni token}, run in-process against a data folder with a development secret. */
class TokenCommandTest {
    @TempDir
    Path data;

    private JwtResult verify(final String token) {
        try (JwtVerifier verifier = new JwtVerifier(JwtSettings.hs256FromFile(data.resolve("jwt-secret")))) {
            return verifier.verify("Bearer " + token, System.currentTimeMillis() / 1000);
        }
    }

    private static String payload(final String token) {
        return new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteTheScopeClaimThatTheServerReads() {
        JwtSettings.createOrLoadDevelopmentSecret(data);
        final String[] run = CliRun.run("token", "--sub", "crm", "--scope", "admin  metriche:leggi",
            "--data-dir", data.toString());
        assertEquals("0", run[0], run[2]);
        final String token = run[1].trim();
        assertTrue(payload(token).contains("\"scope\":\"admin metriche:leggi\""), payload(token));
        final JwtResult result = verify(token);
        assertTrue(result.ok(), result::message);
        assertEquals(Scopes.ADMIN | Scopes.METRICHE_LEGGI, result.scopes());
    }

    @Test
    void shouldWriteNoScopeClaimWithoutTheOptionSoTheDefaultScopesApply() {
        JwtSettings.createOrLoadDevelopmentSecret(data);
        final String[] run = CliRun.run("token", "--sub", "crm", "--data-dir", data.toString());
        assertEquals("0", run[0], run[2]);
        final String token = run[1].trim();
        assertFalse(payload(token).contains("\"scope\""), payload(token));
        assertEquals(Scopes.DEFAULT, verify(token).scopes());
    }

    @Test
    void shouldRefuseAnUnknownOrEmptyScopeAndPrintNoToken() {
        JwtSettings.createOrLoadDevelopmentSecret(data);
        final String[] unknown = CliRun.run("token", "--sub", "crm", "--scope", "eventi:scrivi eventi:leggi",
            "--data-dir", data.toString());
        assertEquals("2", unknown[0]);
        assertEquals("", unknown[1]);
        assertTrue(unknown[2].contains("--scope must list one or more of eventi:scrivi, metriche:leggi, admin"),
            unknown[2]);
        final String[] empty = CliRun.run("token", "--sub", "crm", "--scope", " ", "--data-dir", data.toString());
        assertEquals("2", empty[0]);
        assertEquals("", empty[1]);
    }
}
