package io.conversioni.window;

import static io.conversioni.window.WindowStoreAgainstModelTest.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;

class CampaignDictionaryTest {
    @Test
    void shouldSendNewNamesToOtherAndCountThemOnceFull() {
        final CampaignDictionary dictionary = new CampaignDictionary(4);
        assertEquals(2, dictionary.idOf("Campagna_Email_Verano2024"));
        assertEquals(3, dictionary.idOf("Campagna_Social_Estate2024"));
        assertEquals(CampaignDictionary.OTHER_ID, dictionary.idOf("Campagna_SMS_Saldi2024"));
        assertEquals(CampaignDictionary.OTHER_ID, dictionary.idOf("Campagna_SMS_Saldi2024"));
        assertEquals(2, dictionary.idOf("Campagna_Email_Verano2024"), "known names keep their id");

        assertEquals(2, dictionary.overflowCountAcquire());
        assertEquals(4, dictionary.sizeAcquire());
        assertEquals(CampaignDictionary.OTHER_NAME, dictionary.name(CampaignDictionary.OTHER_ID));
        assertEquals("Campagna_Social_Estate2024", dictionary.name(3));
    }

    @Test
    void shouldGiveNoCampaignIdToAnEmptyName() {
        final CampaignDictionary dictionary = new CampaignDictionary(8);
        assertEquals(CampaignDictionary.NONE_ID, dictionary.idOf(new byte[8], 0, 0, 0));
        assertEquals(CampaignDictionary.NONE_NAME, dictionary.name(CampaignDictionary.NONE_ID));
    }

    @Test
    void shouldTellNamesApartWhenTheirHashesCollide() {
        final CampaignDictionary dictionary = new CampaignDictionary(8);
        final byte[] a = "Promo_A".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        final byte[] b = "Promo_B".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(2, dictionary.idOf(a, 0, a.length, 7));
        assertEquals(3, dictionary.idOf(b, 0, b.length, 7));
        assertEquals(2, dictionary.idOf(a, 0, a.length, 7));
    }

    @Test
    void shouldAddCampaignOverflowToTheOtherCellOfTheWindow() {
        final SingleWriterWindowStore store = new SingleWriterWindowStore(
            WindowConfig.builder().campaignCapacity(3).build());
        final int first = store.campaigns().idOf("Campagna_Email_Verano2024");
        final int overflow = store.campaigns().idOf("Campagna_Social_Estate2024");
        store.onEvent(1, T0, T0, 1, 0, 0, first, 100, false);
        store.onEvent(2, T0, T0, 1, 0, 0, overflow, 250, false);
        final WindowSnapshot snapshot = store.newSnapshot();
        store.readWindow(T0, snapshot);
        assertEquals(250, snapshot.campagna(CampaignDictionary.OTHER_ID).valueSumCents());
        assertEquals(100, snapshot.campagna(first).valueSumCents());
        assertEquals(1, store.campaigns().overflowCountAcquire());
    }

    @Test
    void shouldLookUpKnownNamesWithoutAllocating() {
        final CampaignDictionary dictionary = new CampaignDictionary(64);
        final byte[][] names = new byte[40][];
        final long[] hashes = new long[names.length];
        for (int i = 0; i < names.length; i++) {
            names[i] = ("Campagna_" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            hashes[i] = io.conversioni.json.JsonCursor.hash(names[i], 0, names[i].length);
            dictionary.idOf(names[i], 0, names[i].length, hashes[i]);
        }
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final long id = Thread.currentThread().getId();
        long sum = 0;
        final long before = threads.getThreadAllocatedBytes(id);
        for (int round = 0; round < 1_000; round++) {
            for (int i = 0; i < names.length; i++) {
                sum += dictionary.idOf(names[i], 0, names[i].length, hashes[i]);
            }
        }
        final long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertEquals(1_000L * (2 + 41) * 40 / 2, sum);
        // one allocation per lookup would be 40000 × 16 bytes at least; JIT and JMX noise stays far below
        assertTrue(allocated < 4_000, "bytes allocated by 40000 warm lookups: " + allocated);
    }
}
