package io.conversioni.ingress;

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
        send(exchange, status, "{\"esito\":\"errore\",\"codice\":" + quote(code) + ",\"messaggio\":" + quote(message) + "}");
    }

    static void send(final HttpServerExchange exchange, final int status, final String json) {
        send(exchange, status, json.getBytes(StandardCharsets.UTF_8));
    }

    static void send(final HttpServerExchange exchange, final int status, final byte[] json) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, JSON);
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(ByteBuffer.wrap(json));
    }

    /** A JSON string literal. */
    static String quote(final String s) {
        final StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }
}
