package io.conversioni.bench.load;

import io.conversioni.json.UtcInstant;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The load generator's traffic as it was first written, a character at a time: the reference the faster
 * {@link TrafficModel} must match byte for byte.
 *
 * <p>Seeded, realistic conversion events written as JSON into a reusable byte array: the README's event shape,
 * timestamps of now (UTC, millis) or up to 60 s late, a share of exact re-sends of an earlier event (webhook
 * re-delivery) and a share of events the schema refuses. Single thread (its owner's); after construction it
 * allocates only when a body outgrows its array (doubling). The same seed gives the same choices in the same order.
 */
final class ReferenceTraffic {
    private static final String[] EVENTI = {"richiesta_demo", "acquisto_concluso", "iscrizione_evento", "cancello_abbandono"};
    private static final String[] CANALI = {"email", "social_media", "webform", "sms"};
    private static final String[] CAMPAGNE = {"Campagna_Email_Verano2024", "Black_Friday_2024", "Lancio_Prodotto_Q3",
        "Retargeting_Social", "Webinar_Autunno"};
    private static final String[] DISPOSITIVI = {"iPad_pro", "iPhone_15", "Android", "Desktop_Chrome", "Desktop_Safari"};
    private static final String[] LOCALITA = {"Roma", "Milano", "Napoli", "Torino", "Bologna", "Firenze"};
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
    private byte[] body = new byte[4096];
    private int length;

    ReferenceTraffic(final long seed, final double duplicateShare, final double invalidShare, final double outOfOrderShare) {
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
        appendFresh(nowMillis, latenessMs, invalid, CAMPAGNE[random.nextInt(CAMPAGNE.length)]);
        if (!invalid && length - start <= MAX_EVENT_BYTES) {
            final int slot = (int) (historyCount++ % HISTORY);
            System.arraycopy(body, start, history[slot], 0, length - start);
            historyLength[slot] = length - start;
        }
    }

    private void appendFresh(final long nowMillis, final long latenessMs, final boolean invalid, final String campagna) {
        ascii("{\"id_cliente\":\"CLIENTE-");
        for (int i = 0; i < 4; i++) {
            put((byte) ('A' + random.nextInt(26)));
        }
        put((byte) '-');
        digits(random.nextInt(1_000_000), 6);
        ascii("\",\"evento\":\"").ascii(EVENTI[random.nextInt(EVENTI.length)]);
        ascii("\",\"timestamp\":\"");
        final byte[] scratch = new byte[UtcInstant.MAX_LENGTH];
        final int end = UtcInstant.format(scratch, 0, nowMillis - latenessMs);
        for (int i = 0; i < end; i++) {
            put(scratch[i]);
        }
        ascii("\",\"valore\":");
        final int cents = random.nextInt(100_000);
        digits(cents / 100, 1);
        put((byte) '.');
        digits(cents % 100, 2);
        final boolean badChannel = invalid && random.nextBoolean();
        if (invalid && !badChannel) {
            put((byte) '5');
        }
        ascii(",\"canale\":\"").ascii(badChannel ? "fax" : CANALI[random.nextInt(CANALI.length)]);
        ascii("\",\"stato\":\"completato\",\"metadati\":{\"campagna\":\"").ascii(campagna);
        ascii("\",\"dispositivo\":\"").ascii(DISPOSITIVI[random.nextInt(DISPOSITIVI.length)]);
        ascii("\",\"localita\":\"").ascii(LOCALITA[random.nextInt(LOCALITA.length)]).ascii("\"}}");
    }

    ReferenceTraffic ascii(final String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            body[length++] = (byte) s.charAt(i);
        }
        return this;
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

    @Override
    public String toString() {
        return new String(body, 0, length, StandardCharsets.UTF_8);
    }
}
