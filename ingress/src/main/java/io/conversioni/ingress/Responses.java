package io.conversioni.ingress;

import io.conversioni.json.JsonBuilder;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Small helpers for JSON error answers. Stateless; any thread that owns the exchange. */
final class Responses {
    static final String JSON = "application/json";
    static final HttpString RETRY_AFTER = new HttpString("Retry-After");

    private Responses() {
    }

    /** Sends {@code {"esito":"errore","codice":code,"messaggio":message}} with {@code status}. */
    static void error(final HttpServerExchange exchange, final int status, final String code, final String message) {
        send(exchange, status, new JsonBuilder(128 + message.length()).beginObject().field("esito", "errore")
            .field("codice", code).field("messaggio", message).endObject().toBytes());
    }

    static void send(final HttpServerExchange exchange, final int status, final String json) {
        send(exchange, status, json.getBytes(StandardCharsets.UTF_8));
    }

    static void send(final HttpServerExchange exchange, final int status, final byte[] json) {
        send(exchange, status, json, json.length);
    }

    /** The first {@code length} bytes of {@code json}. */
    static void send(final HttpServerExchange exchange, final int status, final byte[] json, final int length) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, JSON);
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(ByteBuffer.wrap(json, 0, length));
    }
}
