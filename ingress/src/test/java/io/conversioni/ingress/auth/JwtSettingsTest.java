package io.conversioni.ingress.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static io.conversioni.ingress.auth.TestTokens.EC;
import static io.conversioni.ingress.auth.TestTokens.NOW;
import static io.conversioni.ingress.auth.TestTokens.RSA;
import static io.conversioni.ingress.auth.TestTokens.SECRET;
import static io.conversioni.ingress.auth.TestTokens.assertNoLeak;
import static io.conversioni.ingress.auth.TestTokens.pem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JwtSettingsTest {
    private static final String SHORT = "too-short-secret";

    @TempDir
    Path dir;

    private static JwtSettingsException refused(final String code, final org.junit.jupiter.api.function.Executable e) {
        final JwtSettingsException thrown = assertThrows(JwtSettingsException.class, e);
        assertEquals(code, thrown.code(), thrown::getMessage);
        return thrown;
    }

    @Test
    void shouldHaveDocumentedDefaults() {
        final JwtSettings settings = JwtSettings.hs256(SECRET);
        assertEquals(Set.of(JwtAlgorithm.HS256), settings.allowedAlgorithms());
        assertEquals(30, settings.leewaySeconds());
        assertTrue(settings.requireExp());
        assertEquals(1024, settings.cacheCapacity());
        assertEquals(null, settings.issuer());
        assertEquals(null, settings.audience());
        assertNoLeak(settings.toString(), new String(SECRET, StandardCharsets.US_ASCII));
    }

    @Test
    void shouldRefuseAShortSecretWithAMessageSayingWhatToDo() {
        final JwtSettingsException e = refused(JwtSettingsException.SECRET_TOO_SHORT,
            () -> JwtSettings.hs256(SHORT.getBytes(StandardCharsets.US_ASCII)));
        assertTrue(e.getMessage().contains("16 bytes") && e.getMessage().contains("at least 32"), e::getMessage);
        assertTrue(e.getMessage().contains("openssl rand"), e::getMessage);
        assertNoLeak(e.getMessage(), SHORT);
    }

    @Test
    void shouldReadTheSecretFromTheNamedEnvironmentVariable() {
        final String secret = new String(SECRET, StandardCharsets.US_ASCII);
        final JwtSettings settings = JwtSettings.hs256FromEnv("CONVERSIONI_JWT_SECRET",
            Map.of("CONVERSIONI_JWT_SECRET", secret));
        final String token = TestTokens.hs256Token(TestTokens.claims(NOW + 60));
        assertTrue(new JwtVerifier(settings).verify(TestTokens.bearer(token), NOW).ok());
    }

    @Test
    void shouldRefuseAMissingOrShortEnvironmentSecretNamingTheVariable() {
        final JwtSettingsException missing = refused(JwtSettingsException.SECRET_MISSING,
            () -> JwtSettings.hs256FromEnv("CONVERSIONI_JWT_SECRET", Map.of()));
        assertTrue(missing.getMessage().contains("CONVERSIONI_JWT_SECRET"), missing::getMessage);
        final JwtSettingsException shortOne = refused(JwtSettingsException.SECRET_TOO_SHORT,
            () -> JwtSettings.hs256FromEnv("CONVERSIONI_JWT_SECRET", Map.of("CONVERSIONI_JWT_SECRET", SHORT)));
        assertTrue(shortOne.getMessage().contains("CONVERSIONI_JWT_SECRET"), shortOne::getMessage);
        assertNoLeak(shortOne.getMessage(), SHORT);
    }

    @Test
    void shouldReadASecretFileWithoutItsTrailingNewline() throws Exception {
        final Path file = dir.resolve("secret");
        Files.write(file, (new String(SECRET, StandardCharsets.US_ASCII) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        final JwtSettings settings = JwtSettings.hs256FromFile(file);
        assertTrue(new JwtVerifier(settings).verify(TestTokens.bearer(TestTokens.hs256Token(
            TestTokens.claims(NOW + 60))), NOW).ok());
    }

    @Test
    void shouldRefuseAShortEmptyOrMissingSecretFile() throws Exception {
        final Path file = dir.resolve("secret");
        Files.writeString(file, SHORT + "\n");
        final JwtSettingsException e = refused(JwtSettingsException.SECRET_TOO_SHORT,
            () -> JwtSettings.hs256FromFile(file));
        assertTrue(e.getMessage().contains(file.toString()), e::getMessage);
        assertNoLeak(e.getMessage(), SHORT);
        Files.writeString(file, "\n");
        refused(JwtSettingsException.SECRET_MISSING, () -> JwtSettings.hs256FromFile(file));
        refused(JwtSettingsException.KEY_UNREADABLE, () -> JwtSettings.hs256FromFile(dir.resolve("absent")));
    }

    @Test
    void shouldCreateTheDevelopmentSecretOwnerOnlyAndReuseItOnTheNextStart() throws Exception {
        final Path dataDir = dir.resolve("data");
        final byte[] first = JwtSettings.createOrLoadDevelopmentSecret(dataDir);
        final Path file = dataDir.resolve(JwtSettings.DEVELOPMENT_SECRET_FILE);
        assertTrue(Files.isRegularFile(file));
        assertTrue(first.length >= JwtSettings.MIN_SECRET_BYTES);
        assertEquals(43, first.length, "32 random bytes as unpadded base64url");
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
        final byte[] second = JwtSettings.createOrLoadDevelopmentSecret(dataDir);
        assertArrayEquals(first, second);
        assertArrayEquals(first, Files.readAllBytes(file));
        assertFalse(new String(first, StandardCharsets.US_ASCII).equals(new String(
            JwtSettings.createOrLoadDevelopmentSecret(dir.resolve("other")), StandardCharsets.US_ASCII)));
    }

    @Test
    void shouldVerifyDevelopmentTokensWithTheSecretFileSetting() {
        final Path dataDir = dir.resolve("data");
        final byte[] secret = JwtSettings.createOrLoadDevelopmentSecret(dataDir);
        final String token = JwtIssuer.hs256(secret).issue("dev", NOW, 3600);
        final JwtSettings fromFile = JwtSettings.hs256FromFile(dataDir.resolve(JwtSettings.DEVELOPMENT_SECRET_FILE));
        assertTrue(new JwtVerifier(fromFile).verify("Bearer " + token, NOW).ok());
    }

    @Test
    void shouldRefuseADevelopmentSecretFileThatWasTruncated() throws Exception {
        Files.writeString(dir.resolve(JwtSettings.DEVELOPMENT_SECRET_FILE), "abc\n");
        refused(JwtSettingsException.SECRET_TOO_SHORT, () -> JwtSettings.createOrLoadDevelopmentSecret(dir));
    }

    @Test
    void shouldRefusePemFilesThatAreNotAPublicKeyOfTheRightType() throws Exception {
        final Path rsa = dir.resolve("rsa.pem");
        Files.writeString(rsa, pem(RSA.getPublic()));
        assertTrue(refused(JwtSettingsException.KEY_INVALID, () -> JwtSettings.es256(rsa)).getMessage()
            .contains("P-256"));
        final Path ec = dir.resolve("ec.pem");
        Files.writeString(ec, pem(EC.getPublic()));
        refused(JwtSettingsException.KEY_INVALID, () -> JwtSettings.rs256(ec));
        final Path priv = dir.resolve("private.pem");
        Files.writeString(priv, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertTrue(refused(JwtSettingsException.KEY_INVALID, () -> JwtSettings.rs256(priv)).getMessage()
            .contains("-pubout"));
        final Path garbage = dir.resolve("garbage.pem");
        Files.writeString(garbage, "hello");
        refused(JwtSettingsException.KEY_INVALID, () -> JwtSettings.rs256(garbage));
        refused(JwtSettingsException.KEY_UNREADABLE, () -> JwtSettings.rs256(dir.resolve("absent.pem")));
    }

    @Test
    void shouldRefuseRsaKeysShorterThan2048Bits() throws Exception {
        final KeyPair weak = TestTokens.generate("RSA", 1024, 9);
        final Path file = dir.resolve("weak.pem");
        Files.writeString(file, pem(weak.getPublic()));
        assertTrue(refused(JwtSettingsException.KEY_INVALID, () -> JwtSettings.rs256(file)).getMessage()
            .contains("1024-bit"));
    }

    @Test
    void shouldRefuseAnAllowListWithAnAlgorithmNoKeyServes() {
        final JwtSettingsException e = refused(JwtSettingsException.SETTING_INVALID,
            () -> JwtSettings.rs256(RSA.getPublic()).withAllowedAlgorithms(EnumSet.of(JwtAlgorithm.HS256)));
        assertTrue(e.getMessage().contains("auth.mode"), e::getMessage);
        refused(JwtSettingsException.SETTING_INVALID,
            () -> JwtSettings.rs256(RSA.getPublic()).withAllowedAlgorithms(EnumSet.noneOf(JwtAlgorithm.class)));
    }

    @Test
    void shouldRefuseOutOfRangeSettingsNamingTheKey() {
        final JwtSettings settings = JwtSettings.hs256(SECRET);
        assertTrue(refused(JwtSettingsException.SETTING_INVALID, () -> settings.withLeewaySeconds(-1)).getMessage()
            .contains("auth.leeway"));
        refused(JwtSettingsException.SETTING_INVALID, () -> settings.withLeewaySeconds(3601));
        refused(JwtSettingsException.SETTING_INVALID, () -> settings.withCacheCapacity(-1));
        refused(JwtSettingsException.SETTING_INVALID, () -> settings.withIssuer(""));
        refused(JwtSettingsException.SETTING_INVALID, () -> settings.withAudience(""));
    }
}
