package io.conversioni.ingress;

import io.conversioni.files.OwnerOnlyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The development keystore's generated password: kept 0600 beside it, reused, and migrated from the old constant. */
@Timeout(120)
class DevelopmentTlsTest {
    private static final char[] LEGACY = "conversioni-dev".toCharArray();

    @TempDir
    Path data;

    private static KeyStore load(final Path keystore, final char[] password) throws Exception {
        final KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, password);
        }
        return store;
    }

    private static String mode(final Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void shouldGenerateARandomPasswordKeepItBesideTheKeystore0600AndReuseIt() throws Exception {
        final Path keystore = DevelopmentTls.ensureDevelopmentKeystore(data);
        final char[] password = DevelopmentTls.password(keystore);
        assertTrue(password.length >= 32, "24 random bytes, base64url");
        assertFalse(Arrays.equals(LEGACY, password));
        assertNotNull(load(keystore, password).getKey("conversioni", password));
        assertThrows(IOException.class, () -> load(keystore, LEGACY));
        final Path passwordFile = keystore.resolveSibling("dev-keystore.password");
        if (OwnerOnlyFiles.isPosix(data)) {
            assertEquals("rwx------", mode(keystore.getParent()));
            assertEquals("rw-------", mode(keystore));
            assertEquals("rw-------", mode(passwordFile));
        }
        final byte[] before = Files.readAllBytes(keystore);
        assertEquals(keystore, DevelopmentTls.ensureDevelopmentKeystore(data));
        assertArrayEquals(password, DevelopmentTls.password(keystore), "reused at the next start");
        assertArrayEquals(before, Files.readAllBytes(keystore), "the same certificate");
        assertNotNull(DevelopmentTls.context(keystore, password));

        final Path other = data.resolve("altro");
        assertFalse(Arrays.equals(password, DevelopmentTls.password(DevelopmentTls.ensureDevelopmentKeystore(other))),
            "each data folder its own password");
    }

    @Test
    void shouldReKeyAKeystoreAnOlderVersionMadeUnderTheConstantPasswordAndKeepItsCertificate() throws Exception {
        final Path tls = Files.createDirectories(data.resolve("tls"));
        final Path keystore = tls.resolve("dev-keystore.p12");
        final Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-alias", "conversioni", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
            "-validity", "365", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass",
            new String(LEGACY), "-keypass", new String(LEGACY), "-noprompt").redirectErrorStream(true).start();
        final String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), said);
        if (OwnerOnlyFiles.isPosix(data)) {
            Files.setPosixFilePermissions(keystore, PosixFilePermissions.fromString("rw-r--r--"));
        }
        final Certificate certificate = load(keystore, LEGACY).getCertificate("conversioni");

        assertEquals(keystore, DevelopmentTls.ensureDevelopmentKeystore(data));
        final char[] password = DevelopmentTls.password(keystore);
        assertFalse(Arrays.equals(LEGACY, password));
        final KeyStore rekeyed = load(keystore, password);
        assertEquals(certificate, rekeyed.getCertificate("conversioni"), "the same certificate, so clients still trust it");
        assertNotNull(rekeyed.getKey("conversioni", password));
        assertThrows(IOException.class, () -> load(keystore, LEGACY));
        if (OwnerOnlyFiles.isPosix(data)) {
            assertEquals("rw-------", mode(keystore));
            assertEquals("rw-------", mode(tls.resolve("dev-keystore.password")));
        }
        assertArrayEquals(password, DevelopmentTls.password(DevelopmentTls.ensureDevelopmentKeystore(data)));
    }

    @Test
    void shouldRefuseAKeystoreThatOpensWithNeitherPasswordNamingTheFolderToDelete() throws Exception {
        final Path keystore = DevelopmentTls.ensureDevelopmentKeystore(data);
        Files.writeString(keystore.resolveSibling("dev-keystore.password"), "not-the-password");
        final IOException e = assertThrows(IOException.class, () -> DevelopmentTls.ensureDevelopmentKeystore(data));
        assertTrue(e.getMessage().contains("delete the folder " + keystore.getParent()), e.getMessage());
        assertEquals(List.of("not-the-password"), Files.readAllLines(keystore.resolveSibling("dev-keystore.password")),
            "left as it was");
    }
}
