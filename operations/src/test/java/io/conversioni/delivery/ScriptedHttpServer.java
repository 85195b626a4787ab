package io.conversioni.delivery;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on 127.0.0.1 and a free port (the JDK's), answering each request with the next
 * scripted reply (the last one repeats), and recording what it received and when.
 */
final class ScriptedHttpServer implements AutoCloseable {
    record Reply(int status, String retryAfter, long delayMillis) {
        static Reply ok() {
            return new Reply(200, null, 0);
        }

        static Reply status(final int status) {
            return new Reply(status, null, 0);
        }
    }

    record Received(long atMillis, String body, Map<String, List<String>> headers) {
        String header(final String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private volatile Reply last = Reply.ok();
    final List<Received> received = java.util.Collections.synchronizedList(new ArrayList<>());

    ScriptedHttpServer(final Reply... replies) throws IOException {
        script.addAll(List.of(replies));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Replaces the remaining script. */
    void then(final Reply... replies) {
        script.clear();
        script.addAll(List.of(replies));
        if (replies.length > 0) {
            last = replies[replies.length - 1];
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    private void handle(final HttpExchange exchange) throws IOException {
        final String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.add(new Received(System.currentTimeMillis(), body, Map.copyOf(exchange.getRequestHeaders())));
        Reply reply = script.poll();
        if (reply == null) {
            reply = last;
        } else if (script.isEmpty()) {
            last = reply;
        }
        if (reply.delayMillis > 0) {
            try {
                Thread.sleep(reply.delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (reply.retryAfter != null) {
            exchange.getResponseHeaders().add("Retry-After", reply.retryAfter);
        }
        final byte[] answer = (reply.status == 200 ? "ok" : "no").getBytes(StandardCharsets.UTF_8);
        try {
            exchange.sendResponseHeaders(reply.status, answer.length);
            exchange.getResponseBody().write(answer);
        } catch (IOException clientGone) {
            // the client timed out first: that is what the reply was for
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
