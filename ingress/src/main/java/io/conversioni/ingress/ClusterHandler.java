package io.conversioni.ingress;

import io.conversioni.ingress.auth.Scopes;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * {@code GET /api/v1/cluster} in cluster mode: the JSON the supplier renders (the cluster module's
 * {@code ClusterStatus.render()}: nodes, partitions with owner, watermark, last update and consumer lag, problems),
 * behind {@code metriche:leggi}. The supplier reads the merged cells' published state, so the handler never waits:
 * any IO thread; allocates the answer. A supplier that fails answers 503 {@code not_ready} with {@code Retry-After},
 * never a 500 or a stack trace.
 */
public final class ClusterHandler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterHandler.class);
    private final Supplier<String> status;

    ClusterHandler(final Supplier<String> status) {
        this.status = status;
    }

    /**
     * The route, for {@link IngressServer#addRoutes}:
     * {@code server.addRoutes(ClusterHandler.routes(new ClusterStatus(clusterWindows, lag)::render))}.
     */
    public static IngressServer.Routes routes(final Supplier<String> status) {
        final ClusterHandler handler = new ClusterHandler(status);
        return (routes, guard) -> routes.get("/api/v1/cluster", guard.requiring(Scopes.METRICHE_LEGGI, handler));
    }

    @Override
    public void handleRequest(final HttpServerExchange exchange) {
        final String json;
        try {
            json = status.get();
        } catch (final RuntimeException e) {
            LOG.warn("GET /api/v1/cluster could not render the cluster view", e);
            exchange.getResponseHeaders().put(Responses.RETRY_AFTER, 1);
            Responses.error(exchange, 503, "not_ready", "the cluster view is not available yet; try again shortly");
            return;
        }
        Responses.send(exchange, 200, json);
    }
}
