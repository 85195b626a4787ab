package io.conversioni.ingress;

import io.conversioni.files.OwnerOnlyFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * TLS for the HTTPS listener: a configured PKCS12 keystore, or a self-signed development certificate
 * generated on first start under the data folder with the JDK's own {@code keytool} (CN=localhost,
 * SAN localhost and 127.0.0.1, valid one year). The development keystore's password is generated at random
 * with it and kept beside it in {@code tls/dev-keystore.password}; both files are 0600 in a 0700 folder. A
 * keystore made by an older version, under the constant password those versions used, is re-keyed once
 * with a generated password (the password file is written first, so a crash midway is finished at the
 * next start). Start-up only, one thread; allocates freely.
 */
public final class DevelopmentTls {
    private static final Logger LOG = LoggerFactory.getLogger(DevelopmentTls.class);
    static final String KEYSTORE_FILE = "dev-keystore.p12";
    static final String PASSWORD_FILE = "dev-keystore.password";
    /** The password of development keystores made before it was generated: only to open and re-key them. */
    private static final char[] LEGACY_PASSWORD = "conversioni-dev".toCharArray();
    private static final int PASSWORD_BYTES = 24;

    private DevelopmentTls() {
    }

    /** The development keystore in {@code dataDir/tls}, created (with its password file) when missing. */
    public static Path ensureDevelopmentKeystore(final Path dataDir) throws IOException {
        final Path dir = OwnerOnlyFiles.createDirectories(dataDir.resolve("tls"));
        final Path keystore = dir.resolve(KEYSTORE_FILE);
        if (Files.exists(keystore)) {
            OwnerOnlyFiles.restrict(keystore);
            rekeyIfLegacy(keystore);
            return keystore;
        }
        final Path passwordFile = ensurePasswordFile(dir);
        final Path tmp = dir.resolve(KEYSTORE_FILE + ".tmp");
        Files.deleteIfExists(tmp);
        final Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        // the password goes to keytool as a file name, never on its command line (visible to every user in ps)
        final List<String> command = List.of(keytool.toString(), "-genkeypair", "-alias", "conversioni", "-keyalg", "EC",
            "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
            "-validity", "365", "-storetype", "PKCS12", "-keystore", tmp.toString(),
            "-storepass:file", passwordFile.toString(), "-keypass:file", passwordFile.toString(), "-noprompt");
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool could not create the development certificate: " + output.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating the development certificate", e);
        }
        OwnerOnlyFiles.restrict(tmp); // keytool created it with the umask's mode, inside the 0700 folder
        OwnerOnlyFiles.moveReplacing(tmp, keystore);
        LOG.info("created a self-signed development certificate in {}", keystore);
        return keystore;
    }

    /** The development keystore's password, read from the file beside {@code keystore}. */
    public static char[] password(final Path keystore) throws IOException {
        final Path file = keystore.resolveSibling(PASSWORD_FILE);
        final String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (text.isEmpty()) {
            throw new IOException("the development keystore password file " + file + " is empty; delete the folder "
                + keystore.getParent() + " to make a new development certificate");
        }
        return text.toCharArray();
    }

    /** An SSL context serving the key in a PKCS12 keystore. */
    public static SSLContext context(final Path keystore, final char[] password) throws IOException {
        final KeyStore store = load(keystore, password);
        try {
            final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use keystore " + keystore + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore load(final Path keystore, final char[] password) throws IOException {
        try (InputStream in = Files.newInputStream(keystore)) {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return store;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use keystore " + keystore + ": " + e.getMessage(), e);
        }
    }

    private static boolean opens(final Path keystore, final char[] password) {
        try {
            load(keystore, password);
            return true;
        } catch (IOException wrongPasswordOrUnreadable) {
            return false;
        }
    }

    /** The password file in {@code dir}: the one there (a crash may have left it), or a new random one. */
    private static Path ensurePasswordFile(final Path dir) throws IOException {
        final Path file = dir.resolve(PASSWORD_FILE);
        if (Files.exists(file) && !Files.readString(file, StandardCharsets.US_ASCII).isBlank()) {
            OwnerOnlyFiles.restrict(file);
            return file;
        }
        final byte[] random = new byte[PASSWORD_BYTES];
        new SecureRandom().nextBytes(random);
        OwnerOnlyFiles.writeAtomically(file, Base64.getUrlEncoder().withoutPadding().encode(random));
        return file;
    }

    /** A keystore still under the legacy constant password gets the generated one, its keys included. */
    private static void rekeyIfLegacy(final Path keystore) throws IOException {
        final Path passwordFile = keystore.resolveSibling(PASSWORD_FILE);
        if (Files.exists(passwordFile) && !Files.readString(passwordFile, StandardCharsets.US_ASCII).isBlank()
            && opens(keystore, password(keystore))) {
            OwnerOnlyFiles.restrict(passwordFile);
            return;
        }
        if (!opens(keystore, LEGACY_PASSWORD)) {
            throw new IOException("cannot open the development keystore " + keystore + " with the password in "
                + passwordFile + "; delete the folder " + keystore.getParent() + " to make a new development certificate");
        }
        ensurePasswordFile(keystore.getParent());
        final char[] password = password(keystore);
        final KeyStore old = load(keystore, LEGACY_PASSWORD);
        try {
            final KeyStore rekeyed = KeyStore.getInstance("PKCS12");
            rekeyed.load(null, password);
            for (String alias : Collections.list(old.aliases())) {
                if (old.isKeyEntry(alias)) {
                    final Key key = old.getKey(alias, LEGACY_PASSWORD);
                    final Certificate[] chain = old.getCertificateChain(alias);
                    rekeyed.setKeyEntry(alias, key, password, chain);
                } else {
                    rekeyed.setCertificateEntry(alias, old.getCertificate(alias));
                }
            }
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            rekeyed.store(bytes, password);
            OwnerOnlyFiles.writeAtomically(keystore, bytes.toByteArray());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot re-key the development keystore " + keystore + ": " + e.getMessage(), e);
        }
        LOG.info("the development keystore {} now has a generated password, kept in {}", keystore, passwordFile);
    }
}
