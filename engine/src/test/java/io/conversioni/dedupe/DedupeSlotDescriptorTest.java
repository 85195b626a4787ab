package io.conversioni.dedupe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class DedupeSlotDescriptorTest {
    @Test
    void shouldLayFieldsEndToEndInOneCacheLine() {
        assertEquals(DedupeSlotDescriptor.KEY_HI_OFFSET + 8, DedupeSlotDescriptor.KEY_LO_OFFSET);
        assertEquals(DedupeSlotDescriptor.KEY_LO_OFFSET + 8, DedupeSlotDescriptor.BUCKET_OFFSET);
        assertEquals(DedupeSlotDescriptor.BUCKET_OFFSET + 8, DedupeSlotDescriptor.CONTENT_HASH_OFFSET);
        assertEquals(DedupeSlotDescriptor.CONTENT_HASH_OFFSET + 8, DedupeSlotDescriptor.EVENT_TIME_MILLIS_OFFSET);
        assertEquals(DedupeSlotDescriptor.EVENT_TIME_MILLIS_OFFSET + 8, DedupeSlotDescriptor.FIRST_SEQUENCE_OFFSET);
        assertEquals(DedupeSlotDescriptor.FIRST_SEQUENCE_OFFSET + 8,
            DedupeSlotDescriptor.FIRST_RECEIVE_MILLIS_OFFSET);
        assertEquals(DedupeSlotDescriptor.FIRST_RECEIVE_MILLIS_OFFSET + 8, DedupeSlotDescriptor.STATE_OFFSET);
        assertEquals(DedupeSlotDescriptor.STATE_OFFSET + 4, DedupeSlotDescriptor.HOME_OFFSET);
        assertEquals(DedupeSlotDescriptor.HOME_OFFSET + 4, DedupeSlotDescriptor.SLOT_LENGTH);
        assertEquals(DedupeSlotDescriptor.SLOT_LENGTH, 1 << DedupeSlotDescriptor.SLOT_SHIFT);
        assertEquals(3 * 64, DedupeSlotDescriptor.slotOffset(3));
    }

    @Test
    void shouldReadBackEveryFieldWrittenThroughTheFlyweight() {
        final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(2 * 64, 64));
        final DedupeSlotFlyweight slot = new DedupeSlotFlyweight().wrap(buffer, DedupeSlotDescriptor.slotOffset(1));
        assertTrue(slot.isEmpty());

        slot.putEntry(1, 2, 3, 4, 5, 6, 7, 8);

        assertFalse(slot.isEmpty());
        assertTrue(slot.matches(1, 2, 3, 4));
        assertFalse(slot.matches(1, 2, 3, 5));
        assertEquals(5, slot.eventTimeMillis());
        assertEquals(6, slot.firstSequence());
        assertEquals(7, slot.firstReceiveMillis());
        assertEquals(8, slot.home());
        assertTrue(slot.wrap(buffer, 0).isEmpty(), "the neighbouring slot is untouched");
    }

    @Test
    void shouldWriteTheSameBytesOnAHeapBufferAndOffHeap() {
        final UnsafeBuffer direct = new UnsafeBuffer(BufferUtil.allocateDirectAligned(2 * 64, 64));
        final UnsafeBuffer heap = new UnsafeBuffer(new byte[2 * 64]);
        for (UnsafeBuffer buffer : new UnsafeBuffer[] {direct, heap}) {
            new DedupeSlotFlyweight().wrap(buffer, DedupeSlotDescriptor.slotOffset(1))
                .putEntry(0x1111L, 0x2222L, 0x3333L, 0x4444L, 0x5555L, 0x6666L, 0x7777L, 9);
        }
        for (int i = 0; i < 2 * 64; i++) {
            assertEquals(direct.getByte(i), heap.getByte(i), "byte " + i);
        }
        final DedupeSlotFlyweight read = new DedupeSlotFlyweight().wrap(heap, DedupeSlotDescriptor.slotOffset(1));
        assertTrue(read.matches(0x1111L, 0x2222L, 0x3333L, 0x4444L));
        assertEquals(9, read.home());
    }

    @Test
    void shouldRefuseASlotOutsideTheBuffer() {
        final DedupeSlotFlyweight slot = new DedupeSlotFlyweight().wrap(new UnsafeBuffer(new byte[64]), 32);
        assertThrows(IndexOutOfBoundsException.class, () -> slot.putEntry(1, 2, 3, 4, 5, 6, 7, 8));
    }
}
