package io.conversioni.delivery;

import io.conversioni.alert.Alert;
import io.conversioni.json.JsonBuilder;
import io.conversioni.json.JsonTree;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One message for one sink: what to say ({@code titolo}, {@code testo}, and the JSON body a webhook posts:
 * the alert, or a window's results for {@code regola} {@value #FINESTRA})
 * and how the delivery went so far. Persisted as a JSON file while pending and in the dead-letter journal
 * when it gave up. Mutable, owned by one lane thread at a time; allocates freely (off the hot path).
 */
final class DeliveryItem {
    /** The {@code regola} of a window-results message (not an alert rule). */
    static final String FINESTRA = "finestra";

    final String id;
    final String sink;
    final String regola;
    final String titolo;
    final String testo;
    final String json;
    final long createdMillis;
    int attempts;
    long nextAttemptMillis;
    String lastError = "";

    DeliveryItem(final String id, final String sink, final String regola, final String titolo, final String testo,
                 final String json, final long createdMillis) {
        this.id = id;
        this.sink = sink;
        this.regola = regola;
        this.titolo = titolo;
        this.testo = testo;
        this.json = json;
        this.createdMillis = createdMillis;
        this.nextAttemptMillis = createdMillis;
    }

    /** The message an alert change makes for {@code sink}. */
    static DeliveryItem of(final Alert a, final String sink, final long nowMillis) {
        final String titolo = "[conversioni] " + (a.aperto() ? "ALLARME " : "RISOLTO ") + a.regola() + " " + a.chiave();
        final StringBuilder testo = new StringBuilder(a.messaggio());
        testo.append("\naperto il ").append(Instant.ofEpochMilli(a.apertoIl()));
        if (!a.aperto()) {
            testo.append(", risolto il ").append(Instant.ofEpochMilli(a.risoltoIl()));
        }
        testo.append(" (allarme ").append(a.id()).append(')');
        return new DeliveryItem(UUID.randomUUID().toString(), sink, a.regola(), titolo, testo.toString(), a.toJson(),
            nowMillis);
    }

    /** A closed window's results (the {@code /api/v1/metriche} JSON of that window) for {@code sink}. */
    static DeliveryItem ofWindow(final String sink, final long windowStartMillis, final String json, final long nowMillis) {
        return new DeliveryItem(UUID.randomUUID().toString(), sink, FINESTRA, "[conversioni] finestra "
            + Instant.ofEpochMilli(windowStartMillis), "results of the window that started at "
            + Instant.ofEpochMilli(windowStartMillis), json, nowMillis);
    }

    /** True for an alert about delivery itself: its own dead letter must not raise another. */
    boolean aboutDelivery() {
        return io.conversioni.alert.AlertConfig.CONSEGNA_FALLITA.equals(regola);
    }

    String toJson() {
        return new JsonBuilder(512).beginObject().field("id", id).field("sink", sink).field("regola", regola)
            .field("titolo", titolo).field("testo", testo).instantField("creato_il", createdMillis)
            .field("tentativi", attempts).instantField("prossimo_tentativo", nextAttemptMillis)
            .field("ultimo_errore", lastError).field("corpo", json).endObject().toString();
    }

    static DeliveryItem fromJson(final Map<?, ?> m) {
        final DeliveryItem item = new DeliveryItem(text(m, "id"), text(m, "sink"), text(m, "regola"), text(m, "titolo"),
            text(m, "testo"), text(m, "corpo"), Instant.parse(text(m, "creato_il")).toEpochMilli());
        item.attempts = m.get("tentativi") instanceof BigDecimal d ? d.intValue() : 0;
        item.nextAttemptMillis = Instant.parse(text(m, "prossimo_tentativo")).toEpochMilli();
        item.lastError = text(m, "ultimo_errore");
        return item;
    }

    static DeliveryItem fromJson(final String json) {
        if (!(JsonTree.parse(json) instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("a delivery record must be a JSON object");
        }
        return fromJson(m);
    }

    private static String text(final Map<?, ?> m, final String key) {
        if (!(m.get(key) instanceof String s)) {
            throw new IllegalArgumentException("a delivery record needs a string \"" + key + "\"");
        }
        return s;
    }
}
