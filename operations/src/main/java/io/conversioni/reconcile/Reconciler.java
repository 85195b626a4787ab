package io.conversioni.reconcile;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares the engine's accepted events with the CRM's, per closed window × evento/canale: first by tally
 * (count, exact value sum, fingerprint checksum); where a tally differs, event by event (matched by
 * fingerprint, as a multiset: an event the CRM lists twice but the engine counted once is one missing).
 * Windows the watermark has not closed yet are skipped: they may still change. Stateless; any thread;
 * allocates per event.
 */
public final class Reconciler {
    private Reconciler() {
    }

    /** Over the whole range the ledger was replayed for. */
    public static ReconciliationResult compare(final EngineLedger engine, final List<LedgerEvent> crm, final String fonte) {
        return compare(engine, crm, fonte, engine.fromMillis(), engine.toMillis());
    }

    /** Over the windows of {@code [fromMillis, toMillis)}, which must lie within the ledger's range. */
    public static ReconciliationResult compare(final EngineLedger engine, final List<LedgerEvent> crm, final String fonte,
                                               final long fromMillis, final long toMillis) {
        final long length = engine.windowLengthMillis();
        final long from = Math.floorDiv(fromMillis, length) * length;
        final long to = toMillis;
        final long watermark = engine.watermarkMillis();
        final List<LedgerEvent> inRange = new ArrayList<>();
        for (LedgerEvent e : engine.accepted()) {
            final long start = e.windowStartMillis(length);
            if (start >= from && start < to) {
                inRange.add(e);
            }
        }
        final Map<PairKey, List<LedgerEvent>> ours = group(inRange, length);
        final Map<PairKey, List<LedgerEvent>> theirs = new TreeMap<>();
        long outside = 0;
        for (LedgerEvent e : crm) {
            final long start = e.windowStartMillis(length);
            if (start < from || start >= to || !closed(start, length, watermark)) {
                outside++;
                continue;
            }
            theirs.computeIfAbsent(new PairKey(start, e.evento(), e.canale()), k -> new ArrayList<>()).add(e);
        }
        final TreeSet<PairKey> keys = new TreeSet<>();
        ours.keySet().stream().filter(k -> closed(k.windowStartMillis(), length, watermark)).forEach(keys::add);
        keys.addAll(theirs.keySet());
        final List<PairKey> matched = new ArrayList<>();
        final List<Mismatch> mismatches = new ArrayList<>();
        for (PairKey key : keys) {
            final List<LedgerEvent> a = ours.getOrDefault(key, List.of());
            final List<LedgerEvent> b = theirs.getOrDefault(key, List.of());
            final Tally ta = tally(a);
            final Tally tb = tally(b);
            if (ta.matches(tb)) {
                matched.add(key);
            } else {
                mismatches.add(differences(key, ta, tb, a, b, engine));
            }
        }
        long windows = 0;
        long open = 0;
        for (long start = from; start < to; start += length) {
            if (closed(start, length, watermark)) {
                windows++;
            } else {
                open++;
            }
        }
        return new ReconciliationResult(from, to, length, fonte, windows, matched, mismatches, open, outside,
            inRange.size(), crm.size());
    }

    private static boolean closed(final long start, final long length, final long watermark) {
        return watermark != Long.MIN_VALUE && start + length <= watermark;
    }

    private static Map<PairKey, List<LedgerEvent>> group(final List<LedgerEvent> events, final long length) {
        final Map<PairKey, List<LedgerEvent>> out = new TreeMap<>();
        for (LedgerEvent e : events) {
            out.computeIfAbsent(new PairKey(e.windowStartMillis(length), e.evento(), e.canale()), k -> new ArrayList<>())
                .add(e);
        }
        return out;
    }

    private static Tally tally(final List<LedgerEvent> events) {
        final Tally t = new Tally();
        events.forEach(t::add);
        return t;
    }

    private static Mismatch differences(final PairKey key, final Tally ta, final Tally tb, final List<LedgerEvent> ours,
                                        final List<LedgerEvent> theirs, final EngineLedger engine) {
        final Map<Long, Deque<LedgerEvent>> byFingerprint = new HashMap<>();
        for (LedgerEvent e : ours) {
            byFingerprint.computeIfAbsent(e.fingerprint(), f -> new ArrayDeque<>()).add(e);
        }
        final List<Mismatch.Missing> missing = new ArrayList<>();
        final List<Mismatch.ValueDifference> values = new ArrayList<>();
        for (LedgerEvent c : theirs) {
            final Deque<LedgerEvent> same = byFingerprint.get(c.fingerprint());
            final LedgerEvent m = same == null ? null : same.pollFirst();
            if (m == null) {
                missing.add(new Mismatch.Missing(c, engine.otherOutcome(c.fingerprint())));
            } else if (m.valoreCents() != c.valoreCents()) {
                values.add(new Mismatch.ValueDifference(m, c));
            }
        }
        final List<LedgerEvent> extra = new ArrayList<>();
        for (LedgerEvent e : ours) {
            final Deque<LedgerEvent> left = byFingerprint.get(e.fingerprint());
            if (left != null && left.remove(e)) {
                extra.add(e);
            }
        }
        return new Mismatch(key, ta, tb, List.copyOf(missing), List.copyOf(extra), List.copyOf(values));
    }
}
