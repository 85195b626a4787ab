package io.conversioni.bench.load;

import io.conversioni.json.UtcInstant;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded, realistic conversion events written as JSON into a reusable byte array: the README's event shape,
 * timestamps of now (UTC, millis) or up to 60 s late, a share of exact re-sends of an earlier event (webhook
 * re-delivery) and a share of events the schema refuses. Single thread (its owner's); after construction it
 * allocates only when a body outgrows its array (doubling), or for a marker's campaign. The same seed gives the same
 * choices in the same order. The load generator shares the server's two cores, so every microsecond spent here is
 * one the server does not get: the fixed parts are copied as bytes and a batch's timestamp is formatted once.
 */
final class TrafficModel {
    static final String[] EVENTI = {"richiesta_demo", "acquisto_concluso", "iscrizione_evento", "cancello_abbandono"};
    static final String[] CANALI = {"email", "social_media", "webform", "sms"};
    static final String[] CAMPAGNE = {"Campagna_Email_Verano2024", "Black_Friday_2024", "Lancio_Prodotto_Q3",
        "Retargeting_Social", "Webinar_Autunno"};
    static final String[] DISPOSITIVI = {"iPad_pro", "iPhone_15", "Android", "Desktop_Chrome", "Desktop_Safari"};
    static final String[] LOCALITA = {"Roma", "Milano", "Napoli", "Torino", "Bologna", "Firenze"};
    private static final byte[][] EVENTI_BYTES = ascii(EVENTI);
    private static final byte[][] CANALI_BYTES = ascii(CANALI);
    private static final byte[][] CAMPAGNE_BYTES = ascii(CAMPAGNE);
    private static final byte[][] DISPOSITIVI_BYTES = ascii(DISPOSITIVI);
    private static final byte[][] LOCALITA_BYTES = ascii(LOCALITA);
    private static final byte[] ID_CLIENTE = ascii("{\"id_cliente\":\"CLIENTE-");
    private static final byte[] EVENTO = ascii("\",\"evento\":\"");
    private static final byte[] TIMESTAMP = ascii("\",\"timestamp\":\"");
    private static final byte[] VALORE = ascii("\",\"valore\":");
    private static final byte[] CANALE = ascii(",\"canale\":\"");
    private static final byte[] FAX = ascii("fax");
    private static final byte[] CAMPAGNA = ascii("\",\"stato\":\"completato\",\"metadati\":{\"campagna\":\"");
    private static final byte[] DISPOSITIVO = ascii("\",\"dispositivo\":\"");
    private static final byte[] LOCALITA_KEY = ascii("\",\"localita\":\"");
    private static final byte[] CLOSE = ascii("\"}}");
    private static final long MAX_LATENESS_MS = 60_000;
    private static final int HISTORY = 4096;
    private static final int MAX_EVENT_BYTES = 512;

    private final SplittableRandom random;
    private final double duplicateShare;
    private final double invalidShare;
    private final double outOfOrderShare;
    private final byte[][] history = new byte[HISTORY][MAX_EVENT_BYTES];
    private final int[] historyLength = new int[HISTORY];
    private long historyCount;
    private final byte[] instant = new byte[UtcInstant.MAX_LENGTH];
    private long instantMillis;
    private int instantLength;
    private byte[] body = new byte[4096];
    private int length;

    TrafficModel(final long seed, final double duplicateShare, final double invalidShare, final double outOfOrderShare) {
        this.random = new SplittableRandom(seed);
        this.duplicateShare = duplicateShare;
        this.invalidShare = invalidShare;
        this.outOfOrderShare = outOfOrderShare;
    }

    /** The body written by the last call; valid until the next. */
    byte[] body() {
        return body;
    }

    int length() {
        return length;
    }

    /** One event as a JSON body. */
    void nextSingle(final long nowMillis) {
        length = 0;
        appendEvent(nowMillis);
    }

    /** {@code events} events as NDJSON, one per line. */
    void nextBatch(final long nowMillis, final int events) {
        length = 0;
        for (int i = 0; i < events; i++) {
            appendEvent(nowMillis);
            put((byte) '\n');
        }
    }

    /** A valid, fresh event of the campaign {@code campagna} with timestamp now: the insight probe's marker. */
    void nextMarker(final long nowMillis, final String campagna) {
        length = 0;
        appendFresh(nowMillis, 0, false, campagna);
    }

    private void appendEvent(final long nowMillis) {
        final double draw = random.nextDouble();
        if (draw < duplicateShare && historyCount > 0) {
            final int slot = (int) ((historyCount - 1 - random.nextLong(Math.min(historyCount, HISTORY))) % HISTORY);
            append(history[slot], 0, historyLength[slot]);
            return;
        }
        final boolean invalid = draw >= duplicateShare && draw < duplicateShare + invalidShare;
        final long latenessMs = random.nextDouble() < outOfOrderShare ? random.nextLong(MAX_LATENESS_MS + 1) : 0;
        final int start = length;
        appendFresh(nowMillis, latenessMs, invalid, CAMPAGNE_BYTES[random.nextInt(CAMPAGNE_BYTES.length)]);
        if (!invalid && length - start <= MAX_EVENT_BYTES) {
            final int slot = (int) (historyCount++ % HISTORY);
            System.arraycopy(body, start, history[slot], 0, length - start);
            historyLength[slot] = length - start;
        }
    }

    private void appendFresh(final long nowMillis, final long latenessMs, final boolean invalid, final String campagna) {
        appendFresh(nowMillis, latenessMs, invalid, campagna.getBytes(StandardCharsets.UTF_8));
    }

    private void appendFresh(final long nowMillis, final long latenessMs, final boolean invalid, final byte[] campagna) {
        append(ID_CLIENTE);
        for (int i = 0; i < 4; i++) {
            put((byte) ('A' + random.nextInt(26)));
        }
        put((byte) '-');
        digits(random.nextInt(1_000_000), 6);
        append(EVENTO);
        append(EVENTI_BYTES[random.nextInt(EVENTI_BYTES.length)]);
        append(TIMESTAMP);
        appendInstant(nowMillis - latenessMs);
        append(VALORE);
        final int cents = random.nextInt(100_000);
        digits(cents / 100, 1);
        put((byte) '.');
        digits(cents % 100, 2);
        final boolean badChannel = invalid && random.nextBoolean();
        if (invalid && !badChannel) {
            put((byte) '5');
        }
        append(CANALE);
        append(badChannel ? FAX : CANALI_BYTES[random.nextInt(CANALI_BYTES.length)]);
        append(CAMPAGNA);
        append(campagna);
        append(DISPOSITIVO);
        append(DISPOSITIVI_BYTES[random.nextInt(DISPOSITIVI_BYTES.length)]);
        append(LOCALITA_KEY);
        append(LOCALITA_BYTES[random.nextInt(LOCALITA_BYTES.length)]);
        append(CLOSE);
    }

    /** The instant as RFC 3339 UTC millis; most events of a batch share {@code nowMillis}, so the last is kept. */
    private void appendInstant(final long epochMillis) {
        if (epochMillis != instantMillis || instantLength == 0) {
            instantLength = UtcInstant.format(instant, 0, epochMillis);
            instantMillis = epochMillis;
        }
        append(instant, 0, instantLength);
    }

    /** {@code value} in decimal, left-padded with zeros to at least {@code width} digits. */
    void digits(final long value, final int width) {
        int n = 1;
        for (long v = value / 10; v > 0; v /= 10) {
            n++;
        }
        n = Math.max(n, width);
        ensure(n);
        long v = value;
        for (int i = length + n - 1; i >= length; i--) {
            body[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        length += n;
    }

    void put(final byte b) {
        ensure(1);
        body[length++] = b;
    }

    private void append(final byte[] src) {
        append(src, 0, src.length);
    }

    private void append(final byte[] src, final int offset, final int count) {
        ensure(count);
        System.arraycopy(src, offset, body, length, count);
        length += count;
    }

    private void ensure(final int more) {
        if (length + more > body.length) {
            body = Arrays.copyOf(body, Math.max(body.length * 2, length + more));
        }
    }

    private static byte[][] ascii(final String[] values) {
        final byte[][] bytes = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = ascii(values[i]);
        }
        return bytes;
    }

    private static byte[] ascii(final String value) {
        return value.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return new String(body, 0, length, StandardCharsets.UTF_8);
    }
}
