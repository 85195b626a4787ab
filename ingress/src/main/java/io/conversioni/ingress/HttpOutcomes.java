package io.conversioni.ingress;

import com.dslplatform.json.DslJson;
import com.dslplatform.json.JsonWriter;
import com.dslplatform.json.NumberConverter;
import io.conversioni.json.UtcInstant;
import io.conversioni.pipeline.EventView;
import io.conversioni.pipeline.Outcome;
import io.conversioni.pipeline.OutcomeListener;
import io.undertow.server.HttpServerExchange;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns each event's outcome into its HTTP answer. Runs on the engine's respond thread (one thread, so
 * its DSL-JSON writer is reused); writes the answer's bytes there, then hands the send to the
 * exchange's own IO thread. One shared instance for single events ({@code attachment} is the exchange)
 * and batches ({@code attachment} is a {@link BatchItem}).
 */
final class HttpOutcomes implements OutcomeListener {
    private final JsonWriter json = new DslJson<>().newWriter(4096);
    /** Respond thread only: where instants are formatted before they are copied into {@link #json}. */
    private final byte[] instant = new byte[UtcInstant.MAX_LENGTH];
    private final long retryAfterSeconds;

    HttpOutcomes(final long retryAfterSeconds) {
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public void onOutcome(final EventView event, final Object attachment) {
        json.reset();
        writeResult(json, event);
        final byte[] bytes = Arrays.copyOf(json.getByteBuffer(), json.size());
        final int status = statusOf(event);
        if (attachment instanceof HttpServerExchange) {
            final HttpServerExchange exchange = (HttpServerExchange) attachment;
            exchange.getIoThread().execute(() -> {
                if (status == 503) {
                    exchange.getResponseHeaders().put(Responses.RETRY_AFTER, retryAfterSeconds);
                }
                Responses.send(exchange, status, bytes);
            });
        } else if (attachment instanceof BatchItem) {
            ((BatchItem) attachment).complete(bytes, status, event.durable() && event.outcome() == Outcome.DUPLICATE);
        }
    }

    /** The HTTP status for an outcome; 503 when the journal could not make it durable. */
    static int statusOf(final EventView event) {
        return event.durable() ? Outcome.httpStatus(event.outcome()) : 503;
    }

    /** One event's answer object (the same shape alone and inside a batch). Respond thread; no allocation. */
    void writeResult(final JsonWriter out, final EventView e) {
        final int outcome = e.durable() ? e.outcome() : Outcome.JOURNAL_FAILED;
        out.writeAscii("{\"esito\":\"");
        out.writeAscii(Outcome.esito(outcome));
        out.writeAscii("\"");
        if (outcome != Outcome.JOURNAL_FAILED) {
            out.writeAscii(",\"sequenza\":");
            NumberConverter.serialize(e.sequence(), out);
        }
        switch (outcome) {
            case Outcome.ACCEPTED:
                instantField(out, "finestra", e.windowStartMillis());
                if (e.late()) {
                    out.writeAscii(",\"finestra_chiusa\":true");
                }
                break;
            case Outcome.DUPLICATE:
                out.writeAscii(",\"duplicato_di\":");
                NumberConverter.serialize(e.duplicateOfSequence(), out);
                instantField(out, "ricevuto_il", e.duplicateOfReceiveMillis());
                instantField(out, "finestra", e.windowStartMillis());
                break;
            case Outcome.REJECTED:
                out.writeAscii(",\"errori\":");
                e.violations().writeJson(out);
                break;
            case Outcome.FUTURE:
                out.writeAscii(",\"errori\":[{\"campo\":\"/timestamp\",\"codice\":\"nel_futuro\",\"messaggio\":"
                    + "\"the event is dated further in the future than windows.future_tolerance allows; check the "
                    + "sender's clock (NTP)\"}]");
                break;
            case Outcome.TOO_LATE:
                out.writeAscii(",\"errori\":[{\"campo\":\"/timestamp\",\"codice\":\"troppo_vecchio\",\"messaggio\":"
                    + "\"the event is older than the windows kept (windows.horizon): it is journaled but counted in no "
                    + "window; it is not quarantined, so requeue does not offer it; do not retry it, reconcile it offline "
                    + "if needed\"}]");
                break;
            case Outcome.JOURNAL_FAILED:
                out.writeAscii(",\"messaggio\":\"the journal could not store the event durably; retry later (a retry of "
                    + "an event that did arrive is answered as a duplicate)\"");
                break;
            default:
                out.writeAscii(",\"messaggio\":\"the event could not be processed; retry later\"");
        }
        out.writeByte(JsonWriter.OBJECT_END);
    }

    /** {@code ,"name":"2026-11-28T15:25:00Z"}, as {@code Instant.toString()} writes it, without allocating. */
    private void instantField(final JsonWriter out, final String name, final long epochMillis) {
        out.writeAscii(",\"");
        out.writeAscii(name);
        out.writeAscii("\":\"");
        out.writeAscii(instant, UtcInstant.format(instant, 0, epochMillis));
        out.writeByte(JsonWriter.QUOTE);
    }

    /** One event of a batch: where its result goes. */
    static final class BatchItem {
        final Batch batch;
        final int index;

        BatchItem(final Batch batch, final int index) {
            this.batch = batch;
            this.index = index;
        }

        /** A result that is not a duplicate (the refusals the IO thread answers itself). */
        void complete(final byte[] result, final int status) {
            batch.complete(index, result, status, false);
        }

        void complete(final byte[] result, final int status, final boolean duplicate) {
            batch.complete(index, result, status, duplicate);
        }
    }

    /**
     * The results of one batch request, answered in order once the last one arrives. Results arrive on
     * the respond thread (and, for refused items, on the IO thread): the counter orders them. The summary
     * counts as {@code /api/v1/metriche} does: {@code accettati} are new events, {@code duplicati} apart.
     */
    static final class Batch {
        private final HttpServerExchange exchange;
        private final byte[][] results;
        private final int[] statuses;
        private final boolean[] duplicates;
        private final AtomicInteger remaining;
        private final long retryAfterSeconds;

        /** @param retryAfterSeconds sent as Retry-After when any event was refused for capacity (503) */
        Batch(final HttpServerExchange exchange, final int size, final long retryAfterSeconds) {
            this.exchange = exchange;
            this.retryAfterSeconds = retryAfterSeconds;
            this.results = new byte[size][];
            this.statuses = new int[size];
            this.duplicates = new boolean[size];
            this.remaining = new AtomicInteger(size);
        }

        void complete(final int index, final byte[] result, final int status, final boolean duplicate) {
            results[index] = result;
            statuses[index] = status;
            duplicates[index] = duplicate;
            if (remaining.decrementAndGet() == 0) {
                exchange.getIoThread().execute(this::send);
            }
        }

        private void send() {
            int length = 64;
            final int[] counts = new int[6];
            int duplicati = 0;
            for (int i = 0; i < results.length; i++) {
                length += results[i].length + 1;
                counts[bucket(statuses[i])]++;
                if (duplicates[i]) {
                    duplicati++;
                }
            }
            final StringBuilder head = new StringBuilder(112).append("{\"eventi\":").append(results.length)
                .append(",\"accettati\":").append(counts[0] - duplicati).append(",\"duplicati\":").append(duplicati)
                .append(",\"rifiutati\":").append(counts[1])
                .append(",\"non_disponibili\":").append(counts[2]).append(",\"risultati\":[");
            final byte[] headBytes = head.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            final byte[] body = new byte[headBytes.length + length];
            System.arraycopy(headBytes, 0, body, 0, headBytes.length);
            int p = headBytes.length;
            for (int i = 0; i < results.length; i++) {
                if (i > 0) {
                    body[p++] = ',';
                }
                System.arraycopy(results[i], 0, body, p, results[i].length);
                p += results[i].length;
            }
            body[p++] = ']';
            body[p++] = '}';
            if (counts[2] > 0) {
                exchange.getResponseHeaders().put(Responses.RETRY_AFTER, retryAfterSeconds);
            }
            Responses.send(exchange, 200, Arrays.copyOf(body, p));
        }

        private static int bucket(final int status) {
            return status == 202 ? 0 : status == 503 ? 2 : 1;
        }
    }
}
