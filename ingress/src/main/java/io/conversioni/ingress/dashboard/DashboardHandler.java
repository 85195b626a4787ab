package io.conversioni.ingress.dashboard;

import io.conversioni.json.JsonBuilder;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPOutputStream;

/**
 * Serves the dashboard: {@code GET /} (the page) and {@code GET /dashboard/NAME} (its script, styles, icon and
 * the uPlot WebJar's files), all read from the class path once, at construction. No token is needed: the page
 * holds no data; it asks the API for it with the user's token.
 *
 * <p>Headers: a strict Content-Security-Policy (scripts, styles and connections only from this origin, no
 * inline script or style), {@code nosniff}, no framing, no referrer. The page links each asset with
 * {@code ?v=} and the first 12 hex digits of its SHA-256, so an asset asked for with its current hash is
 * cacheable for a year, anything else (the page itself included) is revalidated every time; every answer has
 * a strong ETag and {@code If-None-Match} gets 304. Assets are gzipped once at start when that is smaller.
 *
 * <p>Threading: any IO thread; immutable after construction, never blocks. Allocation: none per request beyond
 * Undertow's own (the bodies are shared read-only buffers).
 */
public final class DashboardHandler implements HttpHandler {
    /** The policy on every answer; the page has no inline script or style, so nothing looser is needed. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
        + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    /** Where the assets are served; the page is at {@code /}. */
    public static final String PREFIX = "/dashboard/";

    private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";
    private static final HttpString CSP = new HttpString("Content-Security-Policy");
    private static final HttpString NOSNIFF = new HttpString("X-Content-Type-Options");
    private static final HttpString FRAME_OPTIONS = new HttpString("X-Frame-Options");
    private static final HttpString REFERRER_POLICY = new HttpString("Referrer-Policy");
    private static final String REVALIDATE = "no-cache";
    private static final String NOT_FOUND = new JsonBuilder(128).beginObject().field("esito", "errore")
        .field("codice", "not_found").field("messaggio", "no such dashboard file; open / instead").endObject().toString();
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";
    private static final int HASH_HEX_DIGITS = 12;

    private final Map<String, Asset> assets = new LinkedHashMap<>();
    private final Asset page;

    /** Reads the bundled files; fails when one is missing (a broken jar should not start half a dashboard). */
    public DashboardHandler() {
        final ClassLoader loader = DashboardHandler.class.getClassLoader();
        final String uplot = "META-INF/resources/webjars/uplot/" + uplotVersion(loader) + "/dist/";
        final String own = "io/conversioni/ingress/dashboard/";
        add(loader, own + "dashboard.js", "dashboard.js", "text/javascript; charset=utf-8");
        add(loader, own + "dashboard.css", "dashboard.css", "text/css; charset=utf-8");
        add(loader, own + "favicon.svg", "favicon.svg", "image/svg+xml");
        add(loader, uplot + "uPlot.iife.min.js", "uPlot.iife.min.js", "text/javascript; charset=utf-8");
        add(loader, uplot + "uPlot.min.css", "uPlot.min.css", "text/css; charset=utf-8");
        String html = new String(read(loader, own + "index.html"), StandardCharsets.UTF_8);
        for (Asset a : assets.values()) {
            html = html.replace("{{" + a.name + "}}", PREFIX + a.name + "?v=" + a.hash);
        }
        if (html.contains("{{")) {
            throw new IllegalStateException("dashboard index.html names an asset that is not bundled: "
                + html.substring(html.indexOf("{{"), Math.min(html.length(), html.indexOf("{{") + 40)));
        }
        page = new Asset("index.html", "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void handleRequest(final HttpServerExchange exchange) {
        final String path = exchange.getRequestPath();
        final Asset asset = "/".equals(path) ? page
            : path.startsWith(PREFIX) ? assets.get(path.substring(PREFIX.length())) : null;
        securityHeaders(exchange);
        if (asset == null) {
            exchange.setStatusCode(404);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
            exchange.getResponseSender().send(NOT_FOUND);
            return;
        }
        final Deque<String> v = exchange.getQueryParameters().get("v");
        final boolean current = asset != page && v != null && asset.hash.equals(v.peekFirst());
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, current ? IMMUTABLE : REVALIDATE);
        exchange.getResponseHeaders().put(Headers.ETAG, asset.etag);
        exchange.getResponseHeaders().put(Headers.VARY, "Accept-Encoding");
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, asset.contentType);
        final String match = exchange.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH);
        if (match != null && (match.contains(asset.etag) || "*".equals(match.trim()))) {
            exchange.setStatusCode(304);
            exchange.endExchange();
            return;
        }
        final String accept = exchange.getRequestHeaders().getFirst(Headers.ACCEPT_ENCODING);
        if (asset.gzip != null && accept != null && accept.contains("gzip")) {
            exchange.getResponseHeaders().put(Headers.CONTENT_ENCODING, "gzip");
            exchange.getResponseSender().send(asset.gzip.duplicate());
        } else {
            exchange.getResponseSender().send(asset.body.duplicate());
        }
    }

    private static void securityHeaders(final HttpServerExchange exchange) {
        exchange.getResponseHeaders().put(CSP, CONTENT_SECURITY_POLICY);
        exchange.getResponseHeaders().put(NOSNIFF, "nosniff");
        exchange.getResponseHeaders().put(FRAME_OPTIONS, "DENY");
        exchange.getResponseHeaders().put(REFERRER_POLICY, "no-referrer");
    }

    private void add(final ClassLoader loader, final String resource, final String name, final String contentType) {
        assets.put(name, new Asset(name, contentType, read(loader, resource)));
    }

    private static String uplotVersion(final ClassLoader loader) {
        final Properties p = new Properties();
        try (InputStream in = loader.getResourceAsStream(UPLOT_POM)) {
            if (in == null) {
                throw new IllegalStateException("the uPlot WebJar is not on the class path (" + UPLOT_POM + ")");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + UPLOT_POM, e);
        }
        return p.getProperty("version");
    }

    private static byte[] read(final ClassLoader loader, final String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("dashboard file missing from the jar: " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled " + resource, e);
        }
    }

    /** One file: its bytes, gzipped bytes (null when not smaller), content hash and ETag. */
    private static final class Asset {
        final String name;
        final String contentType;
        final ByteBuffer body;
        final ByteBuffer gzip;
        final String hash;
        final String etag;

        Asset(final String name, final String contentType, final byte[] bytes) {
            this.name = name;
            this.contentType = contentType;
            this.body = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
            final byte[] zipped = gzip(bytes);
            this.gzip = zipped.length < bytes.length ? ByteBuffer.wrap(zipped).asReadOnlyBuffer() : null;
            this.hash = sha256(bytes).substring(0, HASH_HEX_DIGITS);
            this.etag = "\"" + hash + "\"";
        }

        private static byte[] gzip(final byte[] bytes) {
            final ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 2 + 64);
            try (GZIPOutputStream z = new GZIPOutputStream(out)) {
                z.write(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }

        private static String sha256(final byte[] bytes) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from this JVM", e);
            }
        }
    }
}
