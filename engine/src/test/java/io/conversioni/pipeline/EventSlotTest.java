package io.conversioni.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.conversioni.event.ConversionEvent;
import io.conversioni.schema.Violations;
import org.junit.jupiter.api.Test;

class EventSlotTest {
    /** Ring slots keep their attachments in one shared table: each sees its own, and release clears only its own. */
    @Test
    void slotsSharingATableKeepTheirOwnAttachments() {
        final Object[] table = new Object[4];
        final EventSlot first = new EventSlot(new byte[16], 0, 16, table, 1, new ConversionEvent(), new Violations());
        final EventSlot second = new EventSlot(new byte[16], 0, 16, table, 2, new ConversionEvent(), new Violations());
        final Object a = new Object();
        final Object b = new Object();
        first.fill(EventSlot.KIND_EVENT, new byte[] {'{', '}'}, 0, 2, 1L, 1L, null, a);
        second.fill(EventSlot.KIND_EVENT, new byte[] {'{', '}'}, 0, 2, 1L, 1L, null, b);

        assertSame(a, first.attachment());
        assertSame(b, second.attachment());
        first.release();
        assertNull(first.attachment());
        assertSame(b, second.attachment());
        assertNull(table[0]);
        assertNull(table[3]);
    }

    /**
     * Ring slots start as slices of one array: each body lands in its own slice, the neighbours' bytes untouched; a
     * body larger than the slice moves that slot to an array of its own, and the slice is left alone after.
     */
    @Test
    void slotsSharingABodyArrayKeepToTheirSlicesAndMoveOutWhenABodyIsLarger() {
        final byte[] bodies = new byte[3 * 8];
        java.util.Arrays.fill(bodies, (byte) '.');
        final EventSlot middle = new EventSlot(bodies, 8, 8, new Object[3], 1, new ConversionEvent(), new Violations());
        middle.fill(EventSlot.KIND_EVENT, "xx{\"a\":1}".getBytes(), 2, 7, 1L, 1L, null, null);
        assertSame(bodies, middle.body());
        assertEquals(8, middle.bodyOffset());
        assertEquals("........{\"a\":1}.........", new String(bodies));

        final byte[] large = "{\"a\":123456}".getBytes();
        middle.fill(EventSlot.KIND_EVENT, large, 0, large.length, 2L, 2L, null, null);
        assertNotSame(bodies, middle.body());
        assertEquals(0, middle.bodyOffset());
        assertArrayEquals(large, java.util.Arrays.copyOfRange(middle.body(), 0, middle.bodyLength()));
        assertEquals("........{\"a\":1}.........", new String(bodies), "the slice is no longer written");

        middle.fill(EventSlot.KIND_EVENT, "{}".getBytes(), 0, 2, 3L, 3L, null, null);
        assertNotSame(bodies, middle.body(), "a slot that moved out stays out");
        assertEquals("{}", new String(middle.body(), middle.bodyOffset(), middle.bodyLength()));
    }

    /**
     * The ring's bodies lie in arrays of at most {@link EnginePipeline#MAX_BODY_ARRAY_BYTES}, slot after slot: every
     * ring size and slot size in their configured ranges fits, and the slices cover the ring exactly.
     */
    @Test
    void theRingsBodyArraysHoldEverySlotsSliceAndNoneOverflows() {
        final byte[][] shipped = EnginePipeline.bodyArrays(16384, 512);
        assertEquals(1, shipped.length);
        assertEquals(16384 * 512, shipped[0].length);

        final byte[][] twoArrays = EnginePipeline.bodyArrays(65536, 512);
        assertEquals(2, twoArrays.length);
        assertEquals(EnginePipeline.MAX_BODY_ARRAY_BYTES, twoArrays[0].length);
        assertEquals(EnginePipeline.MAX_BODY_ARRAY_BYTES, twoArrays[1].length);

        // a slot size that does not divide the array's limit: the last array takes only the slots left
        final int perArray = EnginePipeline.slotsPerBodyArray(3000);
        assertEquals(EnginePipeline.MAX_BODY_ARRAY_BYTES / 3000, perArray);
        final byte[][] uneven = EnginePipeline.bodyArrays(8192, 3000);
        assertEquals((8192 + perArray - 1) / perArray, uneven.length);
        long total = 0;
        for (byte[] array : uneven) {
            assertEquals(0, array.length % 3000);
            total += array.length;
        }
        assertEquals(8192L * 3000, total);
    }
}
