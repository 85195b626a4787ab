package io.conversioni;

/**
 * The one switch for the engine's safety checks: that a single-writer structure (journal, dedupe table, window
 * store) is written only by its owner thread, and that the values a stage hands it are in range. On with
 * {@code -Dconversioni.checks=true} (the test suite sets it, see the parent pom's {@code test.safety.flags}); off
 * by default, as in production and the benchmark forks, where a check costs a load and a branch per call. A
 * failed check throws {@link IllegalStateException}. Read once at class load; any thread.
 */
public final class SafetyChecks {
    /** The system property that turns the checks on. */
    public static final String PROPERTY = "conversioni.checks";

    /** Whether the checks run in this JVM. */
    public static final boolean ENABLED = Boolean.getBoolean(PROPERTY);

    private SafetyChecks() {
    }
}
