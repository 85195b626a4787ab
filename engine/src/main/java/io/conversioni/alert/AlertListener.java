package io.conversioni.alert;

/**
 * Told of every alert that opens or resolves ({@link Alert#aperto()} says which), on the rules thread:
 * hand the work to another thread (outbound delivery queues it) and return; never block on the network.
 */
@FunctionalInterface
public interface AlertListener {
    AlertListener NONE = alert -> { };

    void onChange(Alert alert);
}
