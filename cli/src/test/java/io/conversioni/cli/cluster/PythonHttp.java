package io.conversioni.cli.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A second, independent HTTP client for the process tests: python3's {@code http.client} over TLS, verifying the
 * node's certificate (exported as PEM) and its address (the certificate names 127.0.0.1). One POST per call, in a
 * python3 process of its own. Test thread only; allocates freely.
 */
final class PythonHttp {
    private static final String SCRIPT = String.join("\n",
        "import http.client, ssl, sys",
        "port, cafile, path, ctype, token, bodyfile = sys.argv[1:7]",
        "ctx = ssl.create_default_context(cafile=cafile)",
        "c = http.client.HTTPSConnection('127.0.0.1', int(port), context=ctx, timeout=30)",
        "body = open(bodyfile, 'rb').read()",
        "c.request('POST', path, body=body, headers={'Content-Type': ctype, 'Authorization': 'Bearer ' + token})",
        "r = c.getresponse()",
        "sys.stdout.write('%d\\n%s\\n' % (r.status, r.getheader('Retry-After', '')))",
        "sys.stdout.write(r.read().decode('utf-8'))",
        "");

    /** One answer: the status, the Retry-After header ("" if absent) and the body. */
    record Answer(int status, String retryAfter, String body) {
    }

    private PythonHttp() {
    }

    static Answer post(final NodeProcess node, final String path, final String contentType, final String body,
                       final String token) throws Exception {
        final Path dir = Files.createDirectories(node.dataDir().resolveSibling("python"));
        final Path script = dir.resolve("post.py");
        if (!Files.exists(script)) {
            Files.writeString(script, SCRIPT, StandardCharsets.UTF_8);
        }
        final Path bodyFile = Files.createTempFile(dir, "body", ".json");
        Files.writeString(bodyFile, body, StandardCharsets.UTF_8);
        final Process python = new ProcessBuilder("python3", script.toString(), Integer.toString(node.port()),
            node.certificatePem().toString(), path, contentType, token, bodyFile.toString())
            .redirectErrorStream(true).start();
        try {
            final String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!python.waitFor(60, TimeUnit.SECONDS) || python.exitValue() != 0) {
                throw new AssertionError("python3 http.client failed against node " + node.name() + ": " + out);
            }
            final String[] parts = out.split("\n", 3);
            return new Answer(Integer.parseInt(parts[0]), parts[1], parts.length > 2 ? parts[2] : "");
        } catch (IOException e) {
            throw new AssertionError("python3 http.client: " + e, e);
        } finally {
            python.destroyForcibly();
        }
    }
}
