package io.conversioni.report;

import io.conversioni.pipeline.EventView;
import io.conversioni.pipeline.Outcome;
import io.conversioni.pipeline.OutcomeListener;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the engine received and decided in one UTC day, by receive time, counted from a read-only journal
 * replay ({@link io.conversioni.pipeline.OfflineReplay#recorded(io.conversioni.config.EngineConfig,
 * java.nio.file.Path, OutcomeListener)}): the engine's own verdicts, so the report says exactly what it
 * answered. Single-threaded (the replaying thread); allocates only for a new rejection code.
 */
public final class DailyCounts implements OutcomeListener {
    private final long fromMillis;
    private final long toMillis;
    private long received;
    private long accepted;
    private long duplicates;
    private long rejected;
    private long tooLate;
    private long future;
    private long late;
    private long acceptedCents;
    private final Map<String, Long> rejectedByCode = new TreeMap<>();

    public DailyCounts(final long fromMillis, final long toMillis) {
        this.fromMillis = fromMillis;
        this.toMillis = toMillis;
    }

    @Override
    public void onOutcome(final EventView e, final Object attachment) {
        if (e.receiveMillis() < fromMillis || e.receiveMillis() >= toMillis) {
            return;
        }
        received++;
        switch (e.outcome()) {
            case Outcome.ACCEPTED:
                accepted++;
                acceptedCents += e.event().valoreCents();
                break;
            case Outcome.DUPLICATE:
                duplicates++;
                break;
            case Outcome.REJECTED:
                rejected++;
                rejectedByCode.merge(e.violations().size() > 0 ? e.violations().codice(0) : "other", 1L, Long::sum);
                break;
            case Outcome.TOO_LATE:
                tooLate++;
                break;
            case Outcome.FUTURE:
                future++;
                break;
            default:
                break;
        }
        if (e.late()) {
            late++;
        }
    }

    public long received() {
        return received;
    }

    public long accepted() {
        return accepted;
    }

    public long duplicates() {
        return duplicates;
    }

    public long rejected() {
        return rejected;
    }

    public long tooLate() {
        return tooLate;
    }

    public long future() {
        return future;
    }

    /** Accepted or duplicate events that landed in an already closed window (a new revision). */
    public long late() {
        return late;
    }

    public long acceptedCents() {
        return acceptedCents;
    }

    /** Rejections by the code of their first violation. */
    public Map<String, Long> rejectedByCode() {
        return rejectedByCode;
    }
}
