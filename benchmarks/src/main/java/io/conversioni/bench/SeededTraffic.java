package io.conversioni.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The whole-pipeline traffic shared by {@link PipelineThroughputBenchmark} and its peers in
 * {@code io.conversioni.bench.peers}: 4096 distinct valid event bodies (4 eventi, 4 canali, 16 campaigns,
 * event times spread over the 10 minutes before {@link #NOW_MILLIS}) and the fixed clock they are
 * received at, so that every event is inside the windows' horizon. Built once per trial; allocates only then.
 *
 * <p>Publishers take their bodies through {@link #next(byte[][], long)}, which gives every pass over the
 * 4096 bodies its own id_cliente letters: the stream stays unique (no event is a duplicate of an earlier
 * pass), so the dedupe table fills up and works at its bounded "full" policy as it would under a real
 * unique stream at this rate, instead of answering a lookup of an entry it already holds.
 */
public final class SeededTraffic {
    /** The fixed receive clock (UTC epoch millis). */
    public static final long NOW_MILLIS = Instant.parse("2024-05-20T14:40:00Z").toEpochMilli();
    /** Distinct bodies; a power of two, so the publishers cycle with a mask. */
    public static final int BODIES = 4096;

    private static final String[] EVENTI = {"richiesta_demo", "acquisto_concluso", "iscrizione_evento", "cancello_abbandono"};
    private static final String[] CANALI = {"email", "social_media", "webform", "sms"};

    private SeededTraffic() {
    }

    /** A fresh copy of the {@link #BODIES} UTF-8 bodies, in publish order. */
    public static byte[][] bodies() {
        final byte[][] bodies = new byte[BODIES][];
        for (int i = 0; i < bodies.length; i++) {
            final long t = NOW_MILLIS - 600_000 + (i * 7919L) % 600_000;
            bodies[i] = ("{\"id_cliente\":\"CLIENTE-ROMA-" + String.format("%06d", i) + "\",\"evento\":\""
                + EVENTI[i % 4] + "\",\"timestamp\":\"" + Instant.ofEpochMilli(t) + "\",\"valore\":" + (i % 500) + ".99,"
                + "\"canale\":\"" + CANALI[(i / 4) % 4] + "\",\"stato\":\"completato\",\"metadati\":{\"campagna\":"
                + "\"Campagna_" + (i % 16) + "\",\"dispositivo\":\"iPad_pro\",\"localita\":\"Roma\"}}")
                .getBytes(StandardCharsets.UTF_8);
        }
        return bodies;
    }

    /** Where the four id_cliente letters start in every body ({@code {"id_cliente":"CLIENTE-ROMA-...}). */
    static final int ID_LETTERS_OFFSET = "{\"id_cliente\":\"CLIENTE-".length();

    /**
     * The body of the {@code n}-th publish (n counts from 0): {@code bodies[n % BODIES]}, after, at the start of
     * each pass but the first, rewriting the id_cliente letters of all bodies in place to the pass's own (base
     * 26, AAAA.. ZZZZ: 456 976 passes, 1.8 billion distinct events, before they repeat). The caller must not
     * still be reading a body of the previous pass (the engine copies a body into its ring slot at publish).
     */
    public static byte[] next(final byte[][] bodies, final long n) {
        final int index = (int) (n & (bodies.length - 1));
        if (index == 0 && n > 0) {
            final long pass = (n / bodies.length) % (26L * 26 * 26 * 26);
            for (final byte[] body : bodies) {
                long rest = pass;
                for (int k = 3; k >= 0; k--) {
                    body[ID_LETTERS_OFFSET + k] = (byte) ('A' + rest % 26);
                    rest /= 26;
                }
            }
        }
        return bodies[index];
    }

    /** The shipped schema file (see {@link ArticleEvent#schemaPath()}). */
    public static Path schemaPath() {
        return ArticleEvent.schemaPath();
    }

    /** The shipped config folder (the schema's grandparent), for {@code EngineConfig.parse}. */
    public static Path configDir() {
        return schemaPath().getParent().getParent();
    }
}
