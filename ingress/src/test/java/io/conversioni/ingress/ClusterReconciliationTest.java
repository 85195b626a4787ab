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

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reconciliation in cluster mode gives one node's answer: the same events go to a single node and, alternately
 * through either node, to a cluster of a real broker and three servers (a owns partitions 0-2, b 3-5, c none); the
 * same CRM export is dropped on every node. Each owner reconciles the rows of its partitions only, so the owners'
 * mismatches (missing, extra, value differences), counts and {@code riconciliazione} alerts add up to the single
 * node's, no row is reported twice, and the node owning nothing reconciles nothing and says why.
 */
@Tag("slow")
@Timeout(240)
@ExtendWith(KafkaLeakCheck.class)
class ClusterReconciliationTest {
    private static final Path CONFIG = Path.of("..", "config");
    private static final String TOPIC = "conversioni_eventi_riconciliazione";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /** Only a request runs the job (the first scheduled run is a day away). */
    private static final String JOBS = "reconciliation:\n  interval: 24h\nreports:\n  interval: 24h\n";
    private static final long WINDOW_MS = 300_000;
    private static final int EVENTS = 24;

    @TempDir
    static Path folder;

    private static KafkaBroker broker;
    private static ConversioniServer single;
    private static ConversioniServer a;
    private static ConversioniServer b;
    private static ConversioniServer c;
    private static String token;

    @BeforeAll
    static void startTheBrokerThreeNodesAndASingleNode() throws Exception {
        broker = KafkaBroker.start(folder.resolve("kafka"));
        single = start(JOBS, folder.resolve("single"));
        token = single.auth().issuer().issue("test-riconciliazione", System.currentTimeMillis() / 1000, 3600,
            "eventi:scrivi metriche:leggi admin");
        for (String node : List.of("a", "b", "c")) { // every node shares the JWT secret
            Files.createDirectories(folder.resolve(node));
            Files.copy(folder.resolve("single").resolve(JwtSettings.DEVELOPMENT_SECRET_FILE),
                folder.resolve(node).resolve(JwtSettings.DEVELOPMENT_SECRET_FILE));
        }
        a = start(JOBS + cluster("a", "0-2"), folder.resolve("a"));
        b = start(JOBS + cluster("b", "3-5"), folder.resolve("b"));
        c = start(JOBS + cluster("c", ""), folder.resolve("c"));
    }

    private static ConversioniServer start(final String yaml, final Path data) throws Exception {
        final ConversioniServer server = ConversioniServer.configure(EngineConfig.parse(yaml, CONFIG), data, -1, 0);
        server.listen();
        server.start();
        return server;
    }

    private static String cluster(final String name, final String owns) {
        return "cluster:\n  bootstrap_servers: " + broker.bootstrapServers() + "\n  topic: " + TOPIC
            + "\n  reply_topic: " + TOPIC + "_esiti\n  cells_topic: " + TOPIC + "_finestre\n  partitions: 6\n  node: "
            + name + "\n  owns: \"" + owns + "\"\n";
    }

    @AfterAll
    static void stopAll() {
        for (ConversioniServer s : new ConversioniServer[] {a, b, c, single}) {
            if (s != null) {
                s.close();
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void shouldGiveTheOwnersTheSingleNodesMismatchesCountsAlertsAndDailyCountsBetweenThem() throws Exception {
        for (ConversioniServer node : List.of(single, a, b, c)) {
            Await.until("ready", Duration.ofSeconds(60), () -> status(node, "/health/ready") == 200);
        }
        // two closed windows: 20 to 10 minutes ago (heartbeats move every watermark past them within a second)
        final long window = Math.floorDiv(System.currentTimeMillis(), WINDOW_MS) * WINDOW_MS - 4 * WINDOW_MS;
        // every node's watermark past both windows before the first event, so that each event is decided alike
        // everywhere (a late revision of a closed window), however the partitions fall
        for (ConversioniServer node : List.of(single, a, b, c)) {
            Await.until("the watermark past the windows", Duration.ofSeconds(60),
                () -> node.engine().windows().watermarkMillis() >= window + 2 * WINDOW_MS);
        }
        final StringBuilder crm = new StringBuilder("id_cliente,evento,canale,timestamp,valore\n");
        for (int i = 0; i < EVENTS; i++) {
            final String id = String.format("CLIENTE-RICO-%06d", i);
            final String evento = i % 3 == 0 ? "richiesta_demo" : "acquisto_concluso";
            final String canale = i % 2 == 0 ? "email" : "sms";
            final String time = Instant.ofEpochMilli(window + i * 20_000L).toString();
            final String valore = (i + 1) + ".50";
            final String event = "{\"id_cliente\":\"" + id + "\",\"evento\":\"" + evento + "\",\"timestamp\":\"" + time
                + "\",\"valore\":" + valore + ",\"canale\":\"" + canale + "\",\"stato\":\"completato\"}";
            assertTrue(post(single, event).contains("\"esito\":\"accettato\""));
            assertTrue(post(i % 2 == 0 ? a : b, event).contains("\"esito\":\"accettato\""));
            if (i == 0) { // re-delivered through the other node: a duplicate, counted once
                assertTrue(post(single, event).contains("\"esito\":\"duplicato\""));
                assertTrue(post(b, event).contains("\"esito\":\"duplicato\""));
            }
            if (i == 3 || i == 10) {
                continue; // counted by the engine, not in the CRM: "in più"
            }
            final String crmValue = i == 5 || i == 17 ? (i + 2) + ".50" : valore; // "valore diverso"
            crm.append(id).append(',').append(evento).append(',').append(canale).append(',').append(time).append(',')
                .append(crmValue).append('\n');
        }
        for (int i = 0; i < 3; i++) { // in the CRM, never sent: "mancanti"
            crm.append("CLIENTE-RICO-90000").append(i).append(",acquisto_concluso,webform,")
                .append(Instant.ofEpochMilli(window + 60_000 + i * 150_000L)).append(",9.99\n");
        }
        final String invalid = "{\"id_cliente\":\"CLIENTE-RICO-000099\",\"evento\":\"non_un_evento\"}";
        assertEquals(400, postInvalid(single, invalid));
        assertEquals(400, postInvalid(c, invalid)); // rejected by the node that received it: c's own

        final Map<String, Object> one = reconcile(single, crm.toString());
        final Map<String, Object> ofA = reconcile(a, crm.toString());
        final Map<String, Object> ofB = reconcile(b, crm.toString());

        assertEquals("discorda", one.get("esito"), one.toString());
        assertEquals(EVENTS, number(one, "eventi_motore"));
        assertEquals(EVENTS + 1L, number(one, "eventi_crm"));
        for (String field : List.of("eventi_motore", "eventi_crm", "crm_non_confrontati")) {
            assertEquals(number(one, field), number(ofA, field) + number(ofB, field), field);
        }
        assertTrue(((String) ofA.get("fonte")).endsWith("(nodo a, partizioni 0-2 di 6)"), ofA.toString());
        final Set<String> itemsOfA = items(ofA, 0, 2);
        final Set<String> itemsOfB = items(ofB, 3, 5);
        assertEquals(2 + 2 + 3, items(one, 0, 5).size(), one.toString());
        assertTrue(itemsOfA.stream().noneMatch(itemsOfB::contains), "a row reported by both owners");
        final Set<String> union = new TreeSet<>(itemsOfA);
        union.addAll(itemsOfB);
        assertEquals(new TreeSet<>(items(one, 0, 5)), union);

        final Set<String> alertsOfOne = reconciliationAlerts(single);
        assertFalse(alertsOfOne.isEmpty());
        final Set<String> alertsOfOwners = new TreeSet<>(reconciliationAlerts(a));
        alertsOfOwners.addAll(reconciliationAlerts(b));
        assertEquals(alertsOfOne, alertsOfOwners, "riconciliazione alerts, raised by the owners of the rows");

        // c owns nothing: reconciles nothing, says why, leaves the export where it was dropped
        Files.createDirectories(folder.resolve("c").resolve("crm-export"));
        Files.writeString(folder.resolve("c").resolve("crm-export").resolve("crm.csv"), crm.toString());
        runNow(c);
        assertEquals("ok: niente da riconciliare: nodo c non possiede partizioni (cluster.owns vuoto)", esito(c));
        assertTrue(Files.exists(folder.resolve("c").resolve("crm-export").resolve("crm.csv")));
        assertTrue(reconciliationAlerts(c).isEmpty());
        assertFalse(Files.exists(folder.resolve("c").resolve("reports")), "no run logged on c");

        dailyReportsAddUpToTheSingleNodes();
    }

    /** Each node's daily report names its node and partitions; the nodes' counts add up to the single node's. */
    private static void dailyReportsAddUpToTheSingleNodes() throws Exception {
        final Map<?, ?> one = report(single);
        assertEquals(null, one.get("copertura"), "a single node's report covers everything");
        final Map<?, ?> ofA = report(a);
        assertEquals("{nodo=a, partizioni=[0, 1, 2], partizioni_totali=6}", String.valueOf(ofA.get("copertura")));
        final Map<?, ?> ofC = report(c);
        assertEquals("{nodo=c, partizioni=[], partizioni_totali=6}", String.valueOf(ofC.get("copertura")));
        final Map<?, ?> events = (Map<?, ?>) one.get("eventi");
        assertEquals(26L, ((Number) events.get("ricevuti")).longValue(), events.toString());
        for (Object field : events.keySet()) {
            if (events.get(field) instanceof Number n) {
                double sum = 0;
                for (Map<?, ?> r : List.of(ofA, report(b), ofC)) {
                    sum += ((Number) ((Map<?, ?>) r.get("eventi")).get(field)).doubleValue();
                }
                assertEquals(n.doubleValue(), sum, 0.001, "eventi." + field);
            }
        }
        assertEquals(1L, ((Number) ((Map<?, ?>) ofC.get("eventi")).get("rifiutati")).longValue());
        assertTrue(Files.readString(dataDir(a).resolve("reports").resolve(one.get("giorno") + ".md"))
            .contains("Nodo a del cluster: gli eventi delle partizioni [0, 1, 2] di 6"));

        // the elected node (a, owner of partition 0) writes the sum of every node's report of the day
        report(a);
        final Map<?, ?> sum = (Map<?, ?>) JsonTree.parse(Files.readString(dataDir(a).resolve("reports")
            .resolve("cluster-" + one.get("giorno") + ".json")));
        assertEquals(Boolean.TRUE, sum.get("completo"), sum.toString());
        assertEquals(3, ((List<?>) sum.get("nodi")).size(), sum.toString());
        final Map<?, ?> summed = (Map<?, ?>) sum.get("eventi");
        for (Object field : events.keySet()) {
            assertEquals(String.valueOf(events.get(field)), String.valueOf(summed.get(field)), "eventi." + field);
        }
        assertEquals(events.keySet(), summed.keySet());
        assertFalse(Files.exists(dataDir(b).resolve("reports").resolve("cluster-" + one.get("giorno") + ".json")),
            "only the elected node writes the sum");
    }

    /** Runs the daily report on {@code node}; today's JSON. */
    private static Map<?, ?> report(final ConversioniServer node) throws Exception {
        final String before = String.valueOf(job(node, "rapporto_giornaliero").get("ultima_esecuzione"));
        Await.until("the report job accepted", Duration.ofSeconds(30),
            () -> status(node, "POST", "/api/v1/jobs/rapporto_giornaliero/esegui") == 202);
        Await.until("a report written", Duration.ofSeconds(30), () -> {
            final Map<?, ?> job = job(node, "rapporto_giornaliero");
            return !String.valueOf(job.get("ultima_esecuzione")).equals(before)
                && String.valueOf(job.get("esito")).startsWith("ok: ");
        });
        final Path today = dataDir(node).resolve("reports").resolve(java.time.LocalDate.now(java.time.ZoneOffset.UTC)
            + ".json");
        return (Map<?, ?>) JsonTree.parse(Files.readString(today));
    }

    /** Drops the export on {@code node}, runs the job until its windows are closed there; the run's JSON. */
    private static Map<String, Object> reconcile(final ConversioniServer node, final String csv) throws Exception {
        final Path dataDir = dataDir(node);
        Files.createDirectories(dataDir.resolve("crm-export"));
        Files.writeString(dataDir.resolve("crm-export").resolve("crm.csv"), csv);
        Await.until("the export reconciled on " + dataDir, Duration.ofSeconds(60), () -> {
            runNow(node); // again while its windows are not closed there yet ("in attesa")
            return Files.exists(dataDir.resolve("crm-export").resolve("elaborati").resolve("crm.csv"));
        });
        assertTrue(esito(node).startsWith("ok: crm.csv: discorda"), esito(node));
        final List<String> runs = new ArrayList<>();
        try (Stream<Path> files = Files.list(dataDir.resolve("reports"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("riconciliazioni-")).toList()) {
                runs.addAll(Files.readAllLines(f));
            }
        }
        assertEquals(1, runs.size(), runs.toString());
        @SuppressWarnings("unchecked")
        final Map<String, Object> run = (Map<String, Object>) JsonTree.parse(runs.get(0));
        return run;
    }

    /** Runs the job on {@code node} and waits until that run has ended. */
    private static void runNow(final ConversioniServer node) {
        final String before = lastRun(node);
        Await.until("the job accepted", Duration.ofSeconds(30),
            () -> status(node, "POST", "/api/v1/jobs/riconciliazione/esegui") == 202);
        Await.until("a run ended", Duration.ofSeconds(30), () -> !lastRun(node).equals(before)
            && !esito(node).equals("in_corso"));
    }

    private static Path dataDir(final ConversioniServer node) {
        return folder.resolve(node == single ? "single" : node == a ? "a" : node == b ? "b" : "c");
    }

    /** Every mismatch row, as {@code kind id evento canale timestamp values}; checks its id's partition. */
    private static Set<String> items(final Map<String, Object> run, final int firstPartition, final int lastPartition) {
        final Set<String> out = new HashSet<>();
        for (Object o : (List<?>) run.get("discordanze")) {
            final Map<?, ?> m = (Map<?, ?>) o;
            for (String kind : List.of("mancanti", "in_piu", "valore_diverso")) {
                for (Object e : (List<?>) m.get(kind)) {
                    final Map<?, ?> event = (Map<?, ?>) e;
                    final String id = (String) event.get("id_cliente");
                    final int partition = KeyPartitions.partitionOf(id, 6);
                    assertTrue(partition >= firstPartition && partition <= lastPartition, id + " in " + partition);
                    assertTrue(out.add(kind + " " + id + " " + event.get("evento") + " " + event.get("canale") + " "
                        + event.get("timestamp") + " " + event.get("valore") + " " + event.get("valore_motore") + " "
                        + event.get("valore_crm")), "twice: " + event);
                }
            }
        }
        return out;
    }

    private static long number(final Map<String, Object> run, final String field) {
        return ((Number) run.get(field)).longValue();
    }

    private static Set<String> reconciliationAlerts(final ConversioniServer node) throws Exception {
        final Set<String> keys = new TreeSet<>();
        final Map<?, ?> body = (Map<?, ?>) JsonTree.parse(send(node, "GET", "/api/v1/allarmi?stato=aperto").body());
        for (Object o : (List<?>) body.get("allarmi")) {
            final Map<?, ?> alert = (Map<?, ?>) o;
            if ("riconciliazione".equals(alert.get("regola"))) {
                keys.add((String) alert.get("chiave"));
            }
        }
        return keys;
    }

    private static Map<?, ?> job(final ConversioniServer node) {
        return job(node, "riconciliazione");
    }

    private static Map<?, ?> job(final ConversioniServer node, final String name) {
        try {
            final Map<?, ?> body = (Map<?, ?>) JsonTree.parse(send(node, "GET", "/api/v1/jobs").body());
            for (Object o : (List<?>) body.get("jobs")) {
                if (name.equals(((Map<?, ?>) o).get("nome"))) {
                    return (Map<?, ?>) o;
                }
            }
            throw new AssertionError("no job " + name + ": " + body);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static String lastRun(final ConversioniServer node) {
        return String.valueOf(job(node).get("ultima_esecuzione"));
    }

    private static String esito(final ConversioniServer node) {
        return String.valueOf(job(node).get("esito"));
    }

    private static int status(final ConversioniServer node, final String path) {
        return status(node, "GET", path);
    }

    private static int status(final ConversioniServer node, final String method, final String path) {
        try {
            return send(node, method, path).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private static String post(final ConversioniServer node, final String body) throws Exception {
        final HttpResponse<String> r = HTTP.send(request(node, IngressServer.SINGLE_PATH)
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        return r.body();
    }

    private static int postInvalid(final ConversioniServer node, final String body) throws Exception {
        return HTTP.send(request(node, IngressServer.SINGLE_PATH).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static HttpResponse<String> send(final ConversioniServer node, final String method, final String path)
        throws IOException, InterruptedException {
        return HTTP.send(request(node, path).method(method, HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(final ConversioniServer node, final String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + node.port("http") + path))
            .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
    }
}
