package io.conversioni.alert;

import io.conversioni.json.JsonBuilder;
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
        final JsonBuilder out = new JsonBuilder(256);
        writeJson(out);
        return out.toString();
    }

    /** Writes {@link #toJson()}'s object as the next value of {@code out}. */
    public void writeJson(final JsonBuilder out) {
        out.beginObject().field("id", id).field("regola", regola).field("chiave", chiave).field("stato", stato())
            .instantField("aperto_il", apertoIl);
        if (aperto()) {
            out.nullField("risolto_il");
        } else {
            out.instantField("risolto_il", risoltoIl);
        }
        out.field("messaggio", messaggio);
        number(out.name("valore"), valore);
        number(out.name("soglia"), soglia);
        out.endObject();
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

    /** {@code null} for NaN; an integral value without decimals; any other as a plain decimal (no exponent). */
    static void number(final JsonBuilder out, final double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            out.nullValue();
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            out.value((long) v);
        } else {
            out.raw(BigDecimal.valueOf(v).stripTrailingZeros().toPlainString());
        }
    }
}
