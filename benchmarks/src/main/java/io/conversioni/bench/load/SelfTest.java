package io.conversioni.bench.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --self-test}: the generator against the JDK's plain HTTP server on a free loopback port, which answers
 * 202 to every POST and lists the insight campaigns it has seen on {@code GET /api/v1/metriche}. Runs 2 s at
 * 500 req/s; fails (exit 1) unless throughput is within 10 % of the rate, every request got a 202 and the
 * insight probe saw every marker. Then 1 s closed loop ({@code --rate max}): every request sent is answered 202. Main thread only; the server's own thread answers.
 */
final class SelfTest {
    private static final Pattern INSIGHT = Pattern.compile("\"campagna\":\"(insight-[a-z0-9-]+)\"");
    private static final double RATE = 500;

    private SelfTest() {
    }

    static int run() throws IOException, InterruptedException {
        // The JDK server writes head and body separately; with Nagle on, the client's delayed ACK costs 40 ms each.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        final Set<String> campaigns = ConcurrentHashMap.newKeySet();
        final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/api/v1/eventi/", exchange -> {
            final String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            final Matcher m = INSIGHT.matcher(body);
            while (m.find()) {
                campaigns.add(m.group(1));
            }
            answer(exchange, 202, "{\"esito\":\"accettato\"}");
        });
        server.createContext("/api/v1/metriche", exchange -> {
            final StringBuilder sb = new StringBuilder("{\"finestre\":[{\"gruppi\":[");
            for (final String c : campaigns) {
                sb.append("{\"chiave\":\"").append(c).append("\"},");
            }
            answer(exchange, 200, sb.append("{}]}]}").toString());
        });
        server.start();
        try {
            final int port = server.getAddress().getPort();
            final LoadSettings settings = LoadSettings.parse(new String[] {"--url", "http://127.0.0.1:" + port,
                "--token", "self-test", "--rate", Double.toString(RATE), "--duration", "2s", "--connections", "4",
                "--insight-samples", "20", "--drain", "3s", "--name", "self-test"});
            final LoadReport report = LoadGenerator.run(settings);
            System.out.print(report.summary());
            final boolean rateOk = Math.abs(report.throughputRps() - RATE) <= RATE * 0.10;
            final boolean allAccepted = report.count(202) == settings.totalRequests()
                && report.completedRequests == settings.totalRequests() && report.failedRequests == 0;
            final boolean insightOk = report.insightMicros.getTotalCount() == settings.insightSamples;
            System.out.printf("self-test: throughput within 10%%: %s, every response 202: %s, every insight marker seen: %s%n",
                rateOk, allAccepted, insightOk);
            if (report.settings.jsonFile == null) {
                System.out.println("self-test json: " + report.json().trim());
            }
            final LoadReport max = LoadGenerator.run(LoadSettings.parse(new String[] {"--url", "http://127.0.0.1:" + port,
                "--token", "self-test", "--rate", "max", "--duration", "1s", "--connections", "4",
                "--insight-samples", "0", "--drain", "3s", "--name", "self-test-max"}));
            System.out.print(max.summary());
            final boolean maxOk = max.completedRequests > 0 && max.completedRequests == max.sentRequests
                && max.count(202) == max.completedRequests && max.failedRequests == 0;
            System.out.printf("self-test: closed loop answered every request it sent with 202: %s%n", maxOk);
            return rateOk && allAccepted && insightOk && maxOk ? 0 : 1;
        } finally {
            server.stop(0);
        }
    }

    private static void answer(final HttpExchange exchange, final int status, final String text) throws IOException {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
