package io.conversioni.pipeline;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine is the embeddable core and opens no network connection: outbound HTTP, SMTP and sockets live
 * in the operations module, the server in ingress. Scans the constant pool of every class the engine
 * module ships (its compiled main classes) for a reference to a network API, so that a class that dials
 * out cannot land in the engine unnoticed.
 */
class EngineOpensNoConnectionTest {
    /** Internal names (as the constant pool spells them) of the APIs that open or serve a connection. */
    private static final List<String> NETWORK_APIS = List.of(
        "java/net/http/", "java/net/Socket", "java/net/ServerSocket", "java/net/DatagramSocket",
        "java/net/URLConnection", "java/net/HttpURLConnection", "java/net/URL", "javax/net/", "javax/mail/",
        "jakarta/mail/", "java/nio/channels/SocketChannel", "java/nio/channels/ServerSocketChannel",
        "java/nio/channels/DatagramChannel", "java/nio/channels/AsynchronousSocketChannel",
        "com/sun/net/httpserver/");

    @Test
    void shouldReferenceNoNetworkApiFromAnyEngineClass() throws IOException, URISyntaxException {
        final Path classes = Path.of(Engine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(Files.isDirectory(classes), "expected the engine's compiled classes folder, got " + classes);
        final List<String> found = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                scanned++;
                for (String api : networkApis(Files.readAllBytes(file))) {
                    found.add(classes.relativize(file) + " -> " + api);
                }
            }
        }
        assertTrue(scanned > 50, "scanned only " + scanned + " classes under " + classes);
        assertEquals(List.of(), found, "engine classes that reference a network API (move them to operations/)");
    }

    @Test
    void shouldFindTheSocketInAClassThatDialsOut() throws IOException {
        final String resource = "/" + Dialer.class.getName().replace('.', '/') + ".class";
        try (InputStream in = Dialer.class.getResourceAsStream(resource)) {
            assertEquals(List.of("java/net/Socket"), networkApis(in.readAllBytes()));
        }
    }

    /** The network APIs a class file names: each listed prefix, matched where the name it starts ends. */
    private static List<String> networkApis(final byte[] classFile) {
        final String text = new String(classFile, StandardCharsets.ISO_8859_1);
        final List<String> hits = new ArrayList<>();
        for (String api : NETWORK_APIS) {
            for (int at = text.indexOf(api); at >= 0; at = text.indexOf(api, at + 1)) {
                final int end = at + api.length();
                if (api.endsWith("/") || end == text.length() || !isNamePart(text.charAt(end))) {
                    hits.add(api);
                    break;
                }
            }
        }
        return hits;
    }

    private static boolean isNamePart(final char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /** A class that opens a socket: what the scan must catch. */
    static final class Dialer {
        private Dialer() {
        }

        static Socket open(final String host, final int port) throws IOException {
            return new Socket(host, port);
        }
    }
}
