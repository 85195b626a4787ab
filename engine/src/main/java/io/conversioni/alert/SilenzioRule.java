package io.conversioni.alert;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Arrays;
import java.util.List;

/**
 * {@code silenzio}: a canale that sent at least one event since start has sent none for {@code after}
 * (measured on stream time, which heartbeats advance while nothing arrives). Resolves with the canale's
 * next event. In cluster mode it runs on the elected node only and hears every partition's events through
 * {@link #seen} instead of its engine's ({@code fromCluster}). Rules thread only; allocates nothing per event.
 */
final class SilenzioRule implements StreamRule {
    private final AlertBook book;
    private final long afterMillis;
    private final String[] keys;
    private final String[] canali;
    private final long[] lastSeen;
    private final boolean fromCluster;

    SilenzioRule(final AlertBook book, final AlertConfig c, final List<String> canali) {
        this(book, c, canali, false);
    }

    SilenzioRule(final AlertBook book, final AlertConfig c, final List<String> canali, final boolean fromCluster) {
        this.fromCluster = fromCluster;
        this.book = book;
        this.afterMillis = c.silenzioAfterMillis;
        this.canali = canali.toArray(new String[0]);
        this.keys = new String[canali.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "canale=" + canali.get(i);
        }
        this.lastSeen = new long[canali.size()];
        Arrays.fill(lastSeen, Long.MIN_VALUE);
    }

    @Override
    public String name() {
        return AlertConfig.SILENZIO;
    }

    @Override
    public void onEvent(final FeedRecord e, final long now) {
        if (!fromCluster) {
            seen(e.canale, e.receiveMillis, now);
        }
    }

    /** An event of {@code canale} received at {@code receiveMillis} (this engine's, or anywhere in the cluster). */
    void seen(final int canale, final long receiveMillis, final long now) {
        if (canale < 0 || canale >= keys.length) {
            return;
        }
        lastSeen[canale] = Math.max(lastSeen[canale], receiveMillis);
        book.lapses(AlertConfig.SILENZIO, keys[canale], now, 0);
    }

    @Override
    public void onTime(final long now) {
        for (int c = 0; c < keys.length; c++) {
            if (lastSeen[c] != Long.MIN_VALUE && now - lastSeen[c] >= afterMillis
                && !book.stillHolds(AlertConfig.SILENZIO, keys[c])) {
                book.holds(AlertConfig.SILENZIO, keys[c], now, "no events from canale " + canali[c] + " for "
                    + (now - lastSeen[c]) / 1000 + " s (since " + java.time.Instant.ofEpochMilli(lastSeen[c]) + ")",
                    (now - lastSeen[c]) / 1000.0, afterMillis / 1000.0);
            }
        }
    }

    /**
     * Nothing to keep: an open silenzio alert stays open across a restart until the canale's next event, and a
     * canale counts as quiet only once it sent since this start, so a restart after a long stop does not call
     * every canale silent.
     */
    @Override
    public void writeState(final DataOutputStream out) {
        // stateless across restarts, on purpose
    }

    @Override
    public void readState(final DataInputStream in) {
        // see writeState
    }
}
