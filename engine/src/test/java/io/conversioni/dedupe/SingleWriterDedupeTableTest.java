package io.conversioni.dedupe;

import io.conversioni.SafetyChecks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SingleWriterDedupeTableTest {
    /** A 5-minute boundary: 1_700_000_100_000 = 5_666_667 × 300_000. */
    private static final long EDGE_MILLIS = 1_700_000_100_000L;
    private static final long WINDOW_MILLIS = DedupeConfig.DEFAULT_WINDOW_MILLIS;
    private static final long CLIENTE_HI = 0x0123_4567_89AB_CDEFL;
    private static final long CLIENTE_LO = 0x0FED_CBA9_8765_4321L;
    private static final long OTHER_CLIENTE_LO = 0x1111_2222_3333_4444L;

    private static SingleWriterDedupeTable table(final DedupeMode mode) {
        return new SingleWriterDedupeTable(DedupeConfig.builder().mode(mode).capacitySlots(1 << 12).build());
    }

    @Test
    void theShippedCapacityLiesOnHugePages() throws java.io.IOException {
        io.conversioni.os.HugePagesTest.assumeHugePagesCanCollapse();
        final SingleWriterDedupeTable table =
            new SingleWriterDedupeTable(DedupeConfig.builder().capacitySlots(131_072).build());
        // 8 MiB of slots and 2 MiB of probe index: four huge pages and one
        assertTrue(io.conversioni.os.HugePagesTest.anonHugePagesKb(table.slotsAddress()) >= 4 * 2048, "slots");
        assertTrue(io.conversioni.os.HugePagesTest.anonHugePagesKb(table.probeIndexAddress()) >= 2048, "probe index");
        assertFalse(table.isDuplicate(1, 2, 1_700_000_000_000L, 0, 1, 1_700_000_000_000L));
        assertTrue(table.isDuplicate(1, 2, 1_700_000_000_000L, 0, 2, 1_700_000_000_000L));
    }

    @Test
    void shouldAcceptFirstEventAndNameItWhenRepeatedInSameBucket() {
        final SingleWriterDedupeTable table = table(DedupeMode.BUCKET);

        assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS + 1_000, 11, 7, 5_000));
        assertEquals(SingleWriterDedupeTable.NONE, table.firstSequence());
        assertTrue(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS + 299_999, 22, 8, 6_000));

        assertEquals(7, table.firstSequence());
        assertEquals(5_000, table.firstReceiveMillis());
        assertEquals(EDGE_MILLIS + 1_000, table.firstEventTimeMillis());
        assertEquals(1, table.inserts());
        assertEquals(1, table.duplicates());
        assertEquals(1, table.size());
    }

    @Test
    void shouldMissPairStraddlingBucketEdgeInBucketMode() {
        final SingleWriterDedupeTable table = table(DedupeMode.BUCKET);

        assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS - 2_000, 0, 1, 10));
        assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS + 2_000, 0, 2, 20));

        assertEquals(2, table.inserts());
    }

    @Test
    void shouldCatchPairStraddlingBucketEdgeInProximityMode() {
        final SingleWriterDedupeTable table = table(DedupeMode.PROXIMITY);

        assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS - 2_000, 0, 1, 10));
        assertTrue(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS + 2_000, 0, 2, 20));
        assertEquals(1, table.firstSequence());
        assertEquals(10, table.firstReceiveMillis());

        assertTrue(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS - 2_000 - WINDOW_MILLIS, 0, 3, 30));
        assertEquals(1, table.firstSequence());
    }

    @Test
    void shouldAcceptSameKeyFurtherApartThanWindowInProximityMode() {
        final SingleWriterDedupeTable table = table(DedupeMode.PROXIMITY);

        assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS - 2_000, 0, 1, 10));
        assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS - 1_999 + WINDOW_MILLIS, 0, 2, 20));
        assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS - 2_001 - WINDOW_MILLIS, 0, 3, 30));

        assertEquals(3, table.inserts());
        assertEquals(0, table.duplicates());
    }

    @Test
    void shouldNameTheNearerNeighbourAndTheEarlierOnATieInProximityMode() {
        final SingleWriterDedupeTable table = table(DedupeMode.PROXIMITY);
        final long previousMillis = EDGE_MILLIS + 200_000;
        final long nextMillis = EDGE_MILLIS + 2 * WINDOW_MILLIS + 50_000;
        assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, previousMillis, 0, 1, 10));
        assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, nextMillis, 0, 2, 20));

        assertTrue(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS + 450_000, 0, 3, 30));
        assertEquals(2, table.firstSequence(), "200 s after beats 250 s before");
        assertTrue(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS + 400_000, 0, 4, 40));
        assertEquals(1, table.firstSequence(), "200 s before beats 250 s after");
        assertTrue(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS + 425_000, 0, 5, 50));
        assertEquals(1, table.firstSequence(), "a tie goes to the earlier event");
        assertEquals(2, table.inserts());
    }

    @Test
    void shouldKeepDifferentKeysApartInEveryMode() {
        for (final DedupeMode mode : DedupeMode.values()) {
            final SingleWriterDedupeTable table = table(mode);

            assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS, 5, 1, 10), mode.name());
            assertFalse(table.isDuplicate(CLIENTE_HI, OTHER_CLIENTE_LO, EDGE_MILLIS, 5, 2, 20), mode.name());
            assertFalse(table.isDuplicate(CLIENTE_LO, CLIENTE_HI, EDGE_MILLIS, 5, 3, 30), mode.name());
        }
    }

    @Test
    void shouldCatchWebhookRedeliveryInExactMode() {
        final SingleWriterDedupeTable table = table(DedupeMode.EXACT);

        assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS, 0xC0FFEEL, 41, 1_000));
        assertTrue(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS, 0xC0FFEEL, 97, 31_000));

        assertEquals(41, table.firstSequence());
        assertEquals(1_000, table.firstReceiveMillis());
        assertEquals(EDGE_MILLIS, table.firstEventTimeMillis());
    }

    @Test
    void shouldAcceptDifferentContentAtSameInstantInExactMode() {
        final SingleWriterDedupeTable table = table(DedupeMode.EXACT);

        assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS, 0xC0FFEEL, 1, 10));
        assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS, 0xBEEFL, 2, 20));
        assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS + 1, 0xC0FFEEL, 3, 30));

        assertEquals(3, table.inserts());
    }

    @Test
    void shouldForgetEntryOnceNewerEventTimeMovesItPastTtl() {
        final SingleWriterDedupeTable table = table(DedupeMode.EXACT);
        final long ttlMillis = table.config().ttlMillis();

        assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS, 9, 1, 10));
        assertFalse(table.isDuplicate(CLIENTE_HI, OTHER_CLIENTE_LO, EDGE_MILLIS + ttlMillis, 9, 2, 20));
        assertTrue(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS, 9, 3, 30), "exactly ttl old: kept");

        assertFalse(table.isDuplicate(CLIENTE_HI, OTHER_CLIENTE_LO, EDGE_MILLIS + ttlMillis + 1, 9, 4, 40));
        assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS, 9, 5, 50), "older than ttl: forgotten");
    }

    @Test
    void shouldFreeExpiredSlotsInsteadOfEvictingLiveEntries() {
        final DedupeConfig config = DedupeConfig.builder()
            .mode(DedupeMode.EXACT).capacitySlots(1024).ttlMillis(1_000).maxProbe(32).build();
        final SingleWriterDedupeTable table = new SingleWriterDedupeTable(config);
        final SplittableRandom random = new SplittableRandom(20_240_521L);
        final int batch = 600;

        for (int i = 0; i < batch; i++) {
            assertFalse(table.isDuplicate(random.nextLong(), random.nextLong(), EDGE_MILLIS, 0, i, i));
        }
        for (int i = 0; i < batch; i++) {
            assertFalse(table.isDuplicate(random.nextLong(), random.nextLong(), EDGE_MILLIS + 5_000, 0, i, i));
        }

        assertEquals(0, table.evictions());
        assertTrue(table.expirations() > 0);
        assertEquals(2 * batch, table.size() + table.expirations());
        assertTrue(table.size() <= 1024);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldEvictOldestEntryInProbeWindowAndCountItWhenFullWithoutHanging() {
        final int maxProbe = 4;
        final DedupeConfig config = DedupeConfig.builder().mode(DedupeMode.BUCKET).capacitySlots(1024)
            .ttlMillis(DedupeConfig.MAX_TTL_MILLIS).maxProbe(maxProbe).build();
        final SingleWriterDedupeTable table = new SingleWriterDedupeTable(config);
        final SplittableRandom random = new SplittableRandom(7L);
        final long[] timeBySlot = new long[1024];
        final long[] keyLoBySlot = new long[1024];

        for (int i = 0; i < 20_000; i++) {
            final long keyHi = random.nextLong();
            final long keyLo = random.nextLong();
            final long eventTimeMillis = EDGE_MILLIS + random.nextLong(86_400_000L);
            Arrays.fill(timeBySlot, Long.MIN_VALUE);
            table.forEachEntry((slot, hi, lo, bucket, hash, time, sequence, receive, expired) -> {
                timeBySlot[slot] = time;
                keyLoBySlot[slot] = lo;
            });
            final long evictionsBefore = table.evictions();

            assertFalse(table.isDuplicate(keyHi, keyLo, eventTimeMillis, 0, i, i));

            final int home = (int)(SingleWriterDedupeTable.keyHash(keyHi, keyLo, 0) +
                Math.floorDiv(eventTimeMillis, WINDOW_MILLIS)) & 1023;
            int victim = -1;
            for (int p = 0; p < maxProbe; p++) {
                final int index = (home + p) & 1023;
                if (timeBySlot[index] == Long.MIN_VALUE) {
                    victim = -1;
                    break;
                }
                if (victim < 0 || timeBySlot[index] < timeBySlot[victim]) {
                    victim = index;
                }
            }
            if (victim >= 0) {
                assertEquals(evictionsBefore + 1, table.evictions());
                final int expectedSlot = victim;
                final AtomicReference<String> seen = new AtomicReference<>();
                table.forEachEntry((slot, hi, lo, bucket, hash, time, sequence, receive, expired) -> {
                    if (slot == expectedSlot && lo == keyLo && time == eventTimeMillis) {
                        seen.set("replaced " + keyLoBySlot[expectedSlot]);
                    }
                });
                assertTrue(seen.get() != null, "the oldest entry of the probe window gives way");
            } else {
                assertEquals(evictionsBefore, table.evictions());
            }
        }

        assertEquals(20_000, table.inserts());
        assertEquals(table.inserts(), table.size() + table.evictions());
        assertEquals(1024, table.size());
    }

    @Test
    void shouldForgetEverythingOnClear() {
        final SingleWriterDedupeTable table = table(DedupeMode.BUCKET);
        final long emptyChecksum = table.stateChecksum();
        assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS, 0, 1, 10));
        assertTrue(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS, 0, 2, 20));

        table.clear();

        assertEquals(0, table.size());
        assertEquals(0, table.inserts());
        assertEquals(0, table.duplicates());
        assertEquals(SingleWriterDedupeTable.NONE, table.maxEventTimeMillis());
        assertEquals(emptyChecksum, table.stateChecksum());
        assertFalse(table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS, 0, 3, 30));
    }

    @Test
    void shouldReachIdenticalStateWhenFedIdenticalEvents() {
        for (final DedupeMode mode : DedupeMode.values()) {
            final DedupeConfig config = DedupeConfig.builder().mode(mode).capacitySlots(1024).maxProbe(8).build();
            final SingleWriterDedupeTable first = new SingleWriterDedupeTable(config);
            final SingleWriterDedupeTable second = new SingleWriterDedupeTable(config);
            feed(first, 99L, 5_000);
            feed(second, 99L, 5_000);

            assertEquals(first.stateChecksum(), second.stateChecksum(), mode.name());
            assertTrue(first.evictions() > 0, "the run exercises eviction too");

            second.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS + 3_600_000L, 0, 1, 1);
            assertNotEquals(first.stateChecksum(), second.stateChecksum(), mode.name());
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldRejectCallsFromThreadOtherThanOwnerWhenChecksAreOn() throws InterruptedException {
        assumeTrue(SafetyChecks.ENABLED);
        final SingleWriterDedupeTable table = table(DedupeMode.BUCKET);
        table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS, 0, 1, 10);
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        final Thread intruder = new Thread(() -> {
            try {
                table.isDuplicate(CLIENTE_HI, CLIENTE_LO, EDGE_MILLIS, 0, 2, 20);
            } catch (final Throwable ex) {
                failure.set(ex);
            }
        }, "intruder");
        intruder.start();
        intruder.join();

        assertTrue(failure.get() instanceof IllegalStateException);
        assertTrue(failure.get().getMessage().contains("intruder"));
        assertEquals(1, table.inserts());
    }

    @Test
    void shouldAllocateNothingPerCallAfterConstruction() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        final SingleWriterDedupeTable table = table(DedupeMode.PROXIMITY);
        final long threadId = Thread.currentThread().getId();
        feed(table, 1L, 20_000);

        final long before = threads.getThreadAllocatedBytes(threadId);
        final long duplicates = feed(table, 2L, 20_000);
        final long allocatedBytes = threads.getThreadAllocatedBytes(threadId) - before;

        assertTrue(duplicates > 0);
        assertTrue(allocatedBytes < 1_024, "allocated " + allocatedBytes + " bytes for 20 000 calls");
    }

    /** Seeded mix of keys, times (some out of order) and re-deliveries; returns the duplicates seen. */
    private static long feed(final SingleWriterDedupeTable table, final long seed, final int events) {
        final SplittableRandom random = new SplittableRandom(seed);
        long clockMillis = EDGE_MILLIS;
        long duplicates = 0;
        for (int i = 0; i < events; i++) {
            clockMillis += random.nextLong(2_000);
            final long keyLo = random.nextLong(events / 4 + 1);
            final long eventTimeMillis = clockMillis - random.nextLong(400_000);
            final long contentHash = random.nextLong(3);
            if (table.isDuplicate(42L, keyLo, eventTimeMillis, contentHash, i, clockMillis)) {
                duplicates++;
            }
        }
        return duplicates;
    }

    /**
     * Removal writes only an emptied slot's state word; the snapshot image still holds zeros for every empty
     * slot, so two tables with the same entries write the same bytes however their history went.
     */
    @Test
    void snapshotImageHoldsZerosForEverySlotEmptiedByRemoval() throws Exception {
        final DedupeConfig config = DedupeConfig.builder().mode(DedupeMode.EXACT).capacitySlots(1 << 10).maxProbe(32)
            .ttlMillis(10_000).build();
        final SingleWriterDedupeTable table = new SingleWriterDedupeTable(config);
        final SplittableRandom random = new SplittableRandom(11);
        long now = EDGE_MILLIS;
        for (int i = 0; i < 5_000; i++) {
            now += random.nextInt(100);
            table.isDuplicate(random.nextLong(), random.nextLong(), now - random.nextInt(5_000), random.nextLong(), i, now);
        }
        assertTrue(table.expirations() > 1_000, "entries were removed: " + table.expirations());
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        table.writeState(new java.io.DataOutputStream(bytes));
        final byte[] image = bytes.toByteArray();
        final int tableStart = image.length - config.capacitySlots() * DedupeSlotDescriptor.SLOT_LENGTH;
        int empty = 0;
        for (int slot = 0; slot < config.capacitySlots(); slot++) {
            final int start = tableStart + DedupeSlotDescriptor.slotOffset(slot);
            if (image[start + DedupeSlotDescriptor.STATE_OFFSET] == DedupeSlotDescriptor.STATE_EMPTY) {
                empty++;
                for (int b = 0; b < DedupeSlotDescriptor.SLOT_LENGTH; b++) {
                    assertEquals(0, image[start + b], "slot " + slot + " is empty but byte " + b + " is not zero");
                }
            }
        }
        assertEquals(config.capacitySlots() - table.size(), empty, "every slot not in use reads as empty");
    }

    /**
     * A snapshot written before slots stored their home index holds 0 there. Read back, the table must
     * derive every home, or its backward shifts would move entries away from their probe paths: fed the
     * same events afterwards (with expiry and removals), it must decide exactly as the table it came from.
     */
    @Test
    void snapshotWithoutStoredHomesIsReadBackIntoATableThatDecidesLikeTheOriginal() throws Exception {
        for (final DedupeMode mode : DedupeMode.values()) {
            final DedupeConfig config = DedupeConfig.builder().mode(mode).capacitySlots(1 << 10).maxProbe(32).windowMillis(10_000)
                .ttlMillis(60_000).build();
            final SingleWriterDedupeTable original = new SingleWriterDedupeTable(config);
            final SplittableRandom random = new SplittableRandom(5);
            long now = EDGE_MILLIS;
            for (int i = 0; i < 600; i++) {
                now += random.nextInt(200);
                original.isDuplicate(random.nextInt(400), 7, now - random.nextInt(20_000), random.nextInt(3), i, now);
            }
            final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            original.writeState(new java.io.DataOutputStream(bytes));
            final byte[] image = bytes.toByteArray();
            final int tableStart = image.length - config.capacitySlots() * DedupeSlotDescriptor.SLOT_LENGTH;
            int zeroed = 0;
            for (int slot = 0; slot < config.capacitySlots(); slot++) {
                final int home = tableStart + DedupeSlotDescriptor.slotOffset(slot) + DedupeSlotDescriptor.HOME_OFFSET;
                for (int b = 0; b < 4; b++) {
                    zeroed |= image[home + b];
                    image[home + b] = 0;
                }
            }
            assertNotEquals(0, zeroed, "the image held home indexes to erase");
            final SingleWriterDedupeTable restored = new SingleWriterDedupeTable(config);
            restored.readState(new java.io.DataInputStream(new java.io.ByteArrayInputStream(image)));
            assertEquals(original.stateChecksum(), restored.stateChecksum());
            for (int i = 600; i < 6_000; i++) {
                now += random.nextInt(200);
                final long key = random.nextInt(400);
                final long eventTime = now - random.nextInt(20_000);
                final long content = random.nextInt(3);
                assertEquals(original.isDuplicate(key, 7, eventTime, content, i, now),
                    restored.isDuplicate(key, 7, eventTime, content, i, now), mode + " event " + i);
                assertEquals(original.firstSequence(), restored.firstSequence(), mode + " event " + i);
            }
            assertTrue(original.expirations() > 1_000, "removals were exercised: " + original.expirations());
            assertEquals(original.stateChecksum(), restored.stateChecksum(), mode.toString());
        }
    }

    /**
     * The probe index (event time, fingerprint and home beside each slot) is kept in step with every slot
     * write by the live table, and rebuilt from the slots alone when a snapshot is read. A crowded table
     * (more live keys than slots, evictions, expiry, backward shifts) is snapshotted mid-run: from there the
     * live table and the one read back must decide every event alike, so neither index has drifted.
     */
    @Test
    void probeIndexKeptByTheLiveTableMatchesTheOneRebuiltFromItsSnapshot() throws Exception {
        for (final DedupeMode mode : DedupeMode.values()) {
            final DedupeConfig config = DedupeConfig.builder().mode(mode).capacitySlots(1 << 10).maxProbe(8).windowMillis(10_000)
                .ttlMillis(30_000).build();
            final SingleWriterDedupeTable live = new SingleWriterDedupeTable(config);
            final SplittableRandom random = new SplittableRandom(11);
            long now = EDGE_MILLIS;
            for (int i = 0; i < 4_000; i++) {
                now += random.nextInt(20);
                live.isDuplicate(random.nextInt(3_000), 9, now - random.nextInt(15_000), random.nextInt(2), i, now);
            }
            assertTrue(live.evictions() > 100, mode + ": the table was full: " + live.evictions());
            final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            live.writeState(new java.io.DataOutputStream(bytes));
            final SingleWriterDedupeTable restored = new SingleWriterDedupeTable(config);
            restored.readState(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
            final long evictionsBefore = live.evictions();
            final long expirationsBefore = live.expirations();
            for (int i = 4_000; i < 12_000; i++) {
                now += random.nextInt(i < 8_000 ? 20 : 60);
                final long key = random.nextInt(3_000);
                final long eventTime = now - random.nextInt(15_000);
                final long content = random.nextInt(2);
                assertEquals(live.isDuplicate(key, 9, eventTime, content, i, now),
                    restored.isDuplicate(key, 9, eventTime, content, i, now), mode + " event " + i);
                assertEquals(live.firstSequence(), restored.firstSequence(), mode + " event " + i);
            }
            assertTrue(live.evictions() > evictionsBefore && live.expirations() > expirationsBefore,
                mode + ": evictions and removals went on after the snapshot");
            assertEquals(live.stateChecksum(), restored.stateChecksum(), mode.toString());
            assertEquals(live.evictions(), restored.evictions(), mode.toString());
        }
    }
}
