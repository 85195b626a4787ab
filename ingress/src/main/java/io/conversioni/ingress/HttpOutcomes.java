package io.conversioni.ingress;

import com.dslplatform.json.DslJson;
import com.dslplatform.json.JsonWriter;
import io.conversioni.json.JsonBuilder;
import io.conversioni.pipeline.EventView;
import io.conversioni.pipeline.Outcome;
import io.conversioni.pipeline.OutcomeJson;
import io.conversioni.pipeline.OutcomeListener;
import io.undertow.server.HttpServerExchange;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns each event's outcome into its HTTP answer, the object {@link OutcomeJson} writes. Runs on the engine's
 * respond thread (one thread, so its DSL-JSON writer is reused); writes the answer's bytes there, then hands
 * the send to the exchange's own IO thread. One shared instance for single events ({@code attachment} is the exchange)
 * and batches ({@code attachment} is a {@link BatchItem}).
 */
final class HttpOutcomes implements OutcomeListener {
    private final JsonWriter json = new DslJson<>().newWriter(4096);
    /** Respond thread only, as {@link #json}. */
    private final OutcomeJson answer = new OutcomeJson();
    private final long retryAfterSeconds;

    HttpOutcomes(final long retryAfterSeconds) {
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public void onOutcome(final EventView event, final Object attachment) {
        json.reset();
        answer.write(json, event);
        final byte[] bytes = Arrays.copyOf(json.getByteBuffer(), json.size());
        final int status = OutcomeJson.httpStatus(event);
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
            int length = 0;
            final int[] counts = new int[6];
            int duplicati = 0;
            for (int i = 0; i < results.length; i++) {
                length += results[i].length + 1;
                counts[bucket(statuses[i])]++;
                if (duplicates[i]) {
                    duplicati++;
                }
            }
            final JsonBuilder body = new JsonBuilder(128 + length).beginObject().field("eventi", results.length)
                .field("accettati", counts[0] - duplicati).field("duplicati", duplicati).field("rifiutati", counts[1])
                .field("non_disponibili", counts[2]).name("risultati").beginArray();
            for (byte[] result : results) {
                body.raw(result, result.length);
            }
            body.endArray().endObject();
            if (counts[2] > 0) {
                exchange.getResponseHeaders().put(Responses.RETRY_AFTER, retryAfterSeconds);
            }
            Responses.send(exchange, 200, body.toBytes());
        }

        private static int bucket(final int status) {
            return status == 202 ? 0 : status == 503 ? 2 : 1;
        }
    }
}
