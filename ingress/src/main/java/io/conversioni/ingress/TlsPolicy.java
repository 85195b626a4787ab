package io.conversioni.ingress;

import org.xnio.OptionMap;
import org.xnio.Options;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.util.Arrays;
import java.util.List;

/**
 * What the HTTPS listener offers, whatever the keystore: TLS 1.3 and 1.2 only; in TLS 1.2 only suites with
 * forward secrecy (ECDHE, DHE key exchange) and an AEAD cipher (AES-GCM, ChaCha20-Poly1305), so no CBC, no
 * SHA-1 MAC and no static RSA key exchange. Every TLS 1.3 suite is AEAD with forward secrecy. HTTPS
 * responses carry {@code Strict-Transport-Security}. Start-up only; stateless.
 */
final class TlsPolicy {
    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private TlsPolicy() {
    }

    /** Whether the HTTPS listener may offer {@code suite} (a JSSE/IANA suite name). */
    static boolean allows(final String suite) {
        if (suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_")) {
            return true; // TLS 1.3
        }
        final boolean forwardSecret = suite.startsWith("TLS_ECDHE_") || suite.startsWith("TLS_DHE_");
        final boolean aead = suite.contains("_GCM_") || suite.contains("_CHACHA20_POLY1305_");
        return forwardSecret && aead; // their MAC/PRF hash is SHA-256 or SHA-384, never SHA-1
    }

    /** The suites {@code context} enables by default that {@link #allows} keeps, in the JDK's order of preference. */
    static String[] cipherSuites(final SSLContext context) {
        final String[] suites = Arrays.stream(context.getDefaultSSLParameters().getCipherSuites())
            .filter(TlsPolicy::allows).toArray(String[]::new);
        if (suites.length == 0) {
            throw new IllegalStateException("this JDK offers no TLS cipher suite with forward secrecy and AEAD");
        }
        return suites;
    }

    /** The HTTPS listener's socket options: the protocols and suites above. */
    static OptionMap listenerOptions(final SSLContext context) {
        final SSLParameters supported = context.getSupportedSSLParameters();
        final String[] protocols = PROTOCOLS.stream().filter(List.of(supported.getProtocols())::contains)
            .toArray(String[]::new);
        return OptionMap.builder()
            .setSequence(Options.SSL_ENABLED_PROTOCOLS, protocols)
            .setSequence(Options.SSL_ENABLED_CIPHER_SUITES, cipherSuites(context))
            .getMap();
    }

    /** The {@code Strict-Transport-Security} value for {@code maxAgeSeconds}. */
    static String strictTransportSecurity(final long maxAgeSeconds) {
        return "max-age=" + maxAgeSeconds;
    }
}
