package io.conversioni.ingress;

import io.conversioni.cluster.KafkaBroker;
import io.conversioni.cluster.KafkaLeakCheck;
import io.conversioni.cluster.KeyPartitions;
import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.auth.JwtSettings;
import io.conversioni.json.JsonTree;
import io.conversioni.testkit.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where the alert rules run in cluster mode, against a real broker and real servers: {@code duplicati} for a canale
 * whose duplicates are split between the owners is raised by the elected node, which joins every owner's verdicts
 * with their events, as by a single node fed the same events, and by no owner; so is {@code deriva_orologio} over
 * events that no owner alone has enough of; {@code silenzio} for a canale
 * whose events all go to node b's partitions is raised and resolved by the elected node a (the owner of partition 0),
 * which hears every partition, exactly when a single node fed the same events raises and resolves it; node b, which
 * decided those events, runs no {@code silenzio}. A restart of the elected node neither raises it again nor loses
 * its resolution; nor does a move of partition 0 to another node, which takes over the open alert through the alerts
 * topic: each notification (to a real webhook sink per node) is sent once, by one node, as the single node sends it.
 */
@Tag("slow")
@Timeout(240)
@ExtendWith(KafkaLeakCheck.class)
class ClusterAlertsTest {
    private static final Path CONFIG = Path.of("..", "config");
    private static final String TOPIC = "conversioni_eventi_allarmi";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final String RULES = "alerts:\n  silenzio:\n    after: 2s\n  duplicati:\n    threshold: 1\n"
        + "reconciliation:\n  source: none\n"
        + "reports:\n  enabled: false\n";
    private static final String EMAIL = "canale=email";
    /** Each node's webhook sink: the silenzio notifications it received, as {@code node chiave stato}. */
    private static final List<String> NOTIFIED = new CopyOnWriteArrayList<>();
    private static HttpServer hooks;
    private static final String SMS = "canale=sms";

    @TempDir
    static Path folder;

    private static KafkaBroker broker;
    private static ConversioniServer single;
    private static ConversioniServer a;
    private static ConversioniServer b;
    private static String token;

    @BeforeAll
    static void startTheBrokerTwoNodesAndASingleNode() throws Exception {
        hooks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hooks.createContext("/", exchange -> {
            final String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            final Map<?, ?> alert = (Map<?, ?>) JsonTree.parse(body);
            if ("silenzio".equals(alert.get("regola"))) {
                NOTIFIED.add(exchange.getRequestURI().getPath().substring(1) + " " + alert.get("chiave") + " "
                    + alert.get("stato"));
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        hooks.start();
        broker = KafkaBroker.start(folder.resolve("kafka"));
        single = start(rules("single"), folder.resolve("single"));
        token = single.auth().issuer().issue("test-allarmi", System.currentTimeMillis() / 1000, 3600,
            "eventi:scrivi metriche:leggi admin");
        for (String node : List.of("a", "b")) { // every node shares the JWT secret
            Files.createDirectories(folder.resolve(node));
            Files.copy(folder.resolve("single").resolve(JwtSettings.DEVELOPMENT_SECRET_FILE),
                folder.resolve(node).resolve(JwtSettings.DEVELOPMENT_SECRET_FILE));
        }
        a = start(rules("a") + cluster("a", "0-2"), folder.resolve("a"));
        b = start(rules("b") + cluster("b", "3-5"), folder.resolve("b"));
    }

    /** The rules, and a webhook sink that records what {@code node} notifies. */
    private static String rules(final String node) {
        return RULES + "delivery:\n  sinks:\n    registro:\n      type: webhook\n      url: http://127.0.0.1:"
            + hooks.getAddress().getPort() + "/" + node + "\n";
    }

    private static ConversioniServer start(final String yaml, final Path data) throws Exception {
        final ConversioniServer server = ConversioniServer.configure(EngineConfig.parse(yaml, CONFIG), data, -1, 0);
        server.listen();
        server.start();
        Await.until("ready", Duration.ofSeconds(60), () -> status(server, "/health/ready") == 200);
        return server;
    }

    private static String cluster(final String name, final String owns) {
        return "cluster:\n  bootstrap_servers: " + broker.bootstrapServers() + "\n  topic: " + TOPIC
            + "\n  reply_topic: " + TOPIC + "_esiti\n  cells_topic: " + TOPIC + "_finestre\n  partitions: 6\n  node: "
            + name + "\n  owns: \"" + owns + "\"\n";
    }

    @AfterAll
    static void stopAll() {
        for (ConversioniServer s : new ConversioniServer[] {a, b, single}) {
            if (s != null) {
                s.close();
            }
        }
        if (broker != null) {
            broker.close();
        }
        if (hooks != null) {
            hooks.stop(0);
        }
    }

    @Test
    void shouldRaiseAndResolveSilenzioOnTheElectedNodeOnlyAsOneNodeDoesAcrossARestartAndAMove() throws Exception {
        // duplicati per canale: one duplicate on each owner, two in the cluster, more than the threshold of 1
        for (String id : List.of(idsInPartitions("DUPA", 0, 2, 1).get(0), idsInPartitions("DUPB", 3, 5, 1).get(0))) {
            final String e = event(id, "webform");
            post(single, e);
            post(a, e);
            assertTrue(send(single, "POST", IngressServer.SINGLE_PATH, e).body().contains("\"esito\":\"duplicato\""));
            assertTrue(send(b, "POST", IngressServer.SINGLE_PATH, e).body().contains("\"esito\":\"duplicato\""));
        }
        Await.until("duplicati on the single node", Duration.ofSeconds(30),
            () -> alerts(single, "aperto").contains("duplicati canale=webform aperto"));
        Await.until("duplicati on the elected node", Duration.ofSeconds(30),
            () -> alerts(a, "aperto").contains("duplicati canale=webform aperto"));
        assertEquals(List.of(), alerts(b, "tutti"), "b counts one duplicate of its own: no owner alone passes 1");

        // deriva_orologio: 24 events of social_media dated 2 s before they are sent, split between the owners (about
        // 12 each, under min_events 20): the elected node hears all 24, as the single node does
        for (String id : idsInPartitions("DERI", 0, 5, 24)) {
            final String late = event(id, "social_media").replaceAll("\"timestamp\":\"[^\"]+\"",
                "\"timestamp\":\"" + Instant.now().minusSeconds(2) + "\"");
            post(single, late);
            post(b, late);
        }
        Await.until("deriva_orologio on the single node", Duration.ofSeconds(30),
            () -> alerts(single, "aperto").contains("deriva_orologio canale=social_media aperto"));
        Await.until("deriva_orologio on the elected node", Duration.ofSeconds(30),
            () -> alerts(a, "aperto").contains("deriva_orologio canale=social_media aperto"));
        assertEquals(List.of(), alerts(b, "tutti"), "b runs no deriva_orologio");

        final List<String> ofB = idsInPartitions("SILE", 3, 5, 3);
        post(single, event(ofB.get(0)));
        post(a, event(ofB.get(0))); // received by a, decided by b

        Await.until("silenzio on the single node", Duration.ofSeconds(30), () -> open(single).contains(SMS));
        Await.until("silenzio on the elected node", Duration.ofSeconds(30), () -> open(a).contains(SMS));
        assertEquals(List.of(), alerts(b, "tutti"), "b decided the events but runs no cluster-wide rule");

        // the elected node restarts on its data folder: the open alert stays open, and is not raised again
        a.close();
        a = start(rules("a") + cluster("a", "0-2"), folder.resolve("a"));
        assertTrue(open(a).contains(SMS), open(a).toString());
        post(single, event(ofB.get(1)));
        post(b, event(ofB.get(1)));
        Await.until("resolved on the single node", Duration.ofSeconds(30), () -> !open(single).contains(SMS));
        Await.until("resolved on the elected node", Duration.ofSeconds(30), () -> !open(a).contains(SMS));
        assertEquals(sms(alerts(single, "tutti")), sms(alerts(a, "tutti")), "one silenzio, raised once and resolved once");
        assertEquals(List.of(), alerts(b, "tutti"));
        // (2 s after its last event a canale is silent again: later notifications may follow the first two)
        Await.until("notified", Duration.ofSeconds(30), () -> notified("single", SMS).size() >= 2
            && notified("a", SMS).size() >= 2);
        assertEquals(List.of("single canale=sms aperto", "single canale=sms risolto"),
            notified("single", SMS).subList(0, 2));
        assertEquals(List.of("a canale=sms aperto", "a canale=sms risolto"), notified("a", SMS).subList(0, 2));

        // partition 0 moves from a to b: b, now owning every partition, takes over the silenzio a raised, notifies
        // nothing for it, and sends its resolution once
        post(single, event(ofB.get(2), "email"));
        post(b, event(ofB.get(2), "email"));
        Await.until("silenzio for email on the single node", Duration.ofSeconds(30), () -> open(single).contains(EMAIL));
        Await.until("silenzio for email on a", Duration.ofSeconds(30), () -> open(a).contains(EMAIL));
        Await.until("a notified it", Duration.ofSeconds(30), () -> notified("a", EMAIL).size() == 1);
        a.close();
        b.close();
        b = start(rules("b") + cluster("b", "0-5"), folder.resolve("b"));
        Await.until("b took it over", Duration.ofSeconds(30), () -> open(b).contains(EMAIL));
        final String other = idsInPartitions("MOVE", 0, 5, 1).get(0);
        post(single, event(other, "email"));
        post(b, event(other, "email"));
        Await.until("resolved on the single node", Duration.ofSeconds(30), () -> !open(single).contains(EMAIL));
        Await.until("resolved on b", Duration.ofSeconds(30), () -> !open(b).contains(EMAIL));
        Await.until("notified", Duration.ofSeconds(30), () -> notified("single", EMAIL).size() == 2
            && notified("b", EMAIL).size() == 1);
        assertEquals(List.of("single canale=email aperto", "single canale=email risolto"),
            notified("single", EMAIL).subList(0, 2));
        assertEquals(List.of("a canale=email aperto"), notified("a", EMAIL));
        assertEquals("b canale=email risolto", notified("b", EMAIL).get(0),
            "b notifies only what it changed, not the alert it took over");
        assertEquals(List.of(), notified("b", SMS), "sms's alert, open on a when it stopped, is open on b, not notified");
        assertTrue(open(b).contains(SMS));
    }

    private static List<String> sms(final List<String> alerts) {
        return alerts.stream().filter(x -> x.startsWith("silenzio " + SMS + " ")).toList();
    }

    private static List<String> notified(final String node, final String chiave) {
        return NOTIFIED.stream().filter(n -> n.startsWith(node + " " + chiave + " ")).toList();
    }

    /** {@code count} valid id_cliente whose partition (of 6) lies in {@code [first, last]}. */
    private static List<String> idsInPartitions(final String city, final int first, final int last, final int count) {
        final List<String> out = new ArrayList<>();
        for (int i = 0; out.size() < count; i++) {
            final String id = String.format("CLIENTE-%s-%06d", city, i);
            final int p = KeyPartitions.partitionOf(id, 6);
            if (p >= first && p <= last) {
                out.add(id);
            }
        }
        return out;
    }

    private static String event(final String id) {
        return event(id, "sms");
    }

    private static String event(final String id, final String canale) {
        return "{\"id_cliente\":\"" + id + "\",\"evento\":\"richiesta_demo\",\"timestamp\":\"" + Instant.now()
            + "\",\"valore\":0,\"canale\":\"" + canale + "\",\"stato\":\"completato\"}";
    }

    private static List<String> open(final ConversioniServer node) {
        return alerts(node, "aperto").stream().filter(s -> s.startsWith("silenzio ")).map(s -> s.split(" ")[1]).toList();
    }

    /** Every alert as {@code regola chiave stato}, newest first. */
    private static List<String> alerts(final ConversioniServer node, final String stato) {
        try {
            final Map<?, ?> body = (Map<?, ?>) JsonTree.parse(send(node, "GET", "/api/v1/allarmi?stato=" + stato, null)
                .body());
            final List<String> out = new ArrayList<>();
            for (Object o : (List<?>) body.get("allarmi")) {
                final Map<?, ?> alert = (Map<?, ?>) o;
                out.add(alert.get("regola") + " " + alert.get("chiave") + " " + alert.get("stato"));
            }
            return out;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static int status(final ConversioniServer node, final String path) {
        try {
            return send(node, "GET", path, null).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private static void post(final ConversioniServer node, final String body) throws Exception {
        final HttpResponse<String> r = send(node, "POST", IngressServer.SINGLE_PATH, body);
        assertEquals(202, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"esito\":\"accettato\""), r.body());
    }

    private static HttpResponse<String> send(final ConversioniServer node, final String method, final String path,
                                             final String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + node.port("http") + path))
            .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .build(), HttpResponse.BodyHandlers.ofString());
    }
}
