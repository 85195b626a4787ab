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
    /** Bytes of room a single event's answer gets before its result is known: an accepted event's answer is ~100. */
    static final int ANSWER_ROOM = 256;
    /** Bytes of a batch's arena per event: most results are accepted ones (~100 bytes); the arena grows past it. */
    static final int BATCH_RESULT_ROOM = 128;

    private final JsonWriter json = new DslJson<>().newWriter(4096);
    /** Respond thread only, as {@link #json}. */
    private final OutcomeJson answer = new OutcomeJson();
    private final long retryAfterSeconds;
    private final AnswerHandoff handoff;

    /** @param ioThreads the server's IO threads (their numbers index the single events' handoff lanes) */
    HttpOutcomes(final long retryAfterSeconds, final int ioThreads) {
        this.retryAfterSeconds = retryAfterSeconds;
        this.handoff = new AnswerHandoff(ioThreads);
    }

    @Override
    public void onOutcome(final EventView event, final Object attachment) {
        json.reset();
        answer.write(json, event);
        final int status = OutcomeJson.httpStatus(event);
        if (attachment instanceof Single) {
            final Single single = (Single) attachment;
            single.answer(json.getByteBuffer(), json.size(), status, retryAfterSeconds);
            handoff.send(single.exchange, single);
        } else if (attachment instanceof BatchItem) {
            final BatchItem item = (BatchItem) attachment;
            item.batch.completeCopy(item.index, json.getByteBuffer(), json.size(), status,
                event.durable() && event.outcome() == Outcome.DUPLICATE);
        }
    }

    /**
     * One single event's answer, made on its exchange's IO thread when the event is published, with room for the
     * usual answer: the respond thread writes the answer into it and hands it back to that IO thread to send
     * ({@link AnswerHandoff}), so the respond thread allocates nothing for it (an answer longer than the room, a
     * refusal with many errors, gets an array of its own).
     */
    static final class Single implements Runnable {
        private final HttpServerExchange exchange;
        private byte[] bytes = new byte[ANSWER_ROOM];
        private int length;
        private int status;
        private long retryAfterSeconds;

        Single(final HttpServerExchange exchange) {
            this.exchange = exchange;
        }

        /** On the respond thread, before the handoff: the answer is the first {@code size} bytes of {@code answer}. */
        void answer(final byte[] answer, final int size, final int status, final long retryAfterSeconds) {
            if (size > bytes.length) {
                bytes = new byte[size];
            }
            System.arraycopy(answer, 0, bytes, 0, size);
            this.length = size;
            this.status = status;
            this.retryAfterSeconds = retryAfterSeconds;
        }

        /** On the exchange's IO thread. */
        @Override
        public void run() {
            if (status == 503) {
                exchange.getResponseHeaders().put(Responses.RETRY_AFTER, retryAfterSeconds);
            }
            Responses.send(exchange, status, bytes, length);
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
        /**
         * The results the respond thread wrote ({@link #completeCopy}), end to end, and where each lies; written by
         * the respond thread only, read by the IO thread once {@link #remaining} reaches 0 (its decrement publishes
         * them). A result another thread gives ({@link #complete}) lies in {@link #results} instead.
         */
        private byte[] arena;
        private int arenaSize;
        private final int[] offsets;
        private final int[] lengths;
        private final AtomicInteger remaining;
        private final long retryAfterSeconds;

        /** @param retryAfterSeconds sent as Retry-After when any event was refused for capacity (503) */
        Batch(final HttpServerExchange exchange, final int size, final long retryAfterSeconds) {
            this.exchange = exchange;
            this.retryAfterSeconds = retryAfterSeconds;
            this.results = new byte[size][];
            this.statuses = new int[size];
            this.duplicates = new boolean[size];
            this.arena = new byte[size * BATCH_RESULT_ROOM];
            this.offsets = new int[size];
            this.lengths = new int[size];
            this.remaining = new AtomicInteger(size);
        }

        /**
         * On the respond thread: event {@code index}'s result is the first {@code length} bytes of {@code result},
         * copied into the batch's arena (which grows, doubling, only when the results outrun its room).
         */
        void completeCopy(final int index, final byte[] result, final int length, final int status,
                          final boolean duplicate) {
            if (arenaSize + length > arena.length) {
                arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaSize + length));
            }
            System.arraycopy(result, 0, arena, arenaSize, length);
            offsets[index] = arenaSize;
            lengths[index] = length;
            arenaSize += length;
            complete(index, null, status, duplicate);
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
                length += (results[i] != null ? results[i].length : lengths[i]) + 1;
                counts[bucket(statuses[i])]++;
                if (duplicates[i]) {
                    duplicati++;
                }
            }
            final JsonBuilder body = new JsonBuilder(128 + length).beginObject().field("eventi", results.length)
                .field("accettati", counts[0] - duplicati).field("duplicati", duplicati).field("rifiutati", counts[1])
                .field("non_disponibili", counts[2]).name("risultati").beginArray();
            for (int i = 0; i < results.length; i++) {
                if (results[i] != null) {
                    body.raw(results[i], results[i].length);
                } else {
                    body.raw(arena, offsets[i], lengths[i]);
                }
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
