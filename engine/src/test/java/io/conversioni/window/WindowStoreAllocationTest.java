package io.conversioni.window;

import static io.conversioni.window.WindowStoreAgainstModelTest.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;

class WindowStoreAllocationTest {
    @Test
    void shouldAllocateNothingPerEventOnceWarm() {
        final SingleWriterWindowStore store = new SingleWriterWindowStore(WindowConfig.defaults());
        final int campagna = store.campaigns().idOf("Campagna_Email_Verano2024");
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        run(store, campagna, 0, 200_000);
        final long baseline = threads.getThreadAllocatedBytes(thread);
        final long baselineAgain = threads.getThreadAllocatedBytes(thread);
        final long before = threads.getThreadAllocatedBytes(thread);
        run(store, campagna, 200_000, 400_000);
        final long allocated = threads.getThreadAllocatedBytes(thread) - before - (baselineAgain - baseline);
        // one allocation per event would be 200000 × 16 bytes at least; JIT and JMX noise stays far below
        assertTrue(allocated < 20_000, "bytes allocated by 200000 events, latencies and heartbeats: " + allocated);
    }

    private static void run(final SingleWriterWindowStore store, final int campagna, final int from, final int to) {
        for (int i = from; i < to; i++) {
            final long eventTime = T0 + i * 10L - (i % 7) * 4_000;
            store.onEvent(i, eventTime + 500, eventTime, i & 3, (i >> 2) & 3, i % 3, (i & 1) == 0 ? campagna : 0,
                i % 1000, i % 13 == 0);
            store.recordInsightLatencyNanos(1_000 + i % 5_000);
            if (i % 1_000 == 0) {
                store.onRejected(eventTime);
                store.onHeartbeat(eventTime + 1_000);
            }
        }
    }
}
