package io.conversioni.ingress;

import io.conversioni.alert.Alert;
import io.conversioni.alert.AlertService;
import io.conversioni.ingress.auth.Scopes;
import io.conversioni.json.JsonBuilder;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

import java.util.Deque;
import java.util.List;

/**
 * {@code GET /api/v1/allarmi?stato=aperto|risolto|tutti} (default tutti): the alerts, newest first, as
 * {@code {"allarmi":[...]}}. Reads the alert service's published snapshot, so it never waits on the
 * rules thread. Any IO thread; allocates the answer.
 */
public final class AlertsHandler implements HttpHandler {
    static final List<String> STATI = List.of("aperto", "risolto", "tutti");
    private final AlertService alerts;

    AlertsHandler(final AlertService alerts) {
        this.alerts = alerts;
    }

    /** The route, for {@link IngressServer#addRoutes}: {@code GET /api/v1/allarmi} behind the JWT check. */
    public static IngressServer.Routes routes(final AlertService alerts) {
        final AlertsHandler handler = new AlertsHandler(alerts);
        return (routes, guard) -> routes.get("/api/v1/allarmi", guard.requiring(Scopes.METRICHE_LEGGI, handler));
    }

    @Override
    public void handleRequest(final HttpServerExchange exchange) {
        final Deque<String> values = exchange.getQueryParameters().get("stato");
        final String stato = values == null || values.isEmpty() ? "tutti" : values.peekFirst();
        if (!STATI.contains(stato)) {
            Responses.error(exchange, 400, "parametro", "stato must be one of aperto, risolto, tutti; was '" + stato + "'");
            return;
        }
        Responses.send(exchange, 200, render(alerts.alerts(stato)));
    }

    static String render(final List<Alert> alerts) {
        final JsonBuilder out = new JsonBuilder(64 + alerts.size() * 256).beginObject().name("allarmi").beginArray();
        for (Alert alert : alerts) {
            alert.writeJson(out);
        }
        return out.endArray().endObject().toString();
    }
}
