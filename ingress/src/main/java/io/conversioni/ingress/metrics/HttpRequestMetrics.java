package io.conversioni.ingress.metrics;

import io.conversioni.metrics.PrometheusTextWriter;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The {@code conversioni_http_request_duration_seconds} histogram: every HTTP request from its first byte
 * (Undertow's request start time) to the end of its response, by route and status class. The route is the
 * template the request matched ({@code /api/v1/eventi/conversione}, {@code /dashboard/{file}}), never the raw
 * path, so the label is bounded by the routes the code registers; a request that matched none (404, 405) is
 * {@link #OTHER_ROUTE}. At most {@link #MAX_ROUTES} routes are told apart; any more count as {@link #OTHER_ROUTE}.
 *
 * <p>Threading: the listeners run on the IO or worker thread that ends each exchange, several at once; the
 * counts are atomic adds, read racily but whole by {@link #writeTo} (any thread; scrapes take turns).
 * Allocation: none per request here (Undertow allocates its listener array and chain); a route's first
 * request registers it once. Fixed size: {@link #MAX_ROUTES} x 5 status classes x the latency buckets.
 */
public final class HttpRequestMetrics {
    /** The family name. */
    public static final String NAME = "conversioni_http_request_duration_seconds";
    /** The route label of a request that matched no route. */
    public static final String OTHER_ROUTE = "altro";
    /** Routes told apart; the server registers about a dozen. */
    static final int MAX_ROUTES = 32;

    private static final long NO_START_TIME = -1; // Undertow's value when the start time was not recorded
    private static final String[] LABEL_NAMES = {"route", "status_class"};
    private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    private static final HistogramBuckets BUCKETS = HistogramBuckets.LATENCY_SECONDS;
    private static final int BUCKET_SLOTS = BUCKETS.size() + 1; // the finite bounds, then +Inf

    /** Per-bucket (not cumulative) counts by {@code (route * classes + class) * BUCKET_SLOTS + bucket}. */
    private final AtomicLongArray counts = new AtomicLongArray(MAX_ROUTES * STATUS_CLASSES.length * BUCKET_SLOTS);
    /** Summed durations in nanoseconds by {@code route * classes + class}. */
    private final AtomicLongArray sumNanos = new AtomicLongArray(MAX_ROUTES * STATUS_CLASSES.length);
    private final ConcurrentHashMap<String, RouteListener> routes = new ConcurrentHashMap<>();
    /** Route names by index; entries below {@link #routeCount} are set before the count is published. */
    private final String[] routeNames = new String[MAX_ROUTES];
    private volatile int routeCount;
    private final RouteListener other;
    private final ExchangeCompletionListener routed = this::onRoutedComplete;
    /** Scrape scratch: one series' per-bucket counts. */
    private final long[] scratch = new long[BUCKET_SLOTS];

    public HttpRequestMetrics() {
        this.other = route(OTHER_ROUTE);
    }

    /**
     * The listener for requests that a handler serves without the router (the route is known when the
     * listener is added). Call at setup; the same instance for the same route.
     */
    public ExchangeCompletionListener listenerFor(final String route) {
        return route(route);
    }

    /** The listener for requests that go through a {@code RoutingHandler}: it reads the template they matched. */
    public ExchangeCompletionListener routedListener() {
        return routed;
    }

    private void onRoutedComplete(final HttpServerExchange exchange, final ExchangeCompletionListener.NextListener next) {
        try {
            final PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
            final RouteListener listener = match == null ? other : route(match.getMatchedTemplate());
            listener.record(exchange);
        } finally {
            next.proceed();
        }
    }

    private RouteListener route(final String name) {
        final RouteListener known = routes.get(name);
        return known != null ? known : register(name);
    }

    /** Under its own lock, not the scrape's: a route's first request never waits for a scrape. */
    private RouteListener register(final String name) {
        synchronized (routeNames) {
            final RouteListener known = routes.get(name);
            if (known != null) {
                return known;
            }
            final int index = routeCount;
            if (index == MAX_ROUTES) {
                routes.put(name, other); // remembered: its next requests take no lock
                return other;
            }
            routeNames[index] = name;
            final RouteListener listener = new RouteListener(index);
            routes.put(name, listener);
            routeCount = index + 1; // volatile write: publishes routeNames[index] to scrapes
            return listener;
        }
    }

    /**
     * Writes the family: one histogram per route and status class that has seen a request (series appear
     * with their first request, as Prometheus client libraries do). A section for {@link PrometheusExporter#add}.
     */
    public synchronized void writeTo(final PrometheusTextWriter w) {
        w.family(NAME, PrometheusTextWriter.HISTOGRAM, "HTTP requests from first byte to the end of the response, "
            + "by route (the matched route template; " + OTHER_ROUTE + " when none matched) and status class.");
        final int routesSeen = routeCount; // volatile read: the names below it are set
        for (int route = 0; route < routesSeen; route++) {
            for (int statusIndex = 0; statusIndex < STATUS_CLASSES.length; statusIndex++) {
                final int series = route * STATUS_CLASSES.length + statusIndex;
                long total = 0;
                for (int b = 0; b < BUCKET_SLOTS; b++) {
                    scratch[b] = counts.get(series * BUCKET_SLOTS + b);
                    total += scratch[b];
                }
                if (total > 0) {
                    BUCKETS.writeFrom(w, NAME, LABEL_NAMES, new String[] {routeNames[route], STATUS_CLASSES[statusIndex]},
                        scratch, sumNanos.get(series) / 1e9);
                }
            }
        }
    }

    /** Records one route's requests; one instance per route, shared by every exchange. */
    private final class RouteListener implements ExchangeCompletionListener {
        private final int index;

        RouteListener(final int index) {
            this.index = index;
        }

        @Override
        public void exchangeEvent(final HttpServerExchange exchange, final NextListener next) {
            try {
                record(exchange);
            } finally {
                next.proceed();
            }
        }

        void record(final HttpServerExchange exchange) {
            final long start = exchange.getRequestStartTime();
            final long nanos = start == NO_START_TIME ? 0 : Math.max(0, System.nanoTime() - start);
            final int status = exchange.getStatusCode();
            final int statusIndex = Math.min(Math.max(status / 100 - 1, 0), STATUS_CLASSES.length - 1);
            final int series = index * STATUS_CLASSES.length + statusIndex;
            counts.getAndIncrement(series * BUCKET_SLOTS + BUCKETS.indexOfNanos(nanos));
            sumNanos.getAndAdd(series, nanos);
        }
    }
}
