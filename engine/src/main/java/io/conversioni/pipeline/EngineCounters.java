package io.conversioni.pipeline;

import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Totals since start (and since the journal began, after a replay): events by outcome, rejections by
 * violation code, late revisions, journal failures, and accepted events and their value by evento and
 * canale. Single writer per counter (the window stage; the journal stage for its failures), published with
 * release stores; any thread reads. Fixed size (evento x canale cells from the schema's enums), allocates
 * nothing per event.
 */
public final class EngineCounters {
    /** Violation codes counted by name; any other code is counted under "other". */
    public static final List<String> REJECTION_CODES = List.of("json", "duplicate_key", "max_depth", "number_range",
        "type", "enum", "const", "required", "additionalProperties", "false", "pattern", "minLength", "maxLength",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "format", "other");

    private static final int OUTCOMES = 7;
    private final AtomicLongArray byOutcome = new AtomicLongArray(OUTCOMES);
    private final AtomicLongArray byCode = new AtomicLongArray(REJECTION_CODES.size());
    private final AtomicLongArray misc = new AtomicLongArray(3);
    private static final int LATE = 0;
    private static final int HEARTBEATS = 1;
    private static final int BODY_BYTES = 2;
    private final int canaleCount;
    /** Accepted (not duplicate) events by {@code evento * canaleCount + canale}. */
    private final AtomicLongArray acceptedByEventoCanale;
    /** Their valore in cents, by the same index. */
    private final AtomicLongArray valueCentsByEventoCanale;

    /** Counters without evento x canale cells (tests of the other counters). */
    public EngineCounters() {
        this(0, 0);
    }

    /**
     * @param eventoCount the schema's evento enum size ({@code WindowConfig.eventoCount()})
     * @param canaleCount the schema's canale enum size ({@code WindowConfig.canaleCount()})
     */
    public EngineCounters(final int eventoCount, final int canaleCount) {
        this.canaleCount = canaleCount;
        this.acceptedByEventoCanale = new AtomicLongArray(eventoCount * canaleCount);
        this.valueCentsByEventoCanale = new AtomicLongArray(eventoCount * canaleCount);
    }

    void outcome(final int outcome) {
        byOutcome.lazySet(outcome, byOutcome.get(outcome) + 1); // release: readers see whole increments
    }

    void rejectedCode(final String code) {
        final int index = rejectionCodeIndex(code);
        byCode.lazySet(index, byCode.get(index) + 1);
    }

    /** Index of {@code code} in {@link #REJECTION_CODES} ("other" for an unlisted one). Allocates nothing. */
    public static int rejectionCodeIndex(final String code) {
        final int other = REJECTION_CODES.size() - 1;
        for (int i = 0; i < other; i++) {
            if (REJECTION_CODES.get(i).equals(code)) {
                return i;
            }
        }
        return other;
    }

    /** Window stage: one accepted, not duplicate, event (two plain increments published with release stores). */
    void accepted(final int evento, final int canale, final long valoreCents) {
        final int i = evento * canaleCount + canale;
        acceptedByEventoCanale.lazySet(i, acceptedByEventoCanale.get(i) + 1); // release: whole increments
        valueCentsByEventoCanale.lazySet(i, valueCentsByEventoCanale.get(i) + valoreCents);
    }

    void late() {
        misc.lazySet(LATE, misc.get(LATE) + 1);
    }

    void heartbeat() {
        misc.lazySet(HEARTBEATS, misc.get(HEARTBEATS) + 1);
    }

    void bodyBytes(final int bytes) {
        misc.lazySet(BODY_BYTES, misc.get(BODY_BYTES) + bytes);
    }

    /**
     * The counters, then the evento x canale section. A snapshot written before that section existed ends
     * after {@code misc}: it is read with those counters at zero, so an upgrade keeps its snapshots.
     */
    void writeState(final java.io.DataOutputStream out) throws java.io.IOException {
        for (AtomicLongArray a : new AtomicLongArray[] {byOutcome, byCode, misc, acceptedByEventoCanale,
            valueCentsByEventoCanale}) {
            out.writeInt(a.length());
            for (int i = 0; i < a.length(); i++) {
                out.writeLong(a.get(i));
            }
        }
    }

    /** Reads what {@link #writeState} wrote; {@code in} ends where the state ends (a snapshot's state stream). */
    void readState(final java.io.DataInputStream in) throws java.io.IOException {
        for (AtomicLongArray a : new AtomicLongArray[] {byOutcome, byCode, misc}) {
            read(in, a);
        }
        if (in.available() > 0) {
            read(in, acceptedByEventoCanale);
            read(in, valueCentsByEventoCanale);
        }
    }

    private static void read(final java.io.DataInputStream in, final AtomicLongArray a) throws java.io.IOException {
        if (in.readInt() != a.length()) {
            throw new java.io.IOException("snapshot counters have another shape");
        }
        for (int i = 0; i < a.length(); i++) {
            a.set(i, in.readLong());
        }
    }

    /** Events with this {@link Outcome} since start. */
    public long outcomes(final int outcome) {
        return byOutcome.get(outcome);
    }

    /** Rejected events whose first violation had {@code REJECTION_CODES.get(index)}. */
    public long rejections(final int index) {
        return byCode.get(index);
    }

    /** Accepted or duplicate events that landed in an already closed window (a new revision). */
    public long lateRevisions() {
        return misc.get(LATE);
    }

    public long heartbeats() {
        return misc.get(HEARTBEATS);
    }

    /** Body bytes of all processed events. */
    public long bodyBytes() {
        return misc.get(BODY_BYTES);
    }

    /** Accepted, not duplicate, events of this evento and canale (schema ordinals) since the journal began. */
    public long accepted(final int evento, final int canale) {
        return acceptedByEventoCanale.get(evento * canaleCount + canale);
    }

    /** The sum of their valore, in cents. */
    public long valueCents(final int evento, final int canale) {
        return valueCentsByEventoCanale.get(evento * canaleCount + canale);
    }
}
