package io.conversioni.cli;

import com.sun.net.httpserver.HttpServer;
import io.conversioni.delivery.DeadLettersFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code deadletters list|redeliver}: output, exit status and what a redelivery leaves behind. */
@Timeout(60)
class DeadlettersCommandTest {
    @TempDir
    Path dir;

    private final List<HttpServer> servers = new ArrayList<>();
    private final AtomicInteger status = new AtomicInteger(404);
    private final List<String> received = java.util.Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    private String server() throws Exception {
        final HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        s.createContext("/", ex -> {
            received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(status.get(), -1);
            ex.close();
        });
        s.start();
        servers.add(s);
        return "http://127.0.0.1:" + s.getAddress().getPort() + "/hook";
    }

    private static String[] run(final String... args) {
        return CliRun.run(args);
    }

    private Path configWithSink(final String url) throws Exception {
        final Path shipped = Path.of("..", "config").toAbsolutePath().normalize();
        final Path file = dir.resolve("conversioni.yaml");
        Files.writeString(file, "schema: " + shipped.resolve("schema/conversione.schema.json") + "\nwindows:\n  costs: "
            + shipped.resolve("costi.csv") + "\ndelivery:\n  sinks:\n    ops:\n      url: " + url + "\n");
        return file;
    }

    @Test
    void shouldListDeadLettersAsATableAndAsJson() throws Exception {
        final Path data = dir.resolve("data");
        DeadLettersFixture.deadLetter(data, "ops", server(), 2);
        final String[] table = run("deadletters", "list", "--data-dir", data.toString());
        assertEquals("0", table[0], table[2]);
        final String[] lines = table[1].split("\n");
        assertEquals(3, lines.length, table[1]);
        assertTrue(lines[0].startsWith("id") && lines[0].contains("ultimo_errore"), lines[0]);
        assertTrue(lines[1].contains(" ops ") && lines[1].contains("riconciliazione") && lines[1].contains("HTTP 404"), lines[1]);
        final String[] json = run("deadletters", "list", "--data-dir", data.toString(), "--format", "json");
        assertEquals("0", json[0]);
        assertTrue(json[1].startsWith("{\"consegne_fallite\":[{\"id\":\""), json[1]);
        assertTrue(json[1].contains("\"sink\":\"ops\",\"regola\":\"riconciliazione\"") && json[1].contains("\"tentativi\":1"),
            json[1]);
    }

    @Test
    void shouldRedeliverOneOrAllAndDropThemFromTheList() throws Exception {
        final Path data = dir.resolve("data");
        final String url = server();
        DeadLettersFixture.deadLetter(data, "ops", url, 2);
        final String json = run("deadletters", "list", "--data-dir", data.toString(), "--format", "json")[1];
        final String firstId = json.substring(json.indexOf("\"id\":\"") + 6, json.indexOf("\"", json.indexOf("\"id\":\"") + 6));
        final Path config = configWithSink(url);

        final String[] stillFailing = run("deadletters", "redeliver", "--config", config.toString(), "--data-dir",
            data.toString(), "--id", firstId);
        assertEquals("1", stillFailing[0], stillFailing[1] + stillFailing[2]);
        assertTrue(stillFailing[2].contains(firstId + " not redelivered to ops: HTTP 404"), stillFailing[2]);

        status.set(200);
        received.clear();
        final String[] one = run("deadletters", "redeliver", "--config", config.toString(), "--data-dir", data.toString(),
            "--id", firstId);
        assertEquals("0", one[0], one[2]);
        assertTrue(one[1].contains(firstId + " redelivered to ops") && one[1].contains("1 of 1 redelivered"), one[1]);
        assertEquals(1, received.size());
        assertTrue(received.get(0).contains("\"regola\":\"riconciliazione\""), received.get(0));
        assertTrue(!run("deadletters", "list", "--data-dir", data.toString(), "--format", "json")[1].contains(firstId));

        final String[] rest = run("deadletters", "redeliver", "--config", config.toString(), "--data-dir", data.toString());
        assertEquals("0", rest[0], rest[2]);
        assertTrue(rest[1].contains("1 of 1 redelivered"), rest[1]);
        assertEquals("{\"consegne_fallite\":[]}\n",
            run("deadletters", "list", "--data-dir", data.toString(), "--format", "json")[1]);
        assertEquals("0", run("deadletters", "redeliver", "--config", config.toString(), "--data-dir", data.toString())[0]);
    }

    @Test
    void shouldExitTwoForAnUnknownIdABadFormatAMissingFolderOrAnUnconfiguredSink() throws Exception {
        final Path data = dir.resolve("data");
        DeadLettersFixture.deadLetter(data, "vecchio", server(), 1);
        final Path config = configWithSink(server());
        final String[] unknown = run("deadletters", "redeliver", "--config", config.toString(), "--data-dir",
            data.toString(), "--id", "nessuno");
        assertEquals("2", unknown[0]);
        assertTrue(unknown[2].contains("no dead letter with id nessuno"), unknown[2]);
        final String[] unconfigured = run("deadletters", "redeliver", "--config", config.toString(), "--data-dir",
            data.toString());
        assertEquals("1", unconfigured[0]);
        assertTrue(unconfigured[2].contains("sink 'vecchio' is not configured"), unconfigured[2]);
        assertEquals("2", run("deadletters", "list", "--data-dir", data.toString(), "--format", "xml")[0]);
        final String[] missing = run("deadletters", "list", "--data-dir", dir.resolve("nessuna").toString());
        assertEquals("2", missing[0]);
        assertTrue(missing[2].contains("no data folder"), missing[2]);
        assertEquals("no dead letters in " + dir + "\n", run("deadletters", "list", "--data-dir", dir.toString())[1]);
    }
}
