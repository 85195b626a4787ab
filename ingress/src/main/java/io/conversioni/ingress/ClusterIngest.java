package io.conversioni.ingress;

import io.conversioni.cluster.ClusterPublisher;
import io.conversioni.cluster.VerdictListener;
import io.conversioni.config.EngineConfig;
import io.conversioni.event.ConversionEvent;
import io.conversioni.event.EventDecoder;
import io.conversioni.json.JsonBuilder;
import io.conversioni.schema.Violations;
import io.undertow.server.HttpServerExchange;
import org.xnio.XnioIoThread;

import java.util.Arrays;

/**
 * The ingest handler's cluster route: an event body is validated here, on the receiving node, with the engine's
 * own compiled schema and depth limit (a decoder per IO thread, like the decode stage's); a valid one is produced
 * to Kafka ({@link ClusterPublisher}) and answered with its owner's verdict; an invalid one is left to the caller,
 * which publishes it into the local engine exactly as a single node does (quarantined, answered 400, never in
 * Kafka). The verdict, or its absence ({@code UNAVAILABLE}, {@code NO_VERDICT}: 503 + Retry-After), is written on
 * the exchange's IO thread, for a single event, or into the batch's result.
 *
 * <p>Built only in cluster mode: a single node never loads this class, so no Kafka class is touched on its path.
 * Threading: {@link #route} from IO threads (each has its own decoder, at its XNIO thread number, touched only
 * by it; another thread gets one of its own per call), {@link #onResult} from the publisher's threads. Allocation
 * per routed event: the record key, the value when the event is part of a batch, and the producer's own.
 */
final class ClusterIngest implements VerdictListener {
    /** {@link #route}: the event failed validation; publish it into the local engine. */
    static final int INVALID = 0;
    /** {@link #route}: produced; the listener answers. */
    static final int PUBLISHED = 1;
    /** {@link #route}: refused at once (broker unreachable, buffer or table full): answer 503 now. */
    static final int REFUSED = 2;

    static final String KAFKA_UNAVAILABLE = "kafka_non_disponibile";
    static final String NO_VERDICT = "verdetto_scaduto";
    static final String KAFKA_UNAVAILABLE_MESSAGE = "the cluster's Kafka log cannot take the event now (broker "
        + "unreachable or producer buffer full); it was not stored: retry after the delay in Retry-After";
    static final String NO_VERDICT_MESSAGE = "the event's owner gave no verdict within cluster.verdict_timeout; retry "
        + "after the delay in Retry-After (if it did arrive, the retry is answered as a duplicate)";

    private static final byte[] KAFKA_UNAVAILABLE_RESULT = nonDisponibile(KAFKA_UNAVAILABLE_MESSAGE);
    private static final byte[] NO_VERDICT_RESULT = nonDisponibile(NO_VERDICT_MESSAGE);
    private static final byte[] DUPLICATO = "{\"esito\":\"duplicato\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final ClusterPublisher publisher;
    private final EngineConfig config;
    private final long retryAfterSeconds;
    /** At each IO thread's number; slot i written by thread i only. */
    private final Validation[] byIoThread;

    ClusterIngest(final ClusterPublisher publisher, final EngineConfig config, final int ioThreads,
                  final long retryAfterSeconds) {
        this.publisher = publisher;
        this.config = config;
        this.retryAfterSeconds = retryAfterSeconds;
        this.byIoThread = new Validation[ioThreads];
    }

    /**
     * Validates {@code body[offset, offset + length)} and, when valid, produces it with {@code attachment} (the
     * exchange, or a batch item) waiting for its verdict. Never waits.
     *
     * @return {@link #INVALID}, {@link #PUBLISHED} or {@link #REFUSED}
     */
    int route(final HttpServerExchange exchange, final byte[] body, final int offset, final int length,
              final Object attachment) {
        final Validation v = validation(exchange);
        if (!v.decoder.decode(body, offset, length, v.event, v.violations)
            || v.event.length(ConversionEvent.ID_CLIENTE) == 0) {
            return INVALID;
        }
        final int keyOffset = v.event.offset(ConversionEvent.ID_CLIENTE);
        final byte[] key = Arrays.copyOfRange(v.event.bytes(ConversionEvent.ID_CLIENTE), keyOffset,
            keyOffset + v.event.length(ConversionEvent.ID_CLIENTE));
        final byte[] value = offset == 0 && length == body.length ? body : Arrays.copyOfRange(body, offset, offset + length);
        return publisher.tryPublish(key, value, this, attachment) ? PUBLISHED : REFUSED;
    }

    private Validation validation(final HttpServerExchange exchange) {
        if (!exchange.isInIoThread()) {
            return new Validation(config);
        }
        final XnioIoThread thread = exchange.getIoThread();
        final int n = thread.getNumber();
        if (n < 0 || n >= byIoThread.length) {
            return new Validation(config);
        }
        Validation v = byIoThread[n];
        if (v == null) {
            v = new Validation(config);
            byIoThread[n] = v;
        }
        return v;
    }

    @Override
    public void onResult(final Result result, final int httpStatus, final byte[] answer, final Object attachment) {
        if (attachment instanceof HttpServerExchange) {
            final HttpServerExchange exchange = (HttpServerExchange) attachment;
            exchange.getIoThread().execute(() -> answer(exchange, result, httpStatus, answer));
        } else if (attachment instanceof HttpOutcomes.BatchItem) {
            final HttpOutcomes.BatchItem item = (HttpOutcomes.BatchItem) attachment;
            switch (result) {
                case VERDICT -> item.complete(answer, httpStatus, startsWith(answer, DUPLICATO));
                case UNAVAILABLE -> item.complete(KAFKA_UNAVAILABLE_RESULT, 503);
                default -> item.complete(NO_VERDICT_RESULT, 503);
            }
        }
    }

    /** On the exchange's IO thread. */
    private void answer(final HttpServerExchange exchange, final Result result, final int httpStatus,
                        final byte[] answer) {
        if (result == Result.VERDICT) {
            if (httpStatus == 503) {
                exchange.getResponseHeaders().put(Responses.RETRY_AFTER, retryAfterSeconds);
            }
            Responses.send(exchange, httpStatus, answer);
            return;
        }
        exchange.getResponseHeaders().put(Responses.RETRY_AFTER, retryAfterSeconds);
        if (result == Result.UNAVAILABLE) {
            Responses.error(exchange, 503, "kafka_non_disponibile", KAFKA_UNAVAILABLE_MESSAGE);
        } else {
            Responses.error(exchange, 503, "verdetto_scaduto", NO_VERDICT_MESSAGE);
        }
    }

    /** A batch item refused at once ({@link #REFUSED}). */
    static void refused(final HttpOutcomes.BatchItem item) {
        item.complete(KAFKA_UNAVAILABLE_RESULT, 503);
    }

    private static boolean startsWith(final byte[] answer, final byte[] prefix) {
        return answer != null && answer.length >= prefix.length
            && Arrays.equals(answer, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] nonDisponibile(final String message) {
        return new JsonBuilder(64 + message.length()).beginObject().field("esito", "non_disponibile")
            .field("messaggio", message).endObject().toBytes();
    }

    /** One thread's decoder and its scratch holders. */
    private static final class Validation {
        final EventDecoder decoder;
        final ConversionEvent event = new ConversionEvent();
        final Violations violations = new Violations();

        Validation(final EngineConfig config) {
            this.decoder = config.schema().newDecoder(config.maxDepth());
        }
    }
}
