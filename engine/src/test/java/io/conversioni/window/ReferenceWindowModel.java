package io.conversioni.window;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The differential oracle: the window rules written the plain way, with boxed maps and no ring, no
 * off-heap buffer and no sequence lock. Test thread only; allocates freely.
 */
final class ReferenceWindowModel {
    static final int UNIQUE = 0;
    static final int DUPLICATE = 1;
    static final int REJECTED = 2;
    static final int LATE = 3;
    static final int SUM = 4;
    static final int NUMERATOR = 5;
    static final int DENOMINATOR = 6;
    static final int STATO = 7;

    final WindowConfig config;
    final long lengthMs;
    final int windowCount;
    final Map<String, Integer> campaignIds = new HashMap<>();
    final TreeMap<Long, Map<String, long[]>> cellsByWindow = new TreeMap<>();
    final Map<Long, Long> revisionByWindow = new HashMap<>();
    long watermarkMillis = Long.MIN_VALUE;
    long maxEventTimeMillis = Long.MIN_VALUE;
    Long head;
    long tooLate;
    long future;
    long rejectedOutside;
    long campaignOverflow;

    ReferenceWindowModel(final WindowConfig config) {
        this.config = config;
        this.lengthMs = config.windowLengthMs();
        this.windowCount = config.windowCount();
    }

    int campaignId(final String name) {
        if (name == null) {
            return CampaignDictionary.NONE_ID;
        }
        final Integer id = campaignIds.get(name);
        if (id != null) {
            return id;
        }
        if (campaignIds.size() + 2 == config.campaignCapacity()) {
            campaignOverflow++;
            return CampaignDictionary.OTHER_ID;
        }
        campaignIds.put(name, campaignIds.size() + 2);
        return campaignIds.size() + 1;
    }

    boolean closed(final long windowIndex) {
        return watermarkMillis != Long.MIN_VALUE && (windowIndex + 1) * lengthMs <= watermarkMillis;
    }

    int onEvent(final long receiveMillis, final long eventTimeMillis, final int evento, final int canale,
                final int stato, final int campagnaId, final long valoreCents, final boolean duplicate) {
        if (eventTimeMillis - receiveMillis > config.futureToleranceMs()) {
            future++;
            return WindowResult.FUTURE;
        }
        final long index = Math.floorDiv(eventTimeMillis, lengthMs);
        if (head != null && index <= head - windowCount) {
            tooLate++;
            return WindowResult.TOO_LATE;
        }
        moveHead(index);
        final boolean late = closed(index);
        final boolean numerator = (config.numeratorEventoMask() >>> evento & 1) != 0;
        final boolean denominator = (config.denominatorEventoMask() >>> evento & 1) != 0;
        for (final String key : new String[] {"total", "evento:" + evento, "canale:" + canale, "campagna:" + campagnaId}) {
            final long[] cell = cell(index, key);
            if (duplicate) {
                cell[DUPLICATE]++;
            } else {
                cell[UNIQUE]++;
                cell[SUM] += valoreCents;
                cell[STATO + stato]++;
                cell[NUMERATOR] += numerator ? 1 : 0;
                cell[DENOMINATOR] += denominator ? 1 : 0;
            }
            cell[LATE] += late ? 1 : 0;
        }
        if (late) {
            revisionByWindow.merge(index, 1L, Long::sum);
        }
        maxEventTimeMillis = Math.max(maxEventTimeMillis, eventTimeMillis);
        watermarkMillis = Math.max(watermarkMillis, maxEventTimeMillis - config.allowedLatenessMs());
        if (duplicate) {
            return WindowResult.DUPLICATE_COUNTED;
        }
        return late ? WindowResult.ACCEPTED_LATE_REVISION : WindowResult.ACCEPTED;
    }

    void onRejected(final long receiveMillis) {
        final long index = Math.floorDiv(receiveMillis, lengthMs);
        if (head != null && index <= head - windowCount) {
            rejectedOutside++;
            return;
        }
        moveHead(index);
        cell(index, "total")[REJECTED]++;
        if (closed(index)) {
            revisionByWindow.merge(index, 1L, Long::sum);
        }
    }

    void onHeartbeat(final long receiveMillis) {
        watermarkMillis = Math.max(watermarkMillis,
            receiveMillis - config.allowedLatenessMs() - config.idleAllowanceMs());
        if (watermarkMillis != Long.MIN_VALUE) {
            moveHead(Math.floorDiv(watermarkMillis, lengthMs));
        }
    }

    long[] cell(final long windowIndex, final String key) {
        return cellsByWindow.computeIfAbsent(windowIndex, k -> new HashMap<>())
            .computeIfAbsent(key, k -> new long[STATO + config.statoCount()]);
    }

    long[] cellOrZero(final long windowIndex, final String key) {
        final Map<String, long[]> cells = cellsByWindow.get(windowIndex);
        final long[] cell = cells == null ? null : cells.get(key);
        return cell == null ? new long[STATO + config.statoCount()] : cell;
    }

    long revision(final long windowIndex) {
        return revisionByWindow.getOrDefault(windowIndex, 0L);
    }

    private void moveHead(final long index) {
        if (head == null || index > head) {
            head = index;
            final long oldest = head - windowCount + 1;
            cellsByWindow.headMap(oldest, false).clear();
            revisionByWindow.keySet().removeIf(w -> w < oldest);
        }
    }
}
