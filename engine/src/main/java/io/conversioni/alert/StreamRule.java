package io.conversioni.alert;

/**
 * A rule over the decided event stream, evaluated on the rules thread. Time is stream time: the newest
 * receive time seen in events and heartbeats (never the wall clock), so a test drives it exactly.
 */
interface StreamRule {
    /** One decided event; {@code nowMillis} is the stream time after it. */
    void onEvent(FeedRecord event, long nowMillis);

    /** Stream time advanced (after a batch of records): conditions that hold over time are checked here. */
    void onTime(long nowMillis);
}
