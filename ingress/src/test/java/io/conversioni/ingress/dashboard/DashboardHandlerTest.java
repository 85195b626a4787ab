package io.conversioni.ingress.dashboard;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard's files over a real HTTPS server: content types, security headers, caching, compression. */
@Timeout(60)
class DashboardHandlerTest {
    private static final Pattern LINKED = Pattern.compile("(?:src|href)=\"(/dashboard/[^\"?]+)\\?v=([0-9a-f]{12})\"");

    @TempDir
    static Path data;
    private static LiveServer live;

    /** One server for the class: these tests only read, and a start (engine, keytool) costs seconds here. */
    @BeforeAll
    static void start() throws Exception {
        live = new LiveServer(data);
    }

    @AfterAll
    static void stop() {
        live.close();
    }

    @Test
    void shouldServeThePageWithoutATokenUnderAStrictContentSecurityPolicy() throws Exception {
        final HttpResponse<String> page = live.get("/");
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", header(page, "Content-Type"));
        final String csp = header(page, "Content-Security-Policy");
        assertEquals(DashboardHandler.CONTENT_SECURITY_POLICY, csp);
        assertTrue(csp.contains("script-src 'self'") && csp.contains("default-src 'none'") && !csp.contains("unsafe"), csp);
        assertEquals("nosniff", header(page, "X-Content-Type-Options"));
        assertEquals("DENY", header(page, "X-Frame-Options"));
        assertEquals("no-cache", header(page, "Cache-Control"));
        final String html = page.body();
        assertFalse(html.contains("{{"), "an asset placeholder was left in the page");
        assertFalse(Pattern.compile("<script(?![^>]*\\bsrc=)").matcher(html).find(), "inline script in the page");
        assertFalse(Pattern.compile("\\sstyle=|<style|\\son[a-z]+=").matcher(html).find(), "inline style or handler");
    }

    @Test
    void shouldServeEveryLinkedFileWithItsTypeCacheableForAYearOnlyUnderItsCurrentHash() throws Exception {
        final Matcher m = LINKED.matcher(live.get("/").body());
        final List<String> seen = new ArrayList<>();
        while (m.find()) {
            final String path = m.group(1);
            seen.add(path.substring(DashboardHandler.PREFIX.length()));
            final HttpResponse<String> hashed = live.get(path + "?v=" + m.group(2));
            assertEquals(200, hashed.statusCode(), path);
            assertEquals(expectedType(path), header(hashed, "Content-Type"), path);
            assertEquals("public, max-age=31536000, immutable", header(hashed, "Cache-Control"), path);
            assertEquals("\"" + m.group(2) + "\"", header(hashed, "ETag"), path);
            assertEquals("no-cache", header(live.get(path), "Cache-Control"), path + " without its hash");
            assertEquals("no-cache", header(live.get(path + "?v=000000000000"), "Cache-Control"), path + " old hash");
        }
        assertEquals(List.of("favicon.svg", "uPlot.min.css", "dashboard.css", "uPlot.iife.min.js", "dashboard.js"), seen);
        assertTrue(live.get("/dashboard/uPlot.iife.min.js").body().contains("uPlot"), "not uPlot's script");
    }

    @Test
    void shouldAnswerNotModifiedForTheCurrentTagAndGzipWhenTheClientAcceptsIt() throws Exception {
        final HttpResponse<byte[]> plain = live.getBytes("/dashboard/uPlot.iife.min.js");
        final String etag = header(plain, "ETag");
        assertEquals(304, live.get("/dashboard/uPlot.iife.min.js", "If-None-Match", etag).statusCode());
        assertEquals(304, live.get("/", "If-None-Match", header(live.get("/"), "ETag")).statusCode());
        assertEquals(200, live.get("/dashboard/uPlot.iife.min.js", "If-None-Match", "\"0\"").statusCode());
        final HttpResponse<byte[]> zipped = live.getBytes("/dashboard/uPlot.iife.min.js", "Accept-Encoding", "gzip");
        assertEquals("gzip", header(zipped, "Content-Encoding"));
        assertTrue(zipped.body().length < plain.body().length / 2, zipped.body().length + " bytes gzipped");
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
            assertArrayEquals(plain.body(), in.readAllBytes());
        }
        assertFalse(plain.headers().firstValue("Content-Encoding").isPresent());
    }

    @Test
    void shouldAnswerAnUnknownFileWith404AndKeepTheDataBehindTheToken() throws Exception {
        for (String path : List.of("/dashboard/nothing.js", "/dashboard/index.html", "/dashboard/..%2Fopenapi.json")) {
            final HttpResponse<String> r = live.get(path);
            assertEquals(404, r.statusCode(), path);
            assertTrue(r.body().startsWith("{\"esito\":\"errore\",\"codice\":\"not_found\""), r.body());
        }
        assertEquals(401, live.get("/api/v1/metriche").statusCode());
        assertEquals(401, live.get("/api/v1/metriche/stream").statusCode());
    }

    private static String expectedType(final String path) {
        if (path.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        return path.endsWith(".css") ? "text/css; charset=utf-8" : "image/svg+xml";
    }

    private static String header(final HttpResponse<?> r, final String name) {
        return r.headers().firstValue(name).orElse("(none)");
    }
}
