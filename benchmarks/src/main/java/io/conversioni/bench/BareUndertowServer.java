package io.conversioni.bench;

import io.undertow.Undertow;
import io.undertow.util.Headers;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP ceiling peer: a bare Undertow handler that reads the whole body and answers 202 with a
 * small JSON, nothing else (no auth, no validation, no journal). Run it beside {@code conversioni serve
 * --http-port} and drive both with the same load to get the ratio. Usage: {@code java -cp
 * benchmarks.jar io.conversioni.bench.BareUndertowServer PORT [IO_THREADS]}; port 0 takes a free one.
 * It prints {@code bare Undertow on http://127.0.0.1:PORT} with the bound port once it listens.
 */
public final class BareUndertowServer {
    private static final byte[] ANSWER = "{\"esito\":\"accettato\",\"sequenza\":0,\"finestra\":\"2024-05-20T14:30:00Z\"}"
        .getBytes(StandardCharsets.US_ASCII);

    private BareUndertowServer() {
    }

    public static void main(final String[] args) {
        final int port = Integer.parseInt(args[0]);
        final int ioThreads = args.length > 1 ? Integer.parseInt(args[1]) : Math.max(2, Runtime.getRuntime().availableProcessors());
        final Undertow server = Undertow.builder().setIoThreads(ioThreads).addHttpListener(port, "127.0.0.1")
            .setHandler(exchange -> exchange.getRequestReceiver().receiveFullBytes((ex, body) -> {
                ex.setStatusCode(202);
                ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
                ex.getResponseSender().send(ByteBuffer.wrap(ANSWER));
            })).build();
        server.start();
        final int bound = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        System.out.println("bare Undertow on http://127.0.0.1:" + bound);
    }
}
