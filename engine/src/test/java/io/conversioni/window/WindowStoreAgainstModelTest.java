package io.conversioni.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Seeded random mixes of every kind of event, checked window by window against {@link ReferenceWindowModel}. */
class WindowStoreAgainstModelTest {
    static final long T0 = 1_721_001_600_000L; // 2024-07-15T00:00:00Z
    static final String[] CAMPAIGNS = {
        null, "Campagna_Email_Verano2024", "Campagna_Social_Estate2024", "Campagna_SMS_Saldi2024",
        "Campagna_Webform_Demo2024", "Promo_A", "Promo_B", "Promo_C", "Promo_D", "Promo_E", "Promo_F"};

    static WindowConfig smallConfig() {
        return WindowConfig.builder()
            .windowLengthMs(60_000).horizonMs(30 * 60_000).allowedLatenessMs(15_000).idleAllowanceMs(30_000)
            .futureToleranceMs(60_000).campaignCapacity(8).numeratorEventi(1).denominatorEventi(0, 1, 2, 3)
            .build();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 42L, 20_240_715L, 7_777_777L})
    void shouldMatchReferenceModelForSeededMixOfEvents(final long seed) {
        final WindowConfig config = smallConfig();
        final SingleWriterWindowStore store = new SingleWriterWindowStore(config);
        final ReferenceWindowModel model = new ReferenceWindowModel(config);
        final Random random = new Random(seed);
        final int[] results = new int[5];
        long now = T0;
        for (int op = 0; op < 6_000; op++) {
            now += random.nextInt(3_000);
            final int kind = random.nextInt(100);
            if (kind < 5) {
                store.onRejected(now);
                model.onRejected(now);
            } else if (kind < 9) {
                if (random.nextInt(10) == 0) {
                    now += random.nextInt(40 * 60_000);
                }
                store.onHeartbeat(now);
                model.onHeartbeat(now);
            } else {
                final long eventTime = eventTime(random, kind, now);
                final String campaign = CAMPAIGNS[random.nextInt(CAMPAIGNS.length)];
                final int campagnaId = campaign == null ? CampaignDictionary.NONE_ID : store.campaigns().idOf(campaign);
                assertEquals(model.campaignId(campaign), campagnaId, "campaign id of " + campaign);
                final int evento = random.nextInt(4);
                final int canale = random.nextInt(4);
                final int stato = random.nextInt(3);
                final long valore = random.nextInt(100_000);
                final boolean duplicate = random.nextInt(10) == 0;
                final int expected = model.onEvent(now, eventTime, evento, canale, stato, campagnaId, valore, duplicate);
                final int actual = store.onEvent(op, now, eventTime, evento, canale, stato, campagnaId, valore, duplicate);
                assertEquals(WindowResult.name(expected), WindowResult.name(actual), "result of op " + op);
                results[actual]++;
            }
            assertEquals(model.watermarkMillis, store.watermarkMillis(), "watermark after op " + op);
            if (op % 100 == 99) {
                assertSameWindows(store, model);
            }
        }
        assertSameWindows(store, model);
        for (int code = 0; code < results.length; code++) {
            assertTrue(results[code] > 0, "the mix never produced " + WindowResult.name(code));
        }
        assertTrue(model.campaignOverflow > 0, "the mix never overflowed the campaign dictionary");
        assertEquals(model.campaignOverflow, store.campaigns().overflowCountAcquire());
    }

    static long eventTime(final Random random, final int kind, final long now) {
        if (kind < 55) {
            return now - random.nextInt(2_000);
        } else if (kind < 70) {
            return now - random.nextInt(15_000);
        } else if (kind < 82) {
            return now - 20_000 - random.nextInt(25 * 60_000);
        } else if (kind < 88) {
            return now - 31 * 60_000 - random.nextInt(2 * 3_600_000);
        } else if (kind < 94) {
            return now + 60_001 + random.nextInt(3_600_000);
        }
        return now + random.nextInt(60_000);
    }

    static void assertSameWindows(final SingleWriterWindowStore store, final ReferenceWindowModel model) {
        assertEquals(model.watermarkMillis, store.watermarkMillis(), "watermark");
        assertEquals(model.maxEventTimeMillis, store.maxEventTimeMillis(), "max event time");
        assertEquals(model.tooLate, store.tooLateCount(), "too late");
        assertEquals(model.future, store.futureCount(), "future");
        assertEquals(model.rejectedOutside, store.rejectedOutsideHorizonCount(), "rejected outside horizon");
        final WindowSnapshot snapshot = store.newSnapshot();
        final long length = model.lengthMs;
        assertFalse(store.readWindow((model.head - model.windowCount) * length, snapshot), "window past the horizon");
        assertFalse(store.readWindow((model.head + 1) * length, snapshot), "window past the head");
        for (long index = model.head - model.windowCount + 1; index <= model.head; index++) {
            assertTrue(store.readWindow(index * length, snapshot), "window " + index + " in the ring");
            final String where = "window " + index;
            assertEquals(index * length, snapshot.windowStartMillis(), where);
            assertEquals(model.closed(index), snapshot.closed(), where + " closed");
            assertEquals(model.revision(index), snapshot.revision(), where + " revision");
            assertCell(model.cellOrZero(index, "total"), snapshot.total(), where + " total");
            for (int e = 0; e < 4; e++) {
                assertCell(model.cellOrZero(index, "evento:" + e), snapshot.evento(e), where + " evento " + e);
            }
            for (int c = 0; c < 4; c++) {
                assertCell(model.cellOrZero(index, "canale:" + c), snapshot.canale(c), where + " canale " + c);
            }
            for (int id = 0; id < model.config.campaignCapacity(); id++) {
                assertCell(model.cellOrZero(index, "campagna:" + id), snapshot.campagna(id), where + " campagna " + id);
            }
        }
    }

    static void assertCell(final long[] expected, final WindowCellFlyweight actual, final String where) {
        assertEquals(expected[ReferenceWindowModel.UNIQUE], actual.uniqueCount(), where + " unique");
        assertEquals(expected[ReferenceWindowModel.DUPLICATE], actual.duplicateCount(), where + " duplicates");
        assertEquals(expected[ReferenceWindowModel.REJECTED], actual.rejectedCount(), where + " rejected");
        assertEquals(expected[ReferenceWindowModel.LATE], actual.lateCount(), where + " late");
        assertEquals(expected[ReferenceWindowModel.SUM], actual.valueSumCents(), where + " valore sum");
        assertEquals(expected[ReferenceWindowModel.NUMERATOR], actual.numeratorCount(), where + " numerator");
        assertEquals(expected[ReferenceWindowModel.DENOMINATOR], actual.denominatorCount(), where + " denominator");
        for (int s = 0; s < actual.statoCount(); s++) {
            assertEquals(expected[ReferenceWindowModel.STATO + s], actual.statoCount(s), where + " stato " + s);
        }
    }
}
