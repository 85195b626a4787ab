package io.conversioni.window;

import static io.conversioni.window.WindowRingDescriptor.STORE_HEADER_LENGTH;
import static io.conversioni.window.WindowRingDescriptor.VERSION_OFFSET;
import static io.conversioni.window.WindowRingDescriptor.WINDOW_HEADER_LENGTH;

/**
 * Field-by-field comparison and digest of two stores' state, for determinism tests (live vs replay) and
 * checkpoints. Compares the store header, every window header except its sequence-lock version (which
 * counts writes, not content), every cell, and the campaign dictionary.
 *
 * <p>Threading: call from the window thread, or once writers stopped. Allocation: only to describe a difference.
 */
final class WindowStateComparison {
    private static final String[] STORE_FIELDS = {
        "watermarkMillis", "maxEventTimeMillis", "headWindowIndex", "tooLateCount", "futureCount",
        "rejectedOutsideHorizonCount", "lastSequence", "heartbeatCount"};
    private static final String[] WINDOW_FIELDS = {"version", "windowIndex", "revision", "closed", "campaignCellsUsed"};
    private static final String[] CELL_FIELDS = {
        "uniqueCount", "duplicateCount", "rejectedCount", "lateCount", "valueSumCents", "numeratorCount",
        "denominatorCount"};

    private WindowStateComparison() {
    }

    static String firstDifference(
        final WindowRing a, final CampaignDictionary dictA, final WindowRing b, final CampaignDictionary dictB) {
        if (a.strideBytes != b.strideBytes || a.windowCount != b.windowCount) {
            return "different shapes: stride " + a.strideBytes + " vs " + b.strideBytes + ", windows "
                + a.windowCount + " vs " + b.windowCount;
        }
        for (int i = 0; i < STORE_FIELDS.length; i++) {
            final long x = a.buffer.getLong(i * Long.BYTES);
            final long y = b.buffer.getLong(i * Long.BYTES);
            if (x != y) {
                return "store " + STORE_FIELDS[i] + ": " + x + " vs " + y;
            }
        }
        for (int slot = 0; slot < a.windowCount; slot++) {
            final int base = a.slotOffset(slot);
            for (int field = Long.BYTES; field < a.strideBytes; field += Long.BYTES) {
                final long x = a.buffer.getLong(base + field);
                final long y = b.buffer.getLong(base + field);
                if (x != y) {
                    return "slot " + slot + " (window " + a.buffer.getLong(base + Long.BYTES) + ") "
                        + describe(a, field) + ": " + x + " vs " + y;
                }
            }
        }
        if (dictA.sizeAcquire() != dictB.sizeAcquire()) {
            return "campaign dictionary size: " + dictA.sizeAcquire() + " vs " + dictB.sizeAcquire();
        }
        for (int id = 0; id < dictA.sizeAcquire(); id++) {
            if (!dictA.name(id).equals(dictB.name(id))) {
                return "campaign id " + id + ": " + dictA.name(id) + " vs " + dictB.name(id);
            }
        }
        if (dictA.overflowCountAcquire() != dictB.overflowCountAcquire()) {
            return "campaign overflow count: " + dictA.overflowCountAcquire() + " vs " + dictB.overflowCountAcquire();
        }
        return null;
    }

    static long checksum(final WindowRing ring, final CampaignDictionary dict) {
        long h = 1125899906842597L;
        for (int i = 0; i < STORE_FIELDS.length; i++) {
            h = mix(h, ring.buffer.getLong(i * Long.BYTES));
        }
        for (int slot = 0; slot < ring.windowCount; slot++) {
            final int base = ring.slotOffset(slot);
            for (int field = Long.BYTES; field < ring.strideBytes; field += Long.BYTES) {
                h = mix(h, ring.buffer.getLong(base + field));
            }
        }
        for (int id = 0; id < dict.sizeAcquire(); id++) {
            h = mix(h, dict.name(id).hashCode());
        }
        return mix(h, dict.overflowCountAcquire());
    }

    private static long mix(final long h, final long v) {
        long x = (h ^ v) * 0x9E3779B97F4A7C15L;
        x ^= x >>> 29;
        return x;
    }

    private static String describe(final WindowRing ring, final int fieldOffset) {
        if (fieldOffset < WINDOW_HEADER_LENGTH) {
            final int i = (fieldOffset - VERSION_OFFSET) / Long.BYTES;
            return i < WINDOW_FIELDS.length ? WINDOW_FIELDS[i] : "header+" + fieldOffset;
        }
        final int cellIndex = (fieldOffset - WINDOW_HEADER_LENGTH) / ring.cellLengthBytes;
        final int within = (fieldOffset - WINDOW_HEADER_LENGTH) % ring.cellLengthBytes / Long.BYTES;
        final String field = within < CELL_FIELDS.length
            ? CELL_FIELDS[within] : "statoCount[" + (within - CELL_FIELDS.length) + "]";
        final String cell;
        if (cellIndex == 0) {
            cell = "total";
        } else if (cellIndex <= ring.eventoCount) {
            cell = "evento " + (cellIndex - 1);
        } else if (cellIndex < ring.fixedCells) {
            cell = "canale " + (cellIndex - 1 - ring.eventoCount);
        } else if (cellIndex < ring.fixedCells + ring.campaignCapacity) {
            cell = "campagna " + (cellIndex - ring.fixedCells);
        } else {
            cell = "padding";
        }
        return cell + "." + field;
    }
}
