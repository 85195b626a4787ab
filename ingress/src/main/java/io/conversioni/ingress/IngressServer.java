package io.conversioni.ingress;

import io.conversioni.ingress.auth.Scopes;
import io.conversioni.ingress.dashboard.DashboardHandler;
import io.conversioni.ingress.metrics.HttpRequestMetrics;
import io.conversioni.ingress.metrics.EngineSampler;
import io.conversioni.json.JsonBuilder;
import io.conversioni.json.Rfc3339;
import io.conversioni.pipeline.Engine;
import io.conversioni.window.MetricheQuery;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.Connectors;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.sse.ServerSentEventConnection;
import io.undertow.server.handlers.sse.ServerSentEventHandler;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Options;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.format.DateTimeParseException;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The Undertow server in front of an {@link Engine}: HTTPS (and optionally plain HTTP) listeners, the
 * routes of the API and the dashboard ({@code /}). Built and started once; {@link #beginDrain()} makes
 * ingest answer 503 while the engine drains; {@link #stop()} closes the listeners. IO threads never block, but
 * for one case: with {@code auth.jwks_url}, a token not yet verified whose {@code kid} the cached key set lacks
 * (or met while the background refresh keeps failing) waits for the library's fetch, bounded by its timeouts and
 * rate limit. Every protected route goes through one {@link RouteGuard}: token, then the route's scope.
 */
public final class IngressServer {
    /** The single-event ingest endpoint. */
    static final String SINGLE_PATH = "/api/v1/eventi/conversione";
    /** The batch ingest endpoint. */
    static final String BATCH_PATH = "/api/v1/eventi/conversione/batch";

    private static final Logger LOG = LoggerFactory.getLogger(IngressServer.class);

    private final Engine engine;
    private final ServerSettings settings;
    private final Authenticator auth;
    private final Supplier<String> prometheus;
    private MetricheQuery query;
    /** Cluster mode: what the merged answer covers ({@code "cluster"} after {@code "motore"}); null on one node. */
    private Supplier<String> coverage;
    private final EngineSampler motore;
    private final DashboardHandler dashboard;
    private final ServerSentEventHandler stream;
    private final ScheduledExecutorService streamTimer;
    private final byte[] openApi;
    private final HttpRequestMetrics httpRequests = new HttpRequestMetrics();
    private volatile boolean draining;
    private Undertow undertow;
    private final java.util.List<Routes> extraRoutes = new java.util.ArrayList<>();
    /** The parts of readiness besides the engine's recovery (cluster mode's Kafka parts); all must hold. */
    private volatile BooleanSupplier[] readinessParts = new BooleanSupplier[0];
    /** Cluster mode's ingest route, set before {@link #start}; null on a single node. */
    private ClusterIngest cluster;

    /**
     * Routes another part adds (the jobs view, alerts), registered at {@link #start}; {@code guard} wraps a
     * handler in the same JWT check as the query routes, for the scope the route needs, and runs it on a worker
     * thread.
     */
    @FunctionalInterface
    public interface Routes {
        void register(RouteTable routes, Guard guard);
    }

    /** What {@link Routes} wrap their handlers with. */
    @FunctionalInterface
    public interface Guard {
        /** {@code handler} behind a bearer token (header only) that grants {@code scope} ({@link Scopes} bits). */
        HttpHandler requiring(int scope, HttpHandler handler);
    }

    /**
     * Adds a part of readiness: {@code /health/ready} answers 200, and ingest takes events, only once the engine has
     * recovered and every part says true. Any time; the part is read on IO threads (keep it a volatile read).
     */
    public synchronized void addReadinessPart(final BooleanSupplier part) {
        final BooleanSupplier[] parts = java.util.Arrays.copyOf(readinessParts, readinessParts.length + 1);
        parts[parts.length - 1] = part;
        readinessParts = parts;
    }

    /** Whether the node takes events now (not counting a drain). Any thread. */
    public boolean isReady() {
        if (!engine.isReady()) {
            return false;
        }
        for (BooleanSupplier part : readinessParts) {
            if (!part.getAsBoolean()) {
                return false;
            }
        }
        return true;
    }

    /** Cluster mode: valid events go to the cluster through {@code route}. Before {@link #start}. */
    void routeToCluster(final ClusterIngest route) {
        this.cluster = route;
    }

    /**
     * Cluster mode, before {@link #start}: {@code GET /api/v1/metriche}, the stream and the dashboard read
     * {@code windows} (the cluster's merged windows) instead of this node's engine, and every answer ends with
     * {@code coverage}'s object (the partitions it covers and how fresh each is).
     */
    void queryWindows(final io.conversioni.window.WindowView windows, final Supplier<String> coverage) {
        this.query = new MetricheQuery(windows, engine.config());
        this.coverage = coverage;
    }

    private String coverageJson() {
        final Supplier<String> c = coverage;
        return c == null ? null : c.get();
    }

    /** Adds routes before {@link #start}. */
    public void addRoutes(final Routes routes) {
        extraRoutes.add(routes);
    }

    /**
     * @param prometheus renders {@code /metrics} (text exposition format)
     */
    public IngressServer(final Engine engine, final ServerSettings settings, final Authenticator auth,
                         final Supplier<String> prometheus) {
        this.engine = engine;
        this.settings = settings;
        this.auth = auth;
        this.prometheus = prometheus;
        this.query = new MetricheQuery(engine.windows(), engine.config());
        this.motore = new EngineSampler(engine, System::nanoTime);
        this.dashboard = new DashboardHandler();
        this.stream = new ServerSentEventHandler(this::onStreamConnect);
        this.streamTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "conversioni-sse");
            t.setDaemon(true);
            return t;
        });
        this.openApi = resource("openapi.json");
    }

    /** Starts the listeners; {@code sslContext} may be null when only plain HTTP is configured. */
    public void start(final SSLContext sslContext) {
        final RateLimiter limiter = new RateLimiter(settings.rateLimitPerSecond, settings.rateBurst);
        final HttpOutcomes outcomes = new HttpOutcomes(settings.retryAfterSeconds, settings.ioThreads);
        final StageWakes wakes = new StageWakes(engine, settings.ioThreads);
        final RouteGuard guard = new RouteGuard(auth);
        final FairShare fairShare = new FairShare(engine, outcomes);
        final BooleanSupplier ready = this::isReady;
        final HttpHandler single = new IngestHandler(engine, guard, limiter, outcomes, settings, false, () -> draining, wakes,
            fairShare, ready, cluster);
        final RouteTable routes = new RouteTable()
            .post(SINGLE_PATH, single)
            .post(BATCH_PATH, new IngestHandler(engine, guard, limiter, outcomes, settings, true, () -> draining, wakes,
                fairShare, ready, cluster))
            .get("/api/v1/metriche", guard.requiring(Scopes.METRICHE_LEGGI, offIoThread(this::metriche)))
            // EventSource cannot send headers: the one route that takes ?access_token=
            .getWithoutHead("/api/v1/metriche/stream", guard.allowingTokenInUrl(Scopes.METRICHE_LEGGI, stream))
            .get("/api/v1/openapi.json", ex -> {
                ex.getResponseHeaders().put(Headers.CONTENT_TYPE, Responses.JSON);
                ex.getResponseSender().send(java.nio.ByteBuffer.wrap(openApi));
            })
            .get("/", dashboard) // the page and its files hold no data: public
            .get(DashboardHandler.PREFIX + "{file}", dashboard)
            .get("/metrics", settings.metricsPublic ? offIoThread(this::metrics)
                : guard.requiring(Scopes.METRICHE_LEGGI, offIoThread(this::metrics)))
            .get("/health/live", ex -> Responses.send(ex, 200, stato("vivo")))
            .get("/health/ready", ex -> {
                if (isReady() && !draining) {
                    Responses.send(ex, 200, stato("pronto"));
                } else {
                    ex.getResponseHeaders().put(Responses.RETRY_AFTER, settings.retryAfterSeconds);
                    Responses.send(ex, 503, stato(draining ? "in_chiusura" : "in_recupero"));
                }
            });
        extraRoutes.forEach(r -> r.register(routes, (scope, handler) -> guard.requiring(scope, offIoThread(handler))));
        final HttpHandler routed = routes.handler(
            ex -> Responses.error(ex, 404, "not_found", "no such endpoint; see /api/v1/openapi.json"),
            ex -> Responses.error(ex, 405, "method_not_allowed",
                ex.getRequestMethod() + " is not allowed on " + ex.getRequestPath() + "; see the Allow header"));
        // The single-event POST, the hot path, skips the router: its template match allocated a map, a match
        // result and the exchange's attachment map for every request. Any other method or path, a trailing slash
        // included, is routed as before. The framing guard runs first, for every request; each request gets the
        // completion listener of the duration histogram.
        final String hsts = TlsPolicy.strictTransportSecurity(settings.hstsMaxAgeSeconds);
        final ExchangeCompletionListener singleTimer = httpRequests.listenerFor(SINGLE_PATH);
        final ExchangeCompletionListener routedTimer = httpRequests.routedListener();
        final HttpHandler root = new SafetyHandler(new FramingGuard(ex -> {
            if (ex.isSecure()) {
                ex.getResponseHeaders().put(Headers.STRICT_TRANSPORT_SECURITY, hsts); // HTTPS only (RFC 6797, 7.2)
            }
            if (ex.getRequestStartTime() == -1) {
                Connectors.setRequestStartTime(ex); // an Undertow listener that did not record it
            }
            if (Methods.POST.equals(ex.getRequestMethod()) && SINGLE_PATH.equals(ex.getRelativePath())) {
                ex.addExchangeCompleteListener(singleTimer);
                single.handleRequest(ex);
            } else {
                ex.addExchangeCompleteListener(routedTimer);
                routed.handleRequest(ex);
            }
        }, settings.bodyTimeoutMillis, new ConnectionBudget(settings.maxConnections), settings.retryAfterSeconds));
        final Undertow.Builder builder = Undertow.builder()
            .setIoThreads(settings.ioThreads)
            .setWorkerThreads(2)
            .setServerOption(UndertowOptions.IDLE_TIMEOUT, (int) settings.idleTimeoutMillis)
            .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, (int) settings.idleTimeoutMillis)
            .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) settings.requestTimeoutMillis)
            // no entity limit of Undertow's: it cuts a body off with a reset, before a sender that writes its whole
            // body first reads its 413. The ingest routes hold bodies to their limits themselves (FullBody), and
            // every other route's body is dropped unread (FramingGuard); both within server.body_timeout.
            .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 0L)
            .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, true)
            .setServerOption(UndertowOptions.RECORD_REQUEST_START_TIME, true) // for the request duration histogram
            .setServerOption(UndertowOptions.MAX_HEADER_SIZE, settings.maxHeaderBytes)
            .setSocketOption(Options.READ_TIMEOUT, (int) settings.idleTimeoutMillis)
            // at max_connections XNIO stops accepting (new connections wait in the listen backlog) until one closes:
            // the body deadline, the request and idle timeouts and the closes after refusals shed them, and the
            // ConnectionBudget keeps the last few for health checks
            .setSocketOption(Options.CONNECTION_HIGH_WATER, settings.maxConnections)
            .setSocketOption(Options.CONNECTION_LOW_WATER, settings.maxConnections - 1)
            .setHandler(root);
        if (settings.httpsPort >= 0) {
            builder.addListener(new Undertow.ListenerBuilder().setType(Undertow.ListenerType.HTTPS)
                .setPort(settings.httpsPort).setHost(settings.bind).setSslContext(sslContext)
                .setOverrideSocketOptions(TlsPolicy.listenerOptions(sslContext)));
        }
        if (settings.httpPort >= 0) {
            builder.addHttpListener(settings.httpPort, settings.httpBind);
        }
        undertow = builder.build();
        undertow.start();
        streamTimer.scheduleAtFixedRate(this::pushStream, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Samples the engine now; called once it has recovered, so that the {@code motore} totals are current from the
     * first answer after ready on, instead of up to a second later.
     */
    public void sampleEngine() {
        motore.sample();
    }

    /** The port a listener actually bound (useful with port 0 in tests). */
    public int port(final String protocol) {
        for (Undertow.ListenerInfo info : undertow.getListenerInfo()) {
            if (info.getProtcol().equals(protocol)) {
                return ((InetSocketAddress) info.getAddress()).getPort();
            }
        }
        return -1;
    }

    /**
     * The request duration histogram by route and status class, for {@code /metrics}: add
     * {@code httpRequests()::writeTo} to the exporter's sections.
     */
    public HttpRequestMetrics httpRequests() {
        return httpRequests;
    }

    /** True for the two routes that read a request body (the ingest POSTs); others answer without reading one. */
    static boolean isIngest(final HttpServerExchange exchange) {
        final String path = exchange.getRelativePath();
        return Methods.POST.equals(exchange.getRequestMethod()) && (SINGLE_PATH.equals(path) || BATCH_PATH.equals(path));
    }

    /** From now on, ingest answers 503 and readiness reports draining; queries still work. */
    public void beginDrain() {
        draining = true;
    }

    public void stop() {
        streamTimer.shutdownNow();
        if (undertow != null) {
            undertow.stop();
        }
    }

    /**
     * Queries (metriche, /metrics, alerts, jobs) render on a worker thread: with one IO thread, a query
     * rendered there would hold every ingest request behind it (the open-loop p99 showed it).
     */
    private static HttpHandler offIoThread(final HttpHandler next) {
        final HttpHandler safe = new SafetyHandler(next);
        return ex -> {
            if (ex.isInIoThread()) {
                ex.dispatch(safe);
            } else {
                safe.handleRequest(ex);
            }
        };
    }

    private void metriche(final HttpServerExchange exchange) {
        final Range range = range(exchange);
        if (range != null) {
            Responses.send(exchange, 200, query.render(range.from, range.to, range.per, motore.json(), coverageJson()));
        }
    }

    private void metrics(final HttpServerExchange exchange) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        exchange.getResponseSender().send(prometheus.get());
    }

    private record Range(long from, long to, String per) {
    }

    /** Parses da/a/per (ISO instants; default the last hour); answers 400 and returns null when bad. */
    private Range range(final HttpServerExchange exchange) {
        final Map<String, Deque<String>> q = exchange.getQueryParameters();
        final String per = first(q, "per", "canale");
        if (!MetricheQuery.GROUPINGS.contains(per)) {
            Responses.error(exchange, 400, "parametro", "per must be one of canale, evento, campagna; was '" + per + "'");
            return null;
        }
        try {
            final long to = q.containsKey("a") ? Rfc3339.parseInstantMillis(first(q, "a", "")) : System.currentTimeMillis();
            final long from = q.containsKey("da") ? Rfc3339.parseInstantMillis(first(q, "da", "")) : to - 3_600_000L;
            if (from >= to) {
                Responses.error(exchange, 400, "parametro", "da must be before a");
                return null;
            }
            return new Range(from, to, per);
        } catch (DateTimeParseException e) {
            Responses.error(exchange, 400, "parametro", "da and a must be ISO instants such as 2024-05-20T14:00:00Z");
            return null;
        }
    }

    /** {@code {"stato":value}}, the health answers. */
    private static byte[] stato(final String value) {
        return new JsonBuilder(32).beginObject().field("stato", value).endObject().toBytes();
    }

    private static String first(final Map<String, Deque<String>> q, final String name, final String fallback) {
        final Deque<String> values = q.get(name);
        return values == null || values.isEmpty() ? fallback : values.peekFirst();
    }

    private void onStreamConnect(final ServerSentEventConnection connection, final String lastEventId) {
        final Range range = rangeOf(connection.getQueryParameters());
        connection.setKeepAliveTime(15_000);
        connection.putAttachment(RANGE, range);
        connection.send(query.render(range.from, range.to, range.per, motore.json(), coverageJson()), "metriche", null, null);
    }

    private static final io.undertow.util.AttachmentKey<Range> RANGE = io.undertow.util.AttachmentKey.create(Range.class);

    private static Range rangeOf(final Map<String, Deque<String>> q) {
        final String per = MetricheQuery.GROUPINGS.contains(first(q, "per", "canale")) ? first(q, "per", "canale") : "canale";
        long span = 3_600_000L;
        try {
            if (q.containsKey("da") && q.containsKey("a")) {
                span = Math.subtractExact(Rfc3339.parseInstantMillis(first(q, "a", "")),
                    Rfc3339.parseInstantMillis(first(q, "da", "")));
            }
        } catch (DateTimeParseException | ArithmeticException ignored) {
            span = 3_600_000L;
        }
        final long to = System.currentTimeMillis();
        return new Range(to - Math.max(span, 60_000), to, per);
    }

    /** Every second: samples the engine's gauges, then sends the live view to every stream, over a sliding range. */
    private void pushStream() {
        try {
            motore.sample();
            final String engineJson = motore.json();
            for (ServerSentEventConnection c : stream.getConnections()) {
                final Range r = c.getAttachment(RANGE);
                if (r == null) {
                    continue;
                }
                final long span = r.to - r.from;
                final long to = System.currentTimeMillis();
                c.send(query.render(to - span, to, r.per, engineJson, coverageJson()), "metriche", null, null);
            }
        } catch (RuntimeException e) {
            LOG.warn("metrics stream push failed", e);
        }
    }

    private static byte[] resource(final String name) {
        try (InputStream in = IngressServer.class.getResourceAsStream(name)) {
            return in == null ? "{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII) : in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read bundled " + name, e);
        }
    }

    /** Last line of defence: an unexpected exception becomes a JSON 500 without a stack trace. */
    private static final class SafetyHandler implements HttpHandler {
        private final HttpHandler next;

        SafetyHandler(final HttpHandler next) {
            this.next = next;
        }

        @Override
        public void handleRequest(final HttpServerExchange exchange) {
            try {
                next.handleRequest(exchange);
            } catch (Exception e) {
                LOG.error("unexpected error on {} {}", exchange.getRequestMethod(), exchange.getRequestPath(), e);
                if (!exchange.isResponseStarted()) {
                    Responses.error(exchange, 500, "internal", "an unexpected error occurred; it was logged");
                }
            }
        }
    }
}
