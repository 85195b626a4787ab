package io.conversioni.alert;

import io.conversioni.pipeline.Outcome;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code duplicati}: more than {@code threshold} duplicates within {@code window} (the seed article's 3 in
 * 10 minutes), per canale and per id_cliente. Each key keeps the receive times of its last
 * {@code threshold + 1} duplicates, which is all it takes to know whether more than {@code threshold}
 * fall in the window. Per id_cliente state is bounded to {@code max_clients} keys, least recently
 * duplicated evicted first (an evicted key's open alert resolves then). Rules thread only; allocates the
 * key String of a duplicate's id_cliente and, for a new client, its ring.
 */
final class DuplicatiRule implements StreamRule {
    private final AlertBook book;
    private final int threshold;
    private final long windowMillis;
    private final long holdDownMillis;
    private final int maxClients;
    private final String[] canaleKeys;
    private final String[] canali;
    private final long[][] byCanale;
    private final LinkedHashMap<String, long[]> byClient = new LinkedHashMap<>(64, 0.75f, true);

    /** Where the canale keys' duplicates come from (a cluster node's share: {@link RulePlacement}). */
    private final RulePlacement.Source canaleSource;

    DuplicatiRule(final AlertBook book, final AlertConfig c, final List<String> canali) {
        this(book, c, canali, RulePlacement.Source.LOCAL);
    }

    DuplicatiRule(final AlertBook book, final AlertConfig c, final List<String> canali,
                  final RulePlacement.Source canaleSource) {
        this.canaleSource = canaleSource;
        this.book = book;
        this.threshold = (int) c.duplicatiThreshold;
        this.windowMillis = c.duplicatiWindowMillis;
        this.holdDownMillis = c.duplicatiResolveAfterMillis;
        this.maxClients = c.duplicatiMaxClients;
        this.canali = canali.toArray(new String[0]);
        this.canaleKeys = new String[canali.size()];
        this.byCanale = new long[canali.size()][];
        for (int i = 0; i < canaleKeys.length; i++) {
            canaleKeys[i] = "canale=" + canali.get(i);
            byCanale[i] = newRing();
        }
    }

    @Override
    public String name() {
        return AlertConfig.DUPLICATI;
    }

    /** Slot 0: count stored; then the last threshold + 1 receive times, oldest overwritten. */
    private long[] newRing() {
        return new long[threshold + 2];
    }

    @Override
    public void onEvent(final FeedRecord e, final long now) {
        if (e.outcome != Outcome.DUPLICATE) {
            return;
        }
        if (canaleSource == RulePlacement.Source.LOCAL) {
            canaleDuplicate(e.canale, e.receiveMillis, now);
        }
        if (e.idLength > 0) {
            final String id = e.idCliente();
            long[] ring = byClient.get(id);
            if (ring == null) {
                ring = newRing();
                byClient.put(id, ring);
                evictBeyondBound(now);
            }
            record(ring, e.receiveMillis);
            evaluate("id_cliente=" + id, "id_cliente " + id, ring, now);
        }
    }

    /** A duplicate of {@code canale} received then: on this engine, or anywhere in the cluster (the elected node). */
    void canaleDuplicate(final int canale, final long receiveMillis, final long now) {
        if (canale >= 0 && canale < byCanale.length) {
            record(byCanale[canale], receiveMillis);
            evaluate(canaleKeys[canale], "canale " + canali[canale], byCanale[canale], now);
        }
    }

    private void evictBeyondBound(final long now) {
        final Iterator<Map.Entry<String, long[]>> it = byClient.entrySet().iterator();
        while (byClient.size() > maxClients && it.hasNext()) {
            final String id = it.next().getKey();
            it.remove();
            book.lapses(AlertConfig.DUPLICATI, "id_cliente=" + id, now, 0);
        }
    }

    private void record(final long[] ring, final long receiveMillis) {
        final int slots = ring.length - 1;
        final long count = ring[0];
        ring[1 + (int) (count % slots)] = receiveMillis;
        ring[0] = count + 1;
    }

    private int inWindow(final long[] ring, final long now) {
        final int stored = (int) Math.min(ring[0], ring.length - 1);
        int n = 0;
        for (int i = 1; i <= stored; i++) {
            if (now - ring[i] < windowMillis) {
                n++;
            }
        }
        return n;
    }

    private void evaluate(final String chiave, final String what, final long[] ring, final long now) {
        final int n = inWindow(ring, now);
        if (n > threshold) {
            if (!book.stillHolds(AlertConfig.DUPLICATI, chiave)) {
                book.holds(AlertConfig.DUPLICATI, chiave, now, "more than " + threshold + " duplicates in "
                    + windowMillis / 1000 + " s for " + what, n, threshold);
            }
        } else {
            book.lapses(AlertConfig.DUPLICATI, chiave, now, holdDownMillis);
        }
    }

    @Override
    public void onTime(final long now) {
        for (String chiave : book.openKeys(AlertConfig.DUPLICATI)) {
            long[] ring = null;
            for (int i = 0; i < canaleKeys.length && ring == null; i++) {
                if (canaleKeys[i].equals(chiave)) {
                    ring = byCanale[i];
                }
            }
            if (ring == null && chiave.startsWith("id_cliente=")) {
                ring = byClient.get(chiave.substring("id_cliente=".length()));
            }
            if (ring == null || inWindow(ring, now) <= threshold) {
                book.lapses(AlertConfig.DUPLICATI, chiave, now, holdDownMillis);
            }
        }
    }

    /** Threshold and canali, then each canale's ring, then the clients' rings least recently duplicated first. */
    @Override
    public void writeState(final DataOutputStream out) throws IOException {
        out.writeInt(threshold);
        RuleStateFile.writeCanali(out, canali);
        for (long[] ring : byCanale) {
            writeRing(out, ring);
        }
        out.writeInt(byClient.size());
        for (Map.Entry<String, long[]> e : byClient.entrySet()) {
            out.writeUTF(e.getKey());
            writeRing(out, e.getValue());
        }
    }

    @Override
    public void readState(final DataInputStream in) throws IOException {
        RuleStateFile.expect(in.readInt() == threshold, "duplicati.threshold");
        RuleStateFile.checkCanali(in, canali);
        for (long[] ring : byCanale) {
            readRing(in, ring);
        }
        final int clients = in.readInt();
        for (int i = 0; i < clients; i++) {
            final String id = in.readUTF();
            final long[] ring = newRing();
            readRing(in, ring);
            if (clients - i <= maxClients) { // a lowered max_clients keeps the most recently duplicated
                byClient.put(id, ring);
            }
        }
    }

    private static void writeRing(final DataOutputStream out, final long[] ring) throws IOException {
        for (long v : ring) {
            out.writeLong(v);
        }
    }

    private static void readRing(final DataInputStream in, final long[] ring) throws IOException {
        for (int i = 0; i < ring.length; i++) {
            ring[i] = in.readLong();
        }
    }
}
