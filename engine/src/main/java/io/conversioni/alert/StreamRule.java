package io.conversioni.alert;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A rule over the decided event stream, evaluated on the rules thread. Time is stream time: the newest
 * receive time seen in events and heartbeats (never the wall clock), so a test drives it exactly. Its state
 * survives a restart through {@link RuleStateFile}.
 */
interface StreamRule {
    /** The rule's name ({@code regola}). */
    String name();

    /** One decided event; {@code nowMillis} is the stream time after it. */
    void onEvent(FeedRecord event, long nowMillis);

    /** Stream time advanced (after a batch of records): conditions that hold over time are checked here. */
    void onTime(long nowMillis);

    /** Rules thread: everything the rule counted, for the next start. */
    void writeState(DataOutputStream out) throws IOException;

    /**
     * Before the rules thread starts, on a fresh instance: restores what {@link #writeState} wrote, or throws
     * when it does not fit this configuration (the caller then discards this instance).
     */
    void readState(DataInputStream in) throws IOException;
}
