package io.conversioni.delivery;

import io.conversioni.alert.AlertSignal;
import io.conversioni.config.EngineConfig;

import java.nio.file.Path;
import java.util.Map;

/** For the command-line tests: dead letters made the real way, by a sink that refuses (HTTP 404). */
public final class DeadLettersFixture {
    private DeadLettersFixture() {
    }

    /** Delivers {@code alerts} alerts to sink {@code sink} at {@code url} (which must refuse them) and waits. */
    public static void deadLetter(final Path dataDir, final String sink, final String url, final int alerts)
        throws Exception {
        final DeliveryConfig config = DeliveryConfig.read(EngineConfig.parse("delivery:\n  sinks:\n    " + sink
            + ":\n      url: " + url + "\n", Path.of("..", "config")).delivery(), Map.<String, String>of()::get);
        try (DeliveryService delivery = DeliveryService.start(config, dataDir, () -> AlertSignal.NONE)) {
            for (int i = 0; i < alerts; i++) {
                delivery.onChange(new io.conversioni.alert.Alert(Integer.toString(i + 1), "riconciliazione",
                    "finestra=" + i, DeliveryServiceTest.T0, -1, "CRM and engine differ", Double.NaN, Double.NaN));
            }
            DeliveryServiceTest.await("dead-lettered", () -> delivery.deadLettered() == alerts);
        }
    }
}
