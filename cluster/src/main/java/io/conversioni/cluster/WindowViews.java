package io.conversioni.cluster;

import io.conversioni.window.CampaignNames;
import io.conversioni.window.WindowCellFlyweight;
import io.conversioni.window.WindowView;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Compares two {@link WindowView}s as their readers see them: per window start, {@code chiusa}, revision, every field
 * of the total, evento and canale cells, and the campaign cells by campaign name (ids differ between stores). For
 * tests and checks, not for live reads. Any thread; allocates the copies it compares.
 */
final class WindowViews {
    private WindowViews() {
    }

    /** Null when both hold the same windows, else the first difference in words. */
    static String firstDifference(final WindowView a, final WindowView b) {
        final TreeMap<Long, String> left = describe(a);
        final TreeMap<Long, String> right = describe(b);
        if (!left.keySet().equals(right.keySet())) {
            return "windows " + left.keySet() + " against " + right.keySet();
        }
        for (Long start : left.keySet()) {
            if (!left.get(start).equals(right.get(start))) {
                return "window " + start + ": " + left.get(start) + " against " + right.get(start);
            }
        }
        return null;
    }

    private static TreeMap<Long, String> describe(final WindowView view) {
        final TreeMap<Long, String> out = new TreeMap<>();
        final long head = view.headWindowStartMillis();
        if (head == Long.MIN_VALUE) {
            return out;
        }
        final long length = view.config().windowLengthMs();
        final CampaignNames names = view.campaigns();
        view.forEachWindow(head - view.config().horizonMs() + length, head + length, view.newSnapshot(), w -> {
            if (w.total().uniqueCount() + w.total().duplicateCount() + w.total().rejectedCount() == 0) {
                return;
            }
            final StringBuilder s = new StringBuilder().append("chiusa=").append(w.closed())
                .append(" revisione=").append(w.revision());
            for (int c = 0; c < w.fixedCellCount(); c++) {
                s.append(" cell").append(c).append('=').append(fields(w.cellAt(c)));
            }
            final List<String> campaigns = new ArrayList<>();
            for (int id = 0; id < w.campaignCellsUsed(); id++) {
                final String f = fields(w.campagna(id));
                if (!f.matches("\\[0(, 0)*\\]")) {
                    campaigns.add(names.name(id) + "=" + f);
                }
            }
            campaigns.sort(null);
            out.put(w.windowStartMillis(), s.append(" campagne=").append(campaigns).toString());
        });
        return out;
    }

    private static String fields(final WindowCellFlyweight cell) {
        final long[] f = new long[cell.fieldCount()];
        for (int i = 0; i < f.length; i++) {
            f[i] = cell.field(i);
        }
        return java.util.Arrays.toString(f);
    }
}
