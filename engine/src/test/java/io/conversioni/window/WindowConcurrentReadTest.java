package io.conversioni.window;

import static io.conversioni.window.WindowStoreAgainstModelTest.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A writer thread applies events whose valore is always 150 cents while a reader copies windows: every copy
 * must satisfy sum == 150 * unique in every cell and total == the sum of the canale cells. The writer runs
 * until the reader has made its passes over the ring (each pass copies every window in it).
 */
class WindowConcurrentReadTest {
    static final long VALORE = 150;
    static final int PASSES = 100_000;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldNeverShowATornCountAndSumPairWhileTheWriterUpdates() throws InterruptedException {
        final WindowConfig config = WindowConfig.builder().windowLengthMs(1_000).horizonMs(4_000)
            .allowedLatenessMs(500).idleAllowanceMs(500).build();
        final SingleWriterWindowStore store = new SingleWriterWindowStore(config);
        final AtomicBoolean done = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long[] reads = new long[1];
        final Thread writer = new Thread(() -> {
            try {
                for (int i = 0; !done.get(); i++) {
                    final long eventTime = T0 + i / 20 - (i % 5) * 300;
                    store.onEvent(i, eventTime, eventTime, i & 3, (i >> 2) & 3, i % 3,
                        CampaignDictionary.NONE_ID, VALORE, i % 11 == 0);
                }
            } catch (final Throwable t) {
                failure.compareAndSet(null, t);
            }
        }, "window-writer");
        final Thread reader = new Thread(() -> {
            final WindowSnapshot snapshot = store.newSnapshot();
            try {
                while (store.headWindowStartMillis() == Long.MIN_VALUE) {
                    Thread.onSpinWait();
                }
                for (int pass = 0; pass < PASSES && failure.get() == null; pass++) {
                    store.forEachWindow(T0 - 10_000, Long.MAX_VALUE, snapshot, s -> {
                        reads[0]++;
                        checkConsistent(s);
                    });
                }
            } catch (final Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                done.set(true);
            }
        }, "window-reader");
        reader.start();
        writer.start();
        writer.join();
        reader.join();
        assertNull(failure.get(), () -> "torn read: " + failure.get());
        assertTrue(reads[0] >= PASSES, "the reader copied a window on every pass");
    }

    static void checkConsistent(final WindowSnapshot s) {
        long unique = 0;
        long duplicates = 0;
        for (int c = 0; c < s.canaleCount(); c++) {
            final WindowCellFlyweight cell = s.canale(c);
            assertEquals(VALORE * cell.uniqueCount(), cell.valueSumCents(), "canale " + c);
            unique += cell.uniqueCount();
            duplicates += cell.duplicateCount();
        }
        final WindowCellFlyweight total = s.total();
        assertEquals(VALORE * total.uniqueCount(), total.valueSumCents(), "total");
        assertEquals(total.uniqueCount(), unique, "total unique vs canali");
        assertEquals(total.duplicateCount(), duplicates, "total duplicates vs canali");
        assertEquals(total.uniqueCount(), s.campagna(CampaignDictionary.NONE_ID).uniqueCount(), "campagna");
    }
}
