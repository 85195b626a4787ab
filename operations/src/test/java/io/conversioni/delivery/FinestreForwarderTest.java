package io.conversioni.delivery;

import io.conversioni.testkit.Await;
import com.sun.net.httpserver.HttpServer;
import io.conversioni.config.EngineConfig;
import io.conversioni.operations.AlertRuntime;
import io.conversioni.pipeline.Engine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code delivery.finestre_webhook}: each closed window's results reach a real loopback webhook, once. */
@Timeout(60)
class FinestreForwarderTest {
    static final long T0 = Instant.parse("2024-05-20T14:32:45.123Z").toEpochMilli();

    @TempDir
    Path data;

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final List<String> received = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong now = new AtomicLong(T0 + 1_000);

    @AfterEach
    void stop() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private String webhook() throws Exception {
        final HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        s.createContext("/", ex -> {
            received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        s.start();
        cleanup.add(() -> s.stop(0));
        return "http://127.0.0.1:" + s.getAddress().getPort() + "/finestre";
    }

    private AlertRuntime runtime;

    /** Waits until the forwarder has looked {@code more} more times: what it would send by then, it has sent. */
    private void awaitLooks(final int more) {
        final FinestreForwarder forwarder = runtime.windowForwarder();
        final long target = forwarder.looks() + more;
        Await.until("the forwarder's next " + more + " looks", () -> forwarder.looks() >= target);
    }

    private Engine start(final String url) throws Exception {
        final EngineConfig config = EngineConfig.parse("pipeline:\n  heartbeat: 20ms\ndelivery:\n  finestre_webhook: " + url
            + "\n", Path.of("..", "config"));
        final Engine engine = Engine.create(config, data, now::get);
        runtime = AlertRuntime.start(config, data, engine);
        cleanup.add(engine);
        cleanup.add(runtime);
        engine.start();
        return engine;
    }

    private static void publish(final Engine engine, final long eventTime) throws InterruptedException {
        final byte[] body = ("{\"id_cliente\":\"CLIENTE-ROMA-000001\",\"evento\":\"acquisto_concluso\",\"timestamp\":\""
            + Instant.ofEpochMilli(eventTime) + "\",\"valore\":19.90,\"canale\":\"sms\",\"stato\":\"completato\"}")
            .getBytes(StandardCharsets.UTF_8);
        final CountDownLatch done = new CountDownLatch(1);
        assertTrue(engine.tryPublish(body, 0, body.length, (e, a) -> done.countDown(), null));
        assertTrue(done.await(10, TimeUnit.SECONDS));
    }

    private void await(final int count) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (received.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 15 s: " + count + " window messages, got " + received);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void shouldPostEachClosedWindowOnceAndResumeAfterARestart() throws Exception {
        final String url = webhook();
        Engine engine = start(url);
        awaitLooks(1); // the forwarder's first look: windows closing from now on are sent
        publish(engine, T0);
        now.set(T0 + 10 * 60_000); // heartbeats move the watermark past 14:35
        await(1);
        final String first = received.get(0);
        assertTrue(first.contains("\"finestre\":[{\"inizio\":\"2024-05-20T14:30:00Z\",\"fine\":\"2024-05-20T14:35:00Z\","
            + "\"chiusa\":true"), first);
        assertTrue(first.contains("\"chiave\":\"sms\",\"accettati\":1"), first);
        awaitLooks(2);
        assertEquals(1, received.size(), "empty windows are not sent, and no window twice");

        stop();
        cleanup.clear();
        received.clear();
        final String url2 = webhook();
        engine = start(url2);
        now.set(T0 + 12 * 60_000 + 1_000);
        publish(engine, T0 + 12 * 60_000); // the 14:40 window
        now.set(T0 + 20 * 60_000);
        await(1);
        assertTrue(received.get(0).contains("\"inizio\":\"2024-05-20T14:40:00Z\""), received.get(0));
        awaitLooks(2);
        assertEquals(1, received.size(), "the 14:30 window was not sent again after the restart");
    }
}
