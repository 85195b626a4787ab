package io.conversioni.alert;

import io.conversioni.journal.TextRecordQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The alerts: one open alert per (regola, chiave) at most — one per episode — with an optional hold-down
 * before it resolves, every change journaled and handed to the {@link AlertListener}, and an immutable
 * {@link Snapshot} published for readers after each change.
 *
 * <p>Threading: single writer, the rules thread (the constructor may run elsewhere, before that thread
 * starts); readers use {@link #snapshot()} from any thread. Allocation: lookups of an open alert by
 * existing strings allocate nothing; opening, resolving and publishing allocate (they are rare). Growth:
 * at most {@code maxHistory} alerts in memory (open ones always); the journal keeps all.
 */
final class AlertBook {
    private static final Logger LOG = LoggerFactory.getLogger(AlertBook.class);

    /** What readers see: newest first, and the counts the metrics export. */
    record Snapshot(List<Alert> newestFirst, Map<String, Long> openByRule, Map<String, Long> firedByRule) {
    }

    private static final class Open {
        Alert alert;
        long clearSinceMillis = -1;
    }

    private final TextRecordQueue journal;
    private final AlertListener listener;
    /** Rules thread only: see {@link #quiet(boolean)}. */
    private boolean quiet;
    private final int maxHistory;
    private final Map<String, Map<String, Open>> open = new HashMap<>();
    private final LinkedHashMap<String, Alert> history = new LinkedHashMap<>();
    private final Map<String, Long> fired = new TreeMap<>();
    private long nextId = 1;
    private volatile Snapshot snapshot;

    /** Reloads the journal: open alerts stay open. */
    AlertBook(final TextRecordQueue journal, final AlertListener listener, final int maxHistory) {
        this.journal = journal;
        this.listener = listener;
        this.maxHistory = maxHistory;
        for (String rule : AlertConfig.RULES) {
            fired.put(rule, 0L);
        }
        journal.forEach(text -> {
            try {
                reload(Alert.fromJson(text));
            } catch (RuntimeException e) {
                LOG.warn("alert journal record skipped ({}): {}", e.getMessage(), text);
            }
        });
        trim();
        publish();
        LOG.info("alert journal reloaded: {} alerts, {} open", history.size(), countOpen());
    }

    private void reload(final Alert a) {
        if (!history.containsKey(a.id())) {
            fired.merge(a.regola(), 1L, Long::sum);
        }
        history.put(a.id(), a);
        try {
            nextId = Math.max(nextId, Long.parseLong(a.id()) + 1);
        } catch (NumberFormatException ignored) {
            // ids are numbers when this book wrote them; keep counting from what we have
        }
        final Map<String, Open> byKey = open.computeIfAbsent(a.regola(), r -> new HashMap<>());
        if (a.aperto()) {
            final Open o = new Open();
            o.alert = a;
            byKey.put(a.chiave(), o);
        } else {
            final Open o = byKey.get(a.chiave());
            if (o != null && o.alert.id().equals(a.id())) {
                byKey.remove(a.chiave());
            }
        }
    }

    boolean isOpen(final String regola, final String chiave) {
        final Map<String, Open> byKey = open.get(regola);
        return byKey != null && byKey.containsKey(chiave);
    }

    /** Keys of the rule's open alerts (a copy: callers resolve while they iterate). */
    List<String> openKeys(final String regola) {
        final Map<String, Open> byKey = open.get(regola);
        return byKey == null || byKey.isEmpty() ? Collections.emptyList() : new ArrayList<>(byKey.keySet());
    }

    /**
     * The condition holds: opens an alert unless one is open for the key (the same episode; a pending
     * resolve is cancelled). Returns true when it opened one.
     */
    boolean holds(final String regola, final String chiave, final long atMillis, final String messaggio,
                  final double valore, final double soglia) {
        final Map<String, Open> byKey = open.computeIfAbsent(regola, r -> new HashMap<>());
        final Open existing = byKey.get(chiave);
        if (existing != null) {
            existing.clearSinceMillis = -1;
            return false;
        }
        final Open o = new Open();
        o.alert = new Alert(Long.toString(nextId++), regola, chiave, atMillis, -1, messaggio, valore, soglia);
        byKey.put(chiave, o);
        fired.merge(regola, 1L, Long::sum);
        changed(o.alert);
        LOG.warn("alert {} {} {}: {}", o.alert.id(), regola, chiave, messaggio);
        return true;
    }

    /** True when an alert is open for the key; cancels a pending resolve (for callers that build no message). */
    boolean stillHolds(final String regola, final String chiave) {
        final Map<String, Open> byKey = open.get(regola);
        final Open o = byKey == null ? null : byKey.get(chiave);
        if (o != null) {
            o.clearSinceMillis = -1;
        }
        return o != null;
    }

    /**
     * The condition no longer holds: an open alert resolves once it has not held for
     * {@code holdDownMillis} (0: at once). Returns true when it resolved one.
     */
    boolean lapses(final String regola, final String chiave, final long atMillis, final long holdDownMillis) {
        final Map<String, Open> byKey = open.get(regola);
        final Open o = byKey == null ? null : byKey.get(chiave);
        if (o == null) {
            return false;
        }
        if (o.clearSinceMillis < 0) {
            o.clearSinceMillis = atMillis;
        }
        if (atMillis - o.clearSinceMillis < holdDownMillis) {
            return false;
        }
        byKey.remove(chiave);
        final Alert resolved = o.alert.resolved(atMillis);
        changed(resolved);
        LOG.info("alert {} {} {} resolved", resolved.id(), regola, chiave);
        return true;
    }

    /**
     * Takes another node's state of a cluster-wide alert ({@code regola}, {@code chiave}) without telling the
     * listener (that node notified it): an open one is opened here too when {@code adoptOpen} and none is open for
     * the key; a resolved one resolves the alert open here for the key, unless that opened after the resolution.
     * Journaled like any change. Returns true when it changed something.
     */
    boolean takeOver(final Alert state, final boolean adoptOpen) {
        final Map<String, Open> byKey = open.computeIfAbsent(state.regola(), r -> new HashMap<>());
        final Open mine = byKey.get(state.chiave());
        if (state.aperto()) {
            if (mine != null || !adoptOpen) {
                return false;
            }
            final Open o = new Open();
            o.alert = new Alert(Long.toString(nextId++), state.regola(), state.chiave(), state.apertoIl(), -1,
                state.messaggio(), state.valore(), state.soglia());
            byKey.put(state.chiave(), o);
            record(o.alert);
            LOG.info("alert {} {} {} taken over open, not notified again", o.alert.id(), state.regola(), state.chiave());
            return true;
        }
        if (mine == null || mine.alert.apertoIl() > state.risoltoIl()) {
            return false;
        }
        byKey.remove(state.chiave());
        final Alert resolved = mine.alert.resolved(state.risoltoIl());
        record(resolved);
        LOG.info("alert {} {} {} resolved by another node's state, not notified again", resolved.id(), state.regola(),
            state.chiave());
        return true;
    }

    /**
     * Rules thread: while true, changes are journaled and kept but not told to the listener (the rules are reading
     * records that a replaced node already decided, and it notified their alerts).
     */
    void quiet(final boolean on) {
        quiet = on;
    }

    private void changed(final Alert a) {
        record(a);
        if (quiet) {
            LOG.info("alert {} {} {} {} from a record decided before (a rebuild), not notified again", a.id(), a.regola(),
                a.chiave(), a.stato());
            return;
        }
        try {
            listener.onChange(a);
        } catch (RuntimeException e) {
            LOG.error("alert listener failed on alert {}", a.id(), e);
        }
    }

    private void record(final Alert a) {
        history.put(a.id(), a);
        try {
            journal.append(a.toJson());
        } catch (RuntimeException e) {
            LOG.error("alert journal append failed; alert {} kept in memory only", a.id(), e);
        }
        trim();
        publish();
    }

    private void trim() {
        final Iterator<Alert> it = history.values().iterator();
        while (history.size() > maxHistory && it.hasNext()) {
            if (!it.next().aperto()) {
                it.remove();
            }
        }
    }

    private long countOpen() {
        long n = 0;
        for (Map<String, Open> byKey : open.values()) {
            n += byKey.size();
        }
        return n;
    }

    private void publish() {
        final List<Alert> list = new ArrayList<>(history.values());
        list.sort((a, b) -> a.apertoIl() != b.apertoIl() ? Long.compare(b.apertoIl(), a.apertoIl())
            : compareIds(b.id(), a.id()));
        final Map<String, Long> openByRule = new TreeMap<>();
        for (String rule : AlertConfig.RULES) {
            openByRule.put(rule, 0L);
        }
        for (Map.Entry<String, Map<String, Open>> e : open.entrySet()) {
            openByRule.merge(e.getKey(), (long) e.getValue().size(), Long::sum);
        }
        snapshot = new Snapshot(Collections.unmodifiableList(list), Collections.unmodifiableMap(openByRule),
            Collections.unmodifiableMap(new TreeMap<>(fired)));
    }

    private static int compareIds(final String a, final String b) {
        return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
    }

    /** Any thread. */
    Snapshot snapshot() {
        return snapshot;
    }

    /** For tests and reports: alerts of every state. */
    Collection<Alert> all() {
        return snapshot.newestFirst();
    }
}
