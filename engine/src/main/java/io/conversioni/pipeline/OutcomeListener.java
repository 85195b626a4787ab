package io.conversioni.pipeline;

/**
 * Receives each event's outcome, on the engine's respond thread, after the event was journaled and
 * counted. The {@link EventView} is valid only during the call: copy what you need (the HTTP layer
 * writes its response bytes) and return quickly; never block. Implementations are preallocated by the
 * caller; the {@code attachment} given at publish comes back here (the HTTP exchange, for example).
 */
@FunctionalInterface
public interface OutcomeListener {
    void onOutcome(EventView event, Object attachment);
}
