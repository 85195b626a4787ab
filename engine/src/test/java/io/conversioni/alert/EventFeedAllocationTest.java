package io.conversioni.alert;

import io.conversioni.config.EngineConfig;
import io.conversioni.event.ConversionEvent;
import io.conversioni.event.EventDecoder;
import io.conversioni.pipeline.EventView;
import io.conversioni.pipeline.Outcome;
import io.conversioni.schema.Violations;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The producer side of the feed runs on the window thread: it must allocate nothing per event. */
class EventFeedAllocationTest {
    /** A decided event as the window stage hands it over (the pipeline's slot is package-private). */
    private static final class DecidedEvent implements EventView {
        final ConversionEvent event = new ConversionEvent();
        final Violations violations = new Violations();
        byte[] body;
        int outcome;

        @Override public long sequence() { return 1; }
        @Override public long receiveMillis() { return 1_716_215_565_123L; }
        @Override public int outcome() { return outcome; }
        @Override public long duplicateOfSequence() { return -1; }
        @Override public long duplicateOfReceiveMillis() { return -1; }
        @Override public long windowStartMillis() { return -1; }
        @Override public boolean late() { return false; }
        @Override public boolean durable() { return true; }
        @Override public Violations violations() { return violations; }
        @Override public ConversionEvent event() { return event; }
        @Override public byte[] body() { return body; }
        @Override public int bodyOffset() { return 0; }
        @Override public int bodyLength() { return body.length; }
    }

    @Test
    void shouldAllocateNothingPerEventOnTheProducerSideAndDecodeEveryField() throws Exception {
        final EngineConfig config = EngineConfig.parse("", AlertRulesTest.CONFIG_DIR);
        final EventDecoder decoder = config.schema().newDecoder();
        final DecidedEvent e = new DecidedEvent();
        e.body = AlertRulesTest.event("CLIENTE-ITALIA-789456", AlertRulesTest.T0, "sms").getBytes(StandardCharsets.UTF_8);
        assertTrue(decoder.decode(e.body, 0, e.body.length, e.event, e.violations));
        e.outcome = Outcome.DUPLICATE;
        final OneToOneEventFeed feed = new OneToOneEventFeed(1 << 16);
        final FeedRecord[] seen = new FeedRecord[1];
        final String[] id = new String[1];
        final OneToOneEventFeed.Consumer consumer = new OneToOneEventFeed.Consumer() {
            @Override
            public void onEvent(final FeedRecord record) {
                seen[0] = record;
                id[0] = record.idCliente();
            }

            @Override
            public void onHeartbeat(final long receiveMillis) {
            }
        };
        feed.onEvent(e);
        assertEquals(1, feed.poll(consumer, 10));
        assertEquals(Outcome.DUPLICATE, seen[0].outcome);
        assertEquals(config.schema().canali().indexOf("sms"), seen[0].canale);
        assertEquals(AlertRulesTest.T0, seen[0].eventMillis);
        assertEquals("CLIENTE-ITALIA-789456", id[0]);

        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        final OneToOneEventFeed.Consumer drain = new OneToOneEventFeed.Consumer() {
            @Override public void onEvent(final FeedRecord r) { }
            @Override public void onHeartbeat(final long t) { }
        };
        for (int warm = 0; warm < 10_000; warm++) {
            feed.onEvent(e);
            feed.onHeartbeat(warm);
            if ((warm & 255) == 0) {
                feed.poll(drain, Integer.MAX_VALUE);
            }
        }
        feed.poll(drain, Integer.MAX_VALUE);
        final long baseline = threads.getThreadAllocatedBytes(thread);
        final long baselineAgain = threads.getThreadAllocatedBytes(thread);
        final long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) {
            feed.onEvent(e);
            feed.onHeartbeat(i);
            if ((i & 255) == 0) {
                feed.poll(drain, Integer.MAX_VALUE);
            }
        }
        final long allocated = threads.getThreadAllocatedBytes(thread) - before - (baselineAgain - baseline);
        assertTrue(allocated < 10_000, "bytes allocated by 100000 events and heartbeats offered and drained: " + allocated);
        assertEquals(0, feed.dropped());
    }
}
