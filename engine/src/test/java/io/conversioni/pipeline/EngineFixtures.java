package io.conversioni.pipeline;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Shared by the pipeline tests: event bodies, an outcome collector, publishing. */
final class EngineFixtures {
    static final Path CONFIG_DIR = Path.of("..", "config");
    static final long T0 = Instant.parse("2024-05-20T14:32:45.123Z").toEpochMilli();

    private EngineFixtures() {
    }

    static String event(final String id, final String evento, final long time, final String valore, final String canale) {
        return "{\"id_cliente\":\"" + id + "\",\"evento\":\"" + evento + "\",\"timestamp\":\""
            + Instant.ofEpochMilli(time) + "\",\"valore\":" + valore + ",\"canale\":\"" + canale
            + "\",\"stato\":\"completato\",\"metadati\":{\"campagna\":\"Campagna_Email_Verano2024\"}}";
    }

    /** One outcome as the listener saw it, copied out of the slot. */
    record Seen(long sequence, int outcome, long duplicateOf, long windowStart, String firstCode) {
    }

    static final class Collector implements OutcomeListener {
        final BlockingQueue<Seen> seen = new ArrayBlockingQueue<>(100_000);

        @Override
        public void onOutcome(final EventView e, final Object attachment) {
            seen.add(new Seen(e.sequence(), e.outcome(), e.duplicateOfSequence(), e.windowStartMillis(),
                e.violations().size() > 0 ? e.violations().codice(0) : null));
        }

        Seen next() throws InterruptedException {
            final Seen s = seen.poll(10, TimeUnit.SECONDS);
            assertNotNull(s, "no outcome within 10 s");
            return s;
        }
    }

    static boolean publish(final Engine engine, final String body, final OutcomeListener listener) {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return engine.tryPublish(bytes, 0, bytes.length, listener, null);
    }

}
