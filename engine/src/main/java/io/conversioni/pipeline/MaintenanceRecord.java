package io.conversioni.pipeline;

/**
 * Last and next run of one of the engine's own maintenance tasks (state snapshots, journal retention), so
 * that the jobs view can show them beside the scheduled jobs. Written by whichever thread does the task
 * (the snapshot writer, the closing thread), one at a time; read by any thread through volatile fields — a
 * reader may see fields of two consecutive runs, which a status page tolerates. Allocates only the
 * outcome and error strings it is given.
 */
public final class MaintenanceRecord {
    /** Never ran yet. */
    public static final long NEVER = -1L;

    private final String name;
    private final long intervalMillis;
    private volatile long lastRunMillis = NEVER;
    private volatile long nextRunMillis = NEVER;
    private volatile String outcome = "mai_eseguito";
    private volatile String lastError;
    private volatile long runs;

    MaintenanceRecord(final String name, final long intervalMillis) {
        this.name = name;
        this.intervalMillis = intervalMillis;
    }

    void succeeded(final long atMillis, final String what) {
        lastRunMillis = atMillis;
        outcome = what;
        runs++;
    }

    void failed(final long atMillis, final String error) {
        lastRunMillis = atMillis;
        outcome = "errore";
        lastError = error;
        runs++;
    }

    void nextRunAt(final long atMillis) {
        nextRunMillis = atMillis;
    }

    /** {@code snapshot} or {@code retention}. */
    public String name() {
        return name;
    }

    /** Period of the task while running (0: only at a clean stop). */
    public long intervalMillis() {
        return intervalMillis;
    }

    /** When it last ran (epoch millis), or {@link #NEVER}. */
    public long lastRunMillis() {
        return lastRunMillis;
    }

    /** When it is next due (epoch millis), or {@link #NEVER} when it runs only at a stop. */
    public long nextRunMillis() {
        return nextRunMillis;
    }

    /** What the last run did ({@code ok}, {@code 2 file eliminati}, {@code errore}, {@code mai_eseguito}). */
    public String outcome() {
        return outcome;
    }

    /** The last failure's message (kept after later successes), or null. */
    public String lastError() {
        return lastError;
    }

    public long runs() {
        return runs;
    }
}
