package io.conversioni.pipeline;

/**
 * Sees every live event after the dedupe → window stage decided it, and every heartbeat, on that stage's
 * thread: the place where consumers off the hot path (alert rules) take their copy of the stream.
 * Registered with {@link Engine#tap(EventTap)} before start; replayed events (recovery) never reach it.
 *
 * <p>Contract for implementations: return at once, never block, never allocate, never throw (a throw is
 * caught and counted, but costs a log line). Copy what is needed from the {@link EventView}: it is valid
 * only during the call.
 */
public interface EventTap {
    /** A decided event (any outcome except {@link Outcome#JOURNAL_FAILED}, which was not journaled). */
    void onEvent(EventView event);

    /** A heartbeat: stream time advanced to {@code receiveMillis} even if no event came. */
    void onHeartbeat(long receiveMillis);
}
