package io.conversioni.cli.cluster;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Event bodies and answer fields for the process tests. Stateless; any thread. */
final class Events {
    static final String SINGLE = "/api/v1/eventi/conversione";
    static final String BATCH = "/api/v1/eventi/conversione/batch";
    static final String JSON = "application/json";
    static final String NDJSON = "application/x-ndjson";

    private Events() {
    }

    /**
     * A valid purchase of {@code idCliente} (its key, and so its partition; the schema wants
     * {@code CLIENTE-WORD-NNNNNN}), dated {@code at} (ms precision).
     */
    static String valid(final String idCliente, final int value, final Instant at) {
        return "{\"id_cliente\":\"" + idCliente + "\",\"evento\":\"acquisto_concluso\",\"timestamp\":\""
            + at.truncatedTo(ChronoUnit.MILLIS) + "\",\"valore\":" + value + ".50,\"canale\":\"webform\","
            + "\"stato\":\"completato\",\"metadati\":{\"campagna\":\"cluster-test\"}}";
    }

    /** An event the schema rejects: {@code canale} "fax" is not in the enumeration. */
    static String invalid(final String idCliente, final Instant at) {
        return "{\"id_cliente\":\"" + idCliente + "\",\"evento\":\"acquisto_concluso\",\"timestamp\":\""
            + at.truncatedTo(ChronoUnit.MILLIS) + "\",\"valore\":1.50,\"canale\":\"fax\",\"stato\":\"completato\"}";
    }

    /** The number in {@code "field":N} of a JSON answer, or -1 when absent. */
    static long number(final String json, final String field) {
        final Matcher m = Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The string in {@code "field":"..."} of a JSON answer, or null when absent. */
    static String text(final String json, final String field) {
        final Matcher m = Pattern.compile("\"" + field + "\":\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }
}
