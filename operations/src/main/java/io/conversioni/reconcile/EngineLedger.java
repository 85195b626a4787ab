package io.conversioni.reconcile;

import io.conversioni.config.EngineConfig;
import io.conversioni.event.ConversionEvent;
import io.conversioni.pipeline.EventView;
import io.conversioni.pipeline.OfflineReplay;
import io.conversioni.pipeline.Outcome;
import io.conversioni.pipeline.OutcomeListener;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The engine's side of a reconciliation: a read-only replay of the data folder's journal
 * ({@link OfflineReplay}, safe beside a running server) through the live decision code, keeping the events
 * it <em>accepted</em> in windows of {@code [from, to)} — so a duplicate or a rejected event is never counted
 * as one the CRM lacks — and, for the events it did not count there, what it decided instead (a CRM event
 * the engine judged a duplicate is reported as such, not just as missing). Also the watermark the replay
 * reached: only windows that ended before it are final and compared.
 *
 * <p>One-shot, on the calling thread; allocates per event in range (a {@link LedgerEvent}) and a replay's
 * stores (about the engine's own memory). Cost: one pass over the journal, about 1 M events/s here.
 */
public final class EngineLedger implements OutcomeListener {
    private final EngineConfig config;
    private final long fromMillis;
    private final long toMillis;
    private final List<String> eventi;
    private final List<String> canali;
    private final Predicate<String> idCliente;
    private final List<LedgerEvent> accepted = new ArrayList<>();
    private final Map<Long, String> otherOutcomes = new HashMap<>();
    private long watermarkMillis = Long.MIN_VALUE;
    private long journalEvents;

    private EngineLedger(final EngineConfig config, final long fromMillis, final long toMillis,
                         final Predicate<String> idCliente) {
        this.config = config;
        this.idCliente = idCliente;
        this.fromMillis = fromMillis;
        this.toMillis = toMillis;
        this.eventi = config.schema().eventi();
        this.canali = config.schema().canali();
    }

    /**
     * Replays {@code dataDir}'s journal and keeps what falls in windows of {@code [fromMillis, toMillis)}.
     *
     * @throws IllegalArgumentException when the folder holds no journal
     */
    public static EngineLedger replay(final EngineConfig config, final Path dataDir, final long fromMillis,
                                      final long toMillis) {
        return replay(config, dataDir, fromMillis, toMillis, id -> true);
    }

    /**
     * {@link #replay(EngineConfig, Path, long, long)} keeping only the events whose {@code id_cliente} passes
     * {@code idCliente} (a cluster node's partitions); the watermark is the whole journal's all the same.
     */
    public static EngineLedger replay(final EngineConfig config, final Path dataDir, final long fromMillis,
                                      final long toMillis, final Predicate<String> idCliente) {
        final EngineLedger ledger = new EngineLedger(config, fromMillis, toMillis, idCliente);
        final OfflineReplay replay = OfflineReplay.recorded(config, dataDir, ledger);
        ledger.watermarkMillis = replay.windows().watermarkMillis();
        ledger.journalEvents = replay.events();
        return ledger;
    }

    @Override
    public void onOutcome(final EventView view, final Object attachment) {
        final ConversionEvent e = view.event();
        final int outcome = view.outcome();
        if (!e.has(ConversionEvent.ID_CLIENTE) || e.eventoOrdinal() < 0 || e.canaleOrdinal() < 0
            || e.timestampMillis() == ConversionEvent.MISSING) {
            return; // a rejected body without the identity fields: no CRM event can name it
        }
        final long windowLength = config.windows().windowLengthMs();
        final long start = Math.floorDiv(e.timestampMillis(), windowLength) * windowLength;
        if (start < fromMillis || start >= toMillis) {
            return;
        }
        final long cents = outcome == Outcome.REJECTED || e.valoreCents() == ConversionEvent.MISSING ? 0 : e.valoreCents();
        final String id = e.text(ConversionEvent.ID_CLIENTE);
        if (!idCliente.test(id)) {
            return; // another node's partition (a rejection this node received for it)
        }
        final LedgerEvent event = LedgerEvent.of(id, eventi.get(e.eventoOrdinal()),
            canali.get(e.canaleOrdinal()), e.timestampMillis(), cents, "sequenza " + view.sequence());
        if (outcome == Outcome.ACCEPTED) {
            accepted.add(event);
        } else {
            otherOutcomes.putIfAbsent(event.fingerprint(), Outcome.esito(outcome) + " (sequenza " + view.sequence()
                + (view.duplicateOfSequence() >= 0 ? ", duplicato di " + view.duplicateOfSequence() : "") + ")");
        }
    }

    /** Events the engine counted in windows of the range, in journal order. */
    public List<LedgerEvent> accepted() {
        return accepted;
    }

    /** What the engine decided about an event it saw but did not count, or null when it never saw it. */
    public String otherOutcome(final long fingerprint) {
        return otherOutcomes.get(fingerprint);
    }

    /** Newest event time − allowed lateness the replay reached: windows ending at or before it are final. */
    public long watermarkMillis() {
        return watermarkMillis;
    }

    public long journalEvents() {
        return journalEvents;
    }

    public long windowLengthMillis() {
        return config.windows().windowLengthMs();
    }

    public long fromMillis() {
        return fromMillis;
    }

    public long toMillis() {
        return toMillis;
    }
}
