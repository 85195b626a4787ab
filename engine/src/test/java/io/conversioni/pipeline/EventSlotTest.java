package io.conversioni.pipeline;

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
        final EventSlot first = new EventSlot(16, table, 1, new ConversionEvent(), new Violations());
        final EventSlot second = new EventSlot(16, table, 2, new ConversionEvent(), new Violations());
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
}
