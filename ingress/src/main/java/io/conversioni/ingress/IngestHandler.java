package io.conversioni.ingress;

import io.conversioni.ingress.auth.Scopes;
import io.conversioni.json.JsonBuilder;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.OutcomeListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * {@code POST /api/v1/eventi/conversione} (one event) and {@code .../batch} (NDJSON or a JSON array).
 * On the IO thread: checks readiness, token (scope {@code eventi:scrivi}, header only), media type and size, reads the body without blocking (within
 * {@code server.body_timeout}), publishes to the ring and returns; the answer is written later by
 * {@link HttpOutcomes}, after the journal. A refusal before the body drops the body first ({@link UnreadBody}).
 * A full ring, a caller over its {@link FairShare} of a nearly full one, or an event that would wait past
 * {@code server.max_queue_wait} is a 503 with Retry-After at once. In cluster mode ({@link ClusterIngest}, null
 * on a single node) a valid event goes to Kafka instead and is answered with its owner's verdict; an invalid one
 * takes the local path above. Thread-safe; allocates per request (Undertow does too), never per byte.
 */
final class IngestHandler implements HttpHandler {
    private static final String JSON = "application/json";
    private static final String NDJSON = "application/x-ndjson";

    private final Engine engine;
    private final RouteGuard guard;
    private final RateLimiter limiter;
    private final HttpOutcomes outcomes;
    private final ServerSettings settings;
    private final boolean batch;
    private final BooleanSupplier draining;
    private final StageWakes wakes;
    private final FairShare fairShare;
    /** Whether the node takes events: the engine recovered and, in cluster mode, its Kafka parts running. */
    private final BooleanSupplier ready;
    /** Null on a single node. */
    private final ClusterIngest cluster;

    IngestHandler(final Engine engine, final RouteGuard guard, final RateLimiter limiter, final HttpOutcomes outcomes,
                  final ServerSettings settings, final boolean batch, final BooleanSupplier draining, final StageWakes wakes,
                  final FairShare fairShare, final BooleanSupplier ready, final ClusterIngest cluster) {
        this.engine = engine;
        this.ready = ready;
        this.cluster = cluster;
        this.wakes = wakes;
        this.fairShare = fairShare;
        this.guard = guard;
        this.limiter = limiter;
        this.outcomes = outcomes;
        this.settings = settings;
        this.batch = batch;
        this.draining = draining;
    }

    @Override
    public void handleRequest(final HttpServerExchange exchange) throws Exception {
        if (draining.getAsBoolean() || !ready.getAsBoolean()) {
            final String message = draining.getAsBoolean()
                ? "the server is shutting down; retry against another instance or later"
                : cluster == null ? "the engine is still recovering its state from the journal; retry shortly"
                : "the node is still recovering its state or joining the cluster; retry shortly";
            refuse(exchange, ex -> unavailable(ex, "not_ready", message));
            return;
        }
        final Authenticator.Verdict verdict = guard.check(exchange, Scopes.EVENTI_SCRIVI, false, this::refuse);
        if (verdict == null) {
            return;
        }
        final String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (!acceptable(type)) {
            refuse(exchange, ex -> Responses.error(ex, 415, "media_type", batch
                ? "send Content-Type: application/x-ndjson (one event per line) or application/json (an array of events)"
                : "send Content-Type: application/json"));
            return;
        }
        final String encoding = exchange.getRequestHeaders().getFirst(Headers.CONTENT_ENCODING);
        if (encoding != null && !"identity".equalsIgnoreCase(encoding.trim())) {
            // a compressed body would reach the journal as malformed JSON: refuse it before reading (RFC 7694)
            exchange.getResponseHeaders().put(Headers.ACCEPT_ENCODING, "identity");
            refuse(exchange, ex -> Responses.error(ex, 415, "content_encoding", "Content-Encoding '" + encoding
                + "' is not supported: send the body uncompressed"));
            return;
        }
        final long max = batch ? settings.maxBatchBytes : engine.maxBodyBytes();
        final long length = exchange.getRequestContentLength();
        if (length > max) {
            refuse(exchange, ex -> tooLarge(ex, max));
            return;
        }
        final String caller = callerKey(verdict.subject(), exchange);
        final boolean ndjson = batch && startsWithIgnoreCase(type, NDJSON);
        FullBody.receive(exchange, max, settings.bodyTimeoutMillis, (ex, body) -> onBody(ex, body, caller, ndjson),
            (ex, error) -> onError(ex, error, max));
    }

    /**
     * Whose share of the rate and of the ring an event counts against: the token's subject, or, for a token
     * without one (or with an empty one), the token itself, so that such tokens do not pool into one bucket.
     */
    static String callerKey(final String subject, final String authorization) {
        return subject == null || subject.isEmpty() ? authorization : subject;
    }

    /** {@link #callerKey(String, String)}, reading the Authorization header again only when there is no subject. */
    private static String callerKey(final String subject, final HttpServerExchange exchange) {
        return subject == null || subject.isEmpty()
            ? callerKey(subject, exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION)) : subject;
    }

    /**
     * Answers a request refused before its body: the body is dropped first (within server.body_timeout), so that a
     * sender that writes it all before reading still reads the answer; then the connection closes.
     */
    private void refuse(final HttpServerExchange exchange, final HttpHandler answer) throws Exception {
        UnreadBody.discardThenAnswer(exchange, settings.bodyTimeoutMillis, answer);
    }

    private boolean acceptable(final String type) {
        return startsWithIgnoreCase(type, JSON) || (batch && startsWithIgnoreCase(type, NDJSON));
    }

    /** As {@code type.toLowerCase().startsWith(prefix)} for a lower-case {@code prefix}, without the copy. */
    private static boolean startsWithIgnoreCase(final String type, final String prefix) {
        return type != null && type.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    private void onBody(final HttpServerExchange exchange, final byte[] body, final String caller, final boolean ndjson) {
        final long now = System.nanoTime();
        if (engine.oldestWaitNanos(now) > settings.maxQueueWaitNanos) {
            // an event published now would wait behind one already older than the bound: shed it instead
            unavailable(exchange, "overloaded", "the engine is behind by more than server.max_queue_wait; retry after "
                + "the delay in Retry-After");
            return;
        }
        if (!batch) {
            if (!limiter.tryAcquire(caller, 1, now)) {
                tooMany(exchange, 1);
                return;
            }
            if (cluster != null) {
                final int routed = cluster.route(exchange, body, 0, body.length, exchange);
                if (routed == ClusterIngest.PUBLISHED) {
                    awaitAnswer(exchange);
                    return;
                }
                if (routed == ClusterIngest.REFUSED) {
                    unavailable(exchange, "kafka_non_disponibile", ClusterIngest.KAFKA_UNAVAILABLE_MESSAGE);
                    return;
                }
            }
            final OutcomeListener listener = fairShare.admit(caller);
            if (listener != null
                && wakes.tryPublish(exchange, body, 0, body.length, listener, new HttpOutcomes.Single(exchange))) {
                awaitAnswer(exchange);
                return;
            }
            FairShare.refund(listener);
            unavailable(exchange, "ring_full", "the engine is at capacity; retry after the delay in Retry-After");
            return;
        }
        final BatchSplitter.Items items = BatchSplitter.split(body, ndjson, settings.maxBatchEvents);
        if (items.error() != null) {
            Responses.error(exchange, items.tooMany() ? 413 : 400, items.tooMany() ? "batch_too_large" : "batch_malformed",
                items.error());
            return;
        }
        if (items.count() == 0) {
            Responses.error(exchange, 400, "batch_empty", "the batch holds no event");
            return;
        }
        if (limiter.enabled() && items.count() > settings.rateBurst) {
            // the bucket never holds that many: a 429 would be retried forever
            Responses.error(exchange, 413, "batch_too_large", "the batch holds " + items.count() + " events, more than "
                + "the " + settings.rateBurst + " a token may send at once (server.rate_burst); split it");
            return;
        }
        if (!limiter.tryAcquire(caller, items.count(), now)) {
            tooMany(exchange, items.count());
            return;
        }
        awaitAnswer(exchange);
        final HttpOutcomes.Batch results = new HttpOutcomes.Batch(exchange, items.count(), settings.retryAfterSeconds);
        if (cluster == null) {
            publishRuns(exchange, body, items, results, caller);
            return;
        }
        final int maxEventBytes = engine.maxBodyBytes();
        for (int i = 0; i < items.count(); i++) {
            final HttpOutcomes.BatchItem item = new HttpOutcomes.BatchItem(results, i);
            if (items.length(i) > maxEventBytes) {
                item.complete(tooLargeResult(maxEventBytes), 413); // the limit of a single event holds in a batch too
                continue;
            }
            final int routed = cluster.route(exchange, body, items.start(i), items.length(i), item);
            if (routed == ClusterIngest.PUBLISHED) {
                continue;
            }
            if (routed == ClusterIngest.REFUSED) {
                ClusterIngest.refused(item);
                continue;
            }
            final OutcomeListener listener = fairShare.admit(caller);
            if (listener == null || !wakes.tryPublish(exchange, body, items.start(i), items.length(i), listener, item)) {
                FairShare.refund(listener);
                item.complete(RING_FULL_RESULT, 503);
            }
        }
    }

    /**
     * A single node's batch: the events that fit the size limit go to the ring in runs of consecutive slots (one
     * claim, one publish and no wake of their own per run, {@link StageWakes#tryPublishRun}), as many per run as
     * {@link FairShare#admitRun} lets in; those that do not fit the ring, or the caller's share, are answered 503
     * ({@code non_disponibile}) in the batch's results, as the rest of the batch goes on.
     */
    private void publishRuns(final HttpServerExchange exchange, final byte[] body, final BatchSplitter.Items items,
                             final HttpOutcomes.Batch results, final String caller) {
        final int maxEventBytes = engine.maxBodyBytes();
        final int count = items.count();
        // the events to publish, packed: a too-large one in the middle does not cut the run
        final int[] starts = new int[count];
        final int[] lengths = new int[count];
        final HttpOutcomes.BatchItem[] pending = new HttpOutcomes.BatchItem[count];
        int runnable = 0;
        for (int i = 0; i < count; i++) {
            final HttpOutcomes.BatchItem item = new HttpOutcomes.BatchItem(results, i);
            if (items.length(i) > maxEventBytes) {
                item.complete(tooLargeResult(maxEventBytes), 413); // the limit of a single event holds in a batch too
                continue;
            }
            starts[runnable] = items.start(i);
            lengths[runnable] = items.length(i);
            pending[runnable++] = item;
        }
        int next = 0;
        while (next < runnable) {
            final FairShare.Admitted admitted = fairShare.admitRun(caller, runnable - next);
            if (admitted == null) {
                break;
            }
            final int published = wakes.tryPublishRun(exchange, body, starts, lengths, next, admitted.count(),
                admitted.listener(), pending);
            next += published;
            if (published < admitted.count()) {
                FairShare.refund(admitted.listener(), admitted.count() - published);
                break;
            }
        }
        for (; next < runnable; next++) {
            pending[next].complete(RING_FULL_RESULT, 503);
        }
    }

    /**
     * The answer comes later from another thread: mark the exchange dispatched so that Undertow does not
     * end it when the current call returns (a no-op when the body arrived after the call).
     */
    private static void awaitAnswer(final HttpServerExchange exchange) {
        exchange.dispatch(SameThreadExecutor.INSTANCE, NO_OP);
    }

    private static final Runnable NO_OP = () -> { };

    private static final byte[] RING_FULL_RESULT = new JsonBuilder(96).beginObject().field("esito", "non_disponibile")
        .field("messaggio", "the engine was at capacity; send this event again").endObject().toBytes();

    private static byte[] tooLargeResult(final int maxEventBytes) {
        return new JsonBuilder(192).beginObject().field("esito", "rifiutato").name("errori").beginArray().beginObject()
            .field("campo", "").field("codice", "too_large").field("messaggio", "the event is larger than the limit of "
                + maxEventBytes + " bytes (pipeline.max_body_size); it was not stored").endObject().endArray().endObject()
            .toBytes();
    }

    private void onError(final HttpServerExchange exchange, final IOException error, final long max) {
        if (error instanceof RequestTooBigException) {
            tooLarge(exchange, max);
        } else if (!exchange.isResponseStarted()) {
            Responses.error(exchange, 400, "body_unreadable", "the request body could not be read completely");
        }
    }

    private void tooLarge(final HttpServerExchange exchange, final long max) {
        Responses.error(exchange, 413, "too_large", "the body is larger than the limit of " + max + " bytes"
            + (batch ? " (server.max_batch_size)" : " (pipeline.max_body_size)") + "; split it");
    }

    private void tooMany(final HttpServerExchange exchange, final int events) {
        exchange.getResponseHeaders().put(Responses.RETRY_AFTER, limiter.secondsUntil(events));
        Responses.error(exchange, 429, "rate_limited", "over this token's rate (server.rate_limit events per second); "
            + "retry after the delay in Retry-After");
    }

    private void unavailable(final HttpServerExchange exchange, final String code, final String message) {
        exchange.getResponseHeaders().put(Responses.RETRY_AFTER, settings.retryAfterSeconds);
        Responses.error(exchange, 503, code, message);
    }
}
