package io.conversioni.journal;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

/**
 * The roll cycles a journal may use, by their configuration names, mapped to Chronicle's. Each cycle is
 * one file per queue; retention deletes whole cycles. All start at midnight UTC (Chronicle's epoch 0).
 * Immutable.
 */
public enum JournalRollCycle {
    FIVE_MINUTELY(RollCycles.FIVE_MINUTELY),
    TEN_MINUTELY(RollCycles.TEN_MINUTELY),
    TWENTY_MINUTELY(RollCycles.TWENTY_MINUTELY),
    HALF_HOURLY(RollCycles.HALF_HOURLY),
    HOURLY(RollCycles.FAST_HOURLY),
    TWO_HOURLY(RollCycles.TWO_HOURLY),
    FOUR_HOURLY(RollCycles.FOUR_HOURLY),
    SIX_HOURLY(RollCycles.SIX_HOURLY),
    DAILY(RollCycles.FAST_DAILY);

    private final RollCycles chronicle;

    JournalRollCycle(final RollCycles chronicle) {
        this.chronicle = chronicle;
    }

    public RollCycle chronicle() {
        return chronicle;
    }

    public long lengthMillis() {
        return chronicle.lengthInMillis();
    }

    /** The names accepted in configuration, comma separated, for error messages. */
    static String names() {
        final StringBuilder names = new StringBuilder();
        for (final JournalRollCycle cycle : values()) {
            if (names.length() > 0) {
                names.append(", ");
            }
            names.append(cycle.name());
        }
        return names.toString();
    }
}
