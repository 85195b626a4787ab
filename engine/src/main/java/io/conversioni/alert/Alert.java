package io.conversioni.alert;

import io.conversioni.json.JsonTree;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * One alert: a rule's condition held for a key from {@code apertoIl} until {@code risoltoIl} (-1 while
 * open). Immutable; resolving makes a new instance. Its JSON ({@link #toJson()}) is the alert journal's
 * record and the item of {@code GET /api/v1/allarmi}. Any thread; allocates.
 *
 * @param valore the measured value that fired it (NaN: none), in the rule's unit
 * @param soglia the threshold it crossed (NaN: none)
 */
public record Alert(String id, String regola, String chiave, long apertoIl, long risoltoIl, String messaggio,
                    double valore, double soglia) {
    public boolean aperto() {
        return risoltoIl < 0;
    }

    public String stato() {
        return aperto() ? "aperto" : "risolto";
    }

    Alert resolved(final long atMillis) {
        return new Alert(id, regola, chiave, apertoIl, Math.max(atMillis, apertoIl), messaggio, valore, soglia);
    }

    /** {@code {"id":..,"regola":..,"chiave":..,"stato":..,"aperto_il":..,"risolto_il":..,"messaggio":..,"valore":..,"soglia":..}} */
    public String toJson() {
        final StringBuilder sb = new StringBuilder(256);
        sb.append("{\"id\":");
        quote(sb, id);
        sb.append(",\"regola\":");
        quote(sb, regola);
        sb.append(",\"chiave\":");
        quote(sb, chiave);
        sb.append(",\"stato\":\"").append(stato()).append("\",\"aperto_il\":\"").append(Instant.ofEpochMilli(apertoIl))
            .append("\",\"risolto_il\":");
        if (aperto()) {
            sb.append("null");
        } else {
            sb.append('"').append(Instant.ofEpochMilli(risoltoIl)).append('"');
        }
        sb.append(",\"messaggio\":");
        quote(sb, messaggio);
        sb.append(",\"valore\":");
        number(sb, valore);
        sb.append(",\"soglia\":");
        number(sb, soglia);
        return sb.append('}').toString();
    }

    /** The inverse of {@link #toJson()}; throws {@link IllegalArgumentException} on a record of another shape. */
    public static Alert fromJson(final String json) {
        final Object tree = JsonTree.parse(json);
        if (!(tree instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("an alert record must be a JSON object");
        }
        final Object risolto = m.get("risolto_il");
        return new Alert(text(m, "id"), text(m, "regola"), text(m, "chiave"), Instant.parse(text(m, "aperto_il")).toEpochMilli(),
            risolto instanceof String s ? Instant.parse(s).toEpochMilli() : -1, text(m, "messaggio"),
            decimal(m.get("valore")), decimal(m.get("soglia")));
    }

    private static String text(final Map<?, ?> m, final String key) {
        if (!(m.get(key) instanceof String s)) {
            throw new IllegalArgumentException("an alert record needs a string \"" + key + "\"");
        }
        return s;
    }

    private static double decimal(final Object v) {
        return v instanceof BigDecimal d ? d.doubleValue() : Double.NaN;
    }

    static void number(final StringBuilder sb, final double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            sb.append("null");
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            sb.append((long) v);
        } else {
            sb.append(BigDecimal.valueOf(v).stripTrailingZeros().toPlainString());
        }
    }

    /** Appends a JSON string literal. */
    public static void quote(final StringBuilder sb, final String s) {
        io.conversioni.json.JsonText.quote(sb, s);
    }
}
