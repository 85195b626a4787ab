package io.conversioni.pipeline;

import io.conversioni.config.EngineConfig;
import io.conversioni.dedupe.SingleWriterDedupeTable;
import io.conversioni.event.EventSchema;
import io.conversioni.window.SingleWriterWindowStore;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Rebuilds windows, dedupe table and counters from a data folder's journal without touching it (the
 * journal is only read, so a server may be running on the same folder). The same decision code as the
 * live engine and its recovery; optionally with another schema that judges every body again, the
 * quarantined ones included, to see what a schema change would do. One-shot; allocates per run.
 */
public final class OfflineReplay {
    private final SingleWriterWindowStore windows;
    private final EngineCounters counters;
    private final long records;
    private final long events;

    private OfflineReplay(final EngineConfig config, final Path dataDir, final EventSchema schema, final boolean revalidate,
                          final OutcomeListener listener) {
        final Path journal = dataDir.resolve("journal");
        if (!Files.isDirectory(journal.resolve("events"))) {
            throw new IllegalArgumentException("no journal in " + journal + " (is --data-dir the server's data folder?)");
        }
        this.windows = new SingleWriterWindowStore(config.windows());
        this.counters = new EngineCounters(config.windows().eventoCount(), config.windows().canaleCount());
        final SingleWriterDedupeTable dedupe = new SingleWriterDedupeTable(config.dedupe());
        final DedupeWindowStage stage = new DedupeWindowStage(dedupe, windows, counters, config.dedupeKeyFields(),
            false);
        final JournalRecovery.Result result = new JournalRecovery(config, Engine.journalConfig(config, dataDir), stage,
            schema, revalidate, listener).replay();
        windows.publishHistograms();
        this.records = result.records();
        this.events = result.events();
    }

    /** The state as the live engine had it: the journal's own verdicts. */
    public static OfflineReplay recorded(final EngineConfig config, final Path dataDir) {
        return new OfflineReplay(config, dataDir, config.schema(), false, null);
    }

    /**
     * The state as the live engine had it, and every journaled event handed to {@code listener}, in journal
     * order, with the outcome the engine gave it (accepted, duplicate, rejected, too late, future). The view
     * is valid only during the call. Reconciliation and the daily report read events this way.
     */
    public static OfflineReplay recorded(final EngineConfig config, final Path dataDir, final OutcomeListener listener) {
        return new OfflineReplay(config, dataDir, config.schema(), false, listener);
    }

    /** Every body judged again by {@code schema} (which must give the same enums, in the same order). */
    public static OfflineReplay withSchema(final EngineConfig config, final Path dataDir, final EventSchema schema) {
        if (!schema.eventi().equals(config.schema().eventi()) || !schema.canali().equals(config.schema().canali())
            || !schema.stati().equals(config.schema().stati())) {
            throw new IllegalArgumentException("the new schema must keep evento, canale and stato enums as they are "
                + "(they index the windows): " + schema.eventi() + " " + schema.canali() + " " + schema.stati());
        }
        return new OfflineReplay(config, dataDir, schema, true, null);
    }

    public SingleWriterWindowStore windows() {
        return windows;
    }

    public EngineCounters counters() {
        return counters;
    }

    public long records() {
        return records;
    }

    public long events() {
        return events;
    }
}
