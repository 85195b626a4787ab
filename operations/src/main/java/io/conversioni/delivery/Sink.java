package io.conversioni.delivery;

/**
 * Where messages go. {@link #send} runs on the sink's own lane thread, may block up to the configured
 * timeout, and throws {@link DeliveryFailure} for anything but a confirmed delivery.
 */
interface Sink {
    String name();

    /** Whether alerts of rule {@code regola} go to this sink. */
    boolean accepts(String regola);

    void send(DeliveryItem item) throws DeliveryFailure;
}
