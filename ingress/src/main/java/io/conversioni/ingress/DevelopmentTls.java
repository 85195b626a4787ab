package io.conversioni.ingress;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * TLS for the HTTPS listener: a configured PKCS12 keystore, or a self-signed development certificate
 * generated on first start under the data folder with the JDK's own {@code keytool} (CN=localhost,
 * SAN localhost and 127.0.0.1, valid one year). Start-up only.
 */
public final class DevelopmentTls {
    private static final Logger LOG = LoggerFactory.getLogger(DevelopmentTls.class);
    /** The development keystore's password; it protects nothing but a throwaway localhost key. */
    static final char[] DEV_PASSWORD = "conversioni-dev".toCharArray();

    private DevelopmentTls() {
    }

    /** The development keystore's password (a copy). */
    public static char[] password() {
        return DEV_PASSWORD.clone();
    }

    /** The development keystore in {@code dataDir/tls}, created when missing. */
    public static Path ensureDevelopmentKeystore(final Path dataDir) throws IOException {
        final Path dir = Files.createDirectories(dataDir.resolve("tls"));
        final Path keystore = dir.resolve("dev-keystore.p12");
        if (Files.exists(keystore)) {
            return keystore;
        }
        final Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        final List<String> command = List.of(keytool.toString(), "-genkeypair", "-alias", "conversioni", "-keyalg", "EC",
            "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
            "-validity", "365", "-storetype", "PKCS12", "-keystore", keystore.toString(),
            "-storepass", new String(DEV_PASSWORD), "-keypass", new String(DEV_PASSWORD), "-noprompt");
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool could not create the development certificate: " + output.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating the development certificate", e);
        }
        LOG.info("created a self-signed development certificate in {}", keystore);
        return keystore;
    }

    /** An SSL context serving the key in a PKCS12 keystore. */
    public static SSLContext context(final Path keystore, final char[] password) throws IOException {
        try (InputStream in = Files.newInputStream(keystore)) {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use keystore " + keystore + ": " + e.getMessage(), e);
        }
    }
}
