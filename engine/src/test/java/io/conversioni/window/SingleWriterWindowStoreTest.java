package io.conversioni.window;

import static io.conversioni.window.WindowStoreAgainstModelTest.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SingleWriterWindowStoreTest {
    static final long MINUTE = 60_000L;
    static final int RICHIESTA_DEMO = 0;
    static final int ACQUISTO = 1;
    static final int EMAIL = 0;
    static final int SMS = 3;
    static final int COMPLETATO = 0;

    private final SingleWriterWindowStore store = new SingleWriterWindowStore(WindowConfig.defaults());
    private final WindowSnapshot snapshot = store.newSnapshot();
    private long sequence;

    private int event(final long receiveMillis, final long eventTimeMillis, final int evento, final long valoreCents) {
        return store.onEvent(sequence++, receiveMillis, eventTimeMillis, evento, EMAIL, COMPLETATO,
            CampaignDictionary.NONE_ID, valoreCents, false);
    }

    /**
     * The guard that keeps onEvent's unchecked stores inside the bounds-checked window (it runs when
     * conversioni.checks is off, so tests, which run with it on, call it directly): every ordinal from -1 to its
     * count, the others in range.
     */
    @Test
    void shouldFindEveryOrdinalOutsideTheWindowsCellsAndNoneInside() {
        final WindowConfig c = store.config();
        final int[] counts = {c.eventoCount(), c.canaleCount(), c.statoCount(), c.campaignCapacity()};
        assertFalse(store.outsideCells(0, 0, 0, 0));
        assertFalse(store.outsideCells(counts[0] - 1, counts[1] - 1, counts[2] - 1, counts[3] - 1));
        for (int which = 0; which < counts.length; which++) {
            for (int value = -1; value <= counts[which]; value++) {
                final int[] ordinals = {0, 0, 0, 0};
                ordinals[which] = value;
                assertEquals(value < 0 || value >= counts[which],
                    store.outsideCells(ordinals[0], ordinals[1], ordinals[2], ordinals[3]), which + " = " + value);
            }
            final int[] far = {0, 0, 0, 0};
            far[which] = Integer.MIN_VALUE;
            assertTrue(store.outsideCells(far[0], far[1], far[2], far[3]), which + " = MIN_VALUE");
            far[which] = Integer.MAX_VALUE;
            assertTrue(store.outsideCells(far[0], far[1], far[2], far[3]), which + " = MAX_VALUE");
        }
    }

    @Test
    void shouldPutOutOfOrderEventWithinLatenessInItsOwnOpenWindow() {
        assertEquals(WindowResult.ACCEPTED, event(T0 + 5 * MINUTE + 5_000, T0 + 5 * MINUTE + 5_000, ACQUISTO, 1999));
        assertEquals(WindowResult.ACCEPTED, event(T0 + 5 * MINUTE + 6_000, T0 + 5 * MINUTE - 9_000, ACQUISTO, 500));

        assertTrue(store.readWindow(T0, snapshot));
        assertFalse(snapshot.closed());
        assertEquals(1, snapshot.total().uniqueCount());
        assertEquals(500, snapshot.total().valueSumCents());
        assertEquals(0, snapshot.total().lateCount());
        assertEquals(T0 + 5 * MINUTE - 10_000, store.watermarkMillis());
    }

    @Test
    void shouldIncrementRevisionEachTimeALateEventChangesAClosedWindow() {
        event(T0 + 1_000, T0 + 1_000, ACQUISTO, 100);
        event(T0 + 5 * MINUTE + 20_000, T0 + 5 * MINUTE + 20_000, ACQUISTO, 100);
        assertTrue(store.readWindow(T0, snapshot));
        assertTrue(snapshot.closed(), "watermark T0+5m+5s passed the end of the first window");
        assertEquals(0, snapshot.revision());

        assertEquals(WindowResult.ACCEPTED_LATE_REVISION, event(T0 + 6 * MINUTE, T0 + 2 * MINUTE, ACQUISTO, 250));
        assertEquals(WindowResult.ACCEPTED_LATE_REVISION, event(T0 + 6 * MINUTE, T0 + 3 * MINUTE, RICHIESTA_DEMO, 0));
        store.onRejected(T0 + 4 * MINUTE);

        assertTrue(store.readWindow(T0, snapshot));
        assertEquals(3, snapshot.revision());
        assertEquals(3, snapshot.total().uniqueCount());
        assertEquals(2, snapshot.total().lateCount());
        assertEquals(1, snapshot.total().rejectedCount());
        assertEquals(350, snapshot.total().valueSumCents());
        assertTrue(store.readWindow(T0 + 5 * MINUTE, snapshot));
        assertEquals(0, snapshot.revision(), "the open window is untouched");
    }

    @Test
    void shouldCloseWindowOnHeartbeatWhenTrafficStops() {
        event(T0 + 4 * MINUTE, T0 + 4 * MINUTE, ACQUISTO, 100);
        final long end = T0 + 5 * MINUTE;
        final WindowConfig c = store.config();
        store.onHeartbeat(end + c.allowedLatenessMs() + c.idleAllowanceMs() - 1);
        assertTrue(store.readWindow(T0, snapshot));
        assertFalse(snapshot.closed(), "one ms before lateness + idle allowance past the end");

        store.onHeartbeat(end + c.allowedLatenessMs() + c.idleAllowanceMs());
        assertTrue(store.readWindow(T0, snapshot));
        assertTrue(snapshot.closed());
        assertEquals(end, store.watermarkMillis());
    }

    @Test
    void shouldNeverLowerTheWatermarkOnAnOldHeartbeat() {
        event(T0 + 10 * MINUTE, T0 + 10 * MINUTE, ACQUISTO, 1);
        final long watermark = store.watermarkMillis();
        store.onHeartbeat(T0);
        assertEquals(watermark, store.watermarkMillis());
    }

    @Test
    void shouldReturnTooLateAndCountItForEventsOlderThanTheHorizon() {
        event(T0 + 25 * 60 * MINUTE, T0 + 25 * 60 * MINUTE, ACQUISTO, 1);
        assertEquals(WindowResult.TOO_LATE, event(T0 + 25 * 60 * MINUTE, T0 + 30 * MINUTE, ACQUISTO, 1));
        assertEquals(1, store.tooLateCount());
        assertFalse(store.readWindow(T0 + 30 * MINUTE, snapshot));
        assertEquals(WindowResult.ACCEPTED_LATE_REVISION,
            event(T0 + 25 * 60 * MINUTE, T0 + 65 * MINUTE, ACQUISTO, 1), "inside the 24 h horizon");
    }

    @Test
    void shouldReturnFutureForEventsDatedBeyondTheToleranceAfterTheirReceiveTime() {
        assertEquals(WindowResult.FUTURE, event(T0, T0 + 60_001, ACQUISTO, 1));
        assertEquals(WindowResult.ACCEPTED, event(T0, T0 + 60_000, ACQUISTO, 1));
        assertEquals(1, store.futureCount());
    }

    @Test
    void shouldCountDuplicatesApartFromUniqueConversions() {
        event(T0, T0, ACQUISTO, 1000);
        assertEquals(WindowResult.DUPLICATE_COUNTED, store.onEvent(9, T0, T0, ACQUISTO, EMAIL, COMPLETATO,
            CampaignDictionary.NONE_ID, 1000, true));
        assertTrue(store.readWindow(T0, snapshot));
        assertEquals(1, snapshot.total().uniqueCount());
        assertEquals(1, snapshot.total().duplicateCount());
        assertEquals(1000, snapshot.total().valueSumCents());
    }

    @Test
    void shouldDeriveConversionRateAndAverageValuePerCanale() {
        final int campagna = store.campaigns().idOf("Campagna_Email_Verano2024");
        store.onEvent(1, T0, T0, ACQUISTO, EMAIL, COMPLETATO, campagna, 1000, false);
        store.onEvent(2, T0, T0, ACQUISTO, EMAIL, COMPLETATO, campagna, 2001, false);
        store.onEvent(3, T0, T0, RICHIESTA_DEMO, EMAIL, COMPLETATO, campagna, 0, false);
        store.onEvent(4, T0, T0, RICHIESTA_DEMO, SMS, COMPLETATO, CampaignDictionary.NONE_ID, 0, false);
        assertTrue(store.readWindow(T0, snapshot));

        assertEquals(2.0 / 3.0, snapshot.canale(EMAIL).conversionRate(), 1e-12);
        assertEquals(1000, snapshot.canale(EMAIL).averageValueCents(), "3001 / 3 rounds half up to 1000");
        assertEquals(0.0, snapshot.canale(SMS).conversionRate());
        assertTrue(Double.isNaN(snapshot.canale(1).conversionRate()), "no events: no rate");
        assertEquals(WindowMetrics.NONE, snapshot.canale(1).averageValueCents());
        assertEquals(3, snapshot.campagna(campagna).uniqueCount());
        assertEquals(2, snapshot.campagna(campagna).numeratorCount());
        assertEquals(0, snapshot.campagna(campagna + 5).uniqueCount(), "an id never seen reads as zero");
    }

    @Test
    void shouldVisitWindowsInTimeOrderWithinTheRange() {
        for (int m = 0; m < 30; m += 5) {
            event(T0 + m * MINUTE, T0 + m * MINUTE, ACQUISTO, m);
        }
        final List<Long> starts = new ArrayList<>();
        final int visited = store.forEachWindow(T0 + 5 * MINUTE, T0 + 20 * MINUTE, snapshot,
            s -> starts.add(s.windowStartMillis()));
        assertEquals(3, visited);
        assertEquals(List.of(T0 + 5 * MINUTE, T0 + 10 * MINUTE, T0 + 15 * MINUTE), starts);
        assertEquals(T0 + 25 * MINUTE, store.headWindowStartMillis());
    }

    @Test
    void shouldExposePublishedInsightLatencyAndSkewPercentiles() {
        event(T0 + 2_000, T0, ACQUISTO, 1);
        store.recordInsightLatencyNanos(40_000);
        store.recordInsightLatencyNanos(60_000);
        final Histogram latency = store.newInsightLatencyHistogram();
        store.copyInsightLatencyInto(latency);
        assertEquals(0, latency.getTotalCount(), "nothing published before the heartbeat");

        store.onHeartbeat(T0 + 3_000);
        store.copyInsightLatencyInto(latency);
        assertEquals(2, latency.getTotalCount());
        assertEquals(60_000, latency.getValueAtPercentile(100), 60);
        store.copyInsightLatencyInto(latency);
        assertEquals(2, latency.getTotalCount(), "cumulative: a second reader sees the same values");
        final Histogram skew = store.newSkewHistogram();
        store.copySkewInto(EMAIL, skew);
        assertEquals(2_000, skew.getValueAtPercentile(50), 20);
    }

    @Test
    void shouldRejectWritesFromASecondThreadWhenChecksAreOn() throws InterruptedException {
        event(T0, T0, ACQUISTO, 1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread intruder = new Thread(() -> {
            try {
                store.onHeartbeat(T0);
            } catch (final Throwable t) {
                failure.set(t);
            }
        });
        intruder.start();
        intruder.join(10_000);
        assertTrue(failure.get() instanceof IllegalStateException, "only the window thread may write");
    }

    @Test
    void shouldReachIdenticalStateWhenReplayingTheSameInput() {
        final SingleWriterWindowStore replay = new SingleWriterWindowStore(WindowConfig.defaults());
        final Random random = new Random(99);
        long now = T0;
        for (int i = 0; i < 2_000; i++) {
            now += random.nextInt(1_000);
            final long eventTime = now - random.nextInt(120_000);
            final int evento = random.nextInt(4);
            final long valore = random.nextInt(10_000);
            store.onEvent(i, now, eventTime, evento, i & 3, i % 3, CampaignDictionary.NONE_ID, valore, i % 7 == 0);
            replay.onEvent(i, now, eventTime, evento, i & 3, i % 3, CampaignDictionary.NONE_ID, valore, i % 7 == 0);
        }
        assertNull(store.stateDifference(replay));
        assertEquals(store.stateChecksum(), replay.stateChecksum());

        replay.onEvent(5_000, now, T0, 0, 2, 0, CampaignDictionary.NONE_ID, 1, false);
        final String difference = store.stateDifference(replay);
        assertNotNull(difference);
        assertTrue(difference.contains("lastSequence"), difference);
        assertNotEquals(store.stateChecksum(), replay.stateChecksum());
    }

    @Test
    void shouldNameTheDifferingCellWhenStatesDiverge() {
        final SingleWriterWindowStore other = new SingleWriterWindowStore(WindowConfig.defaults());
        store.onEvent(1, T0, T0, ACQUISTO, SMS, COMPLETATO, CampaignDictionary.NONE_ID, 100, false);
        other.onEvent(1, T0, T0, ACQUISTO, SMS, COMPLETATO, CampaignDictionary.NONE_ID, 101, false);
        assertEquals("slot 0 (window " + T0 / (5 * MINUTE) + ") total.valueSumCents: 100 vs 101",
            store.stateDifference(other).replaceFirst("slot \\d+", "slot 0"));
    }

    @Test
    void shouldRefuseOrdinalsOutsideTheSchemaWhenChecksAreOn() {
        assertThrows(IllegalArgumentException.class, () -> store.onEvent(1, T0, T0, 4, 0, 0, 0, 1, false));
        assertThrows(IllegalArgumentException.class, () -> store.onEvent(1, T0, T0, 0, 0, 0, 77, 1, false));
    }
}
