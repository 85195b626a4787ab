package io.conversioni.pipeline;

import io.conversioni.config.EngineConfig;
import io.conversioni.dedupe.SingleWriterDedupeTable;
import io.conversioni.journal.JournalRollCycle;
import io.conversioni.journal.SingleWriterJournal;
import io.conversioni.window.SingleWriterWindowStore;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.io.ExpandableDirectBufferOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The engine's checkpoints: state snapshots ({@code dataDir/snapshots}) and the journal retention that
 * follows each. A start restores the newest usable snapshot ({@link #restoreNewest}); while running, a
 * snapshot request travels through the ring and the window stage calls {@link #capture} at exactly that
 * point of the stream; a clean stop writes a last one ({@link #writeAtStop}).
 *
 * <p>Threads: {@link #restoreNewest} on the starting thread before the stages run; {@link #capture} on the
 * window thread, which only copies the stores into a buffer kept from one capture to the next (the one pause
 * it causes, 8-9 ms for 32 MB with the defaults) and hands the file to this object's one writer thread
 * ({@code conversioni-snapshot}); a capture that finds a write in flight is skipped. {@link #writeAtStop}
 * and {@link #close} on the closing thread after the stages stopped. Records are readable from any thread.
 * Allocates per snapshot, never per event.
 */
final class Checkpoints implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);

    private final EngineConfig config;
    private final SingleWriterJournal journal;
    private final SingleWriterWindowStore windows;
    private final SingleWriterDedupeTable dedupe;
    private final EngineCounters counters;
    private final SingleWriterResumePoints resumePoints;
    private final StateSnapshots snapshots;
    private final MaintenanceRecord snapshotRecord;
    private final MaintenanceRecord retentionRecord;
    /** The one writer of periodic snapshots; started with the first capture, stopped by {@link #close}. */
    private volatile ExecutorService writer;
    private volatile boolean writing;
    /** Window thread: the capture buffer; the writer reads it, and no capture starts while a write is in flight. */
    private ExpandableArrayBuffer buffer;
    private final ExpandableDirectBufferOutputStream out = new ExpandableDirectBufferOutputStream();
    /** Covered index of the snapshot written before the newest one (writer thread only). */
    private long previousCoveredIndex = -1;
    /** Roll cycles (covered, current by the clock) of the last periodic retention run (writer thread only). */
    private long lastRetentionCoveredCycle = -1;
    private long lastRetentionClockCycle = -1;
    private final Object retentionLock = new Object();

    Checkpoints(final EngineConfig config, final SingleWriterJournal journal, final SingleWriterWindowStore windows,
                final SingleWriterDedupeTable dedupe, final EngineCounters counters,
                final SingleWriterResumePoints resumePoints, final StateSnapshots snapshots) {
        this.config = config;
        this.journal = journal;
        this.windows = windows;
        this.dedupe = dedupe;
        this.counters = counters;
        this.resumePoints = resumePoints;
        this.snapshots = snapshots;
        this.snapshotRecord = new MaintenanceRecord("snapshot", config.snapshotIntervalMillis());
        this.retentionRecord = new MaintenanceRecord("retention", config.snapshotIntervalMillis());
    }

    MaintenanceRecord snapshotRecord() {
        return snapshotRecord;
    }

    MaintenanceRecord retentionRecord() {
        return retentionRecord;
    }

    /** The periodic snapshot (and the retention after it) is next due at {@code millis}. */
    void nextRunAt(final long millis) {
        snapshotRecord.nextRunAt(millis);
        retentionRecord.nextRunAt(millis);
    }

    /**
     * Restores into the live stores the newest snapshot that verifies, fits this configuration and whose covered
     * journal entry {@code recovery} still holds; a trial restore into scratch stores comes first, so a bad one is
     * never half-applied. Returns null when none is usable (the caller replays the whole journal).
     */
    StateSnapshots.Snapshot restoreNewest(final JournalRecovery recovery) {
        for (StateSnapshots.Snapshot s : snapshots.verified()) {
            if (!recovery.holds(s.coveredIndex())) {
                LOG.warn("snapshot {} covers journal index {}, which the journal no longer holds; not used",
                    s.file().getFileName(), s.coveredIndex());
                continue;
            }
            try {
                final DataInputStream trial = s.state();
                new SingleWriterWindowStore(config.windows()).readState(trial);
                new SingleWriterDedupeTable(config.dedupe()).readState(trial);
                new EngineCounters(config.windows().eventoCount(), config.windows().canaleCount()).readState(trial);
                if (s.hasResumePoints()) {
                    new SingleWriterResumePoints().readState(trial);
                }
                final DataInputStream in = s.state();
                windows.readState(in);
                dedupe.readState(in);
                counters.readState(in);
                if (s.hasResumePoints()) {
                    resumePoints.readState(in);
                }
                return s;
            } catch (IOException | RuntimeException e) {
                LOG.warn("snapshot {} does not fit this configuration ({}); not used", s.file().getFileName(), e.getMessage());
            }
        }
        return null;
    }

    /**
     * Window thread, at a snapshot request's place in the stream: copies the stores (the only pause) and leaves
     * the file to the writer thread. {@code journalIndex} -1: nothing journaled yet, nothing to save.
     */
    void capture(final long journalIndex, final long nextSequence) {
        if (journalIndex < 0) {
            snapshotRecord.succeeded(System.currentTimeMillis(), "journal vuoto: nulla da salvare");
            return;
        }
        if (writing) {
            return;
        }
        try {
            if (buffer == null) {
                buffer = new ExpandableArrayBuffer(windows.stateSizeHint() + dedupe.stateSizeHint() + (1 << 16));
            }
            final long captureStart = System.nanoTime();
            out.wrap(buffer); // from position 0; the buffer keeps its array
            StateSnapshots.capture(out, journalIndex, nextSequence, windows, dedupe, counters, resumePoints);
            final long pausedMicros = (System.nanoTime() - captureStart) / 1_000;
            final byte[] state = buffer.byteArray(); // after the capture: growing replaces the array
            final int length = out.position();
            writing = true;
            if (writer == null) {
                writer = Executors.newSingleThreadExecutor(r -> {
                    final Thread t = new Thread(r, "conversioni-snapshot");
                    t.setDaemon(true);
                    return t;
                });
            }
            writer.execute(() -> write(state, length, journalIndex, pausedMicros));
        } catch (IOException e) {
            snapshotRecord.failed(System.currentTimeMillis(), String.valueOf(e.getMessage()));
            LOG.error("snapshot capture failed", e);
        }
    }

    private void write(final byte[] state, final int length, final long journalIndex, final long pausedMicros) {
        try {
            snapshots.write(state, length);
            // the capture held up every event behind it: say for how long (logged here, off the window thread)
            LOG.info("periodic snapshot: capturing {} bytes paused the window thread {} ms", length, pausedMicros / 1_000.0);
            snapshotRecord.succeeded(System.currentTimeMillis(), "ok");
            // retention keeps what the older of the two kept snapshots needs, so that a newest snapshot found
            // corrupt at start can fall back to the older one plus the journal
            final long safe = previousCoveredIndex;
            previousCoveredIndex = journalIndex;
            if (safe >= 0 && retentionCouldDelete(safe)) {
                retention(safe);
            }
        } catch (IOException | RuntimeException e) {
            snapshotRecord.failed(System.currentTimeMillis(), String.valueOf(e.getMessage()));
            LOG.error("periodic snapshot failed; the previous one stays", e);
        } finally {
            writing = false;
        }
    }

    /**
     * Closing thread, after the stages stopped: waits for a periodic write in flight, then writes the state, which
     * covers the journal up to {@code coveredIndex}, and deletes the roll cycles it and retention no longer need.
     */
    void writeAtStop(final long coveredIndex, final long nextSequence) {
        stopWriter();
        if (coveredIndex < 0) {
            return;
        }
        try {
            dedupe.handOver();
            snapshots.write(coveredIndex, nextSequence, windows, dedupe, counters, resumePoints);
            snapshotRecord.succeeded(System.currentTimeMillis(), "ok");
            snapshotRecord.nextRunAt(MaintenanceRecord.NEVER);
            retention(coveredIndex);
        } catch (IOException | RuntimeException e) {
            snapshotRecord.failed(System.currentTimeMillis(), String.valueOf(e.getMessage()));
            LOG.error("snapshot failed; the next start replays the whole journal", e);
        }
    }

    /** Stops the writer thread (after the write in flight, if any). Idempotent. */
    @Override
    public void close() {
        stopWriter();
    }

    private void stopWriter() {
        final ExecutorService w = writer;
        if (w == null) {
            return;
        }
        w.shutdown();
        try {
            if (!w.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("a periodic snapshot was still being written after 60 s; stopping without it");
                w.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Retention can delete a cycle file only once the covered cycle or the current one has moved on, so a periodic
     * run is skipped until then (snapshots may come every few hundred milliseconds; listing the queue's directory
     * that often would cost the writer). Writer thread only.
     */
    private boolean retentionCouldDelete(final long coveredIndex) {
        final JournalRollCycle roll = journal.config().rollCycle();
        final long covered = roll.chronicle().toCycle(coveredIndex);
        final long clock = System.currentTimeMillis() / roll.lengthMillis();
        if (covered == lastRetentionCoveredCycle && clock == lastRetentionClockCycle) {
            return false;
        }
        lastRetentionCoveredCycle = covered;
        lastRetentionClockCycle = clock;
        return true;
    }

    /** Deletes roll cycles that a snapshot covering {@code coveredIndex} and retention no longer need. */
    private void retention(final long coveredIndex) {
        synchronized (retentionLock) { // the journal allows one deleting caller at a time
            try {
                final int deleted = journal.deleteExpiredCycles(coveredIndex);
                retentionRecord.succeeded(System.currentTimeMillis(), deleted + " file eliminati");
                if (deleted > 0) {
                    LOG.info("deleted {} journal roll cycles covered by the snapshot and past retention", deleted);
                }
            } catch (RuntimeException e) {
                retentionRecord.failed(System.currentTimeMillis(), String.valueOf(e.getMessage()));
                LOG.error("journal retention failed; the cycle files stay", e);
            }
        }
    }
}
