package io.conversioni.window;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Snapshots filled by their caller (the cluster's merged windows) read back as a store's copies do. */
class DetachedWindowSnapshotTest {
    private static final WindowConfig CONFIG = WindowConfig.builder().campaignCapacity(8).build();

    @Test
    void shouldAddCellsAndCopyThemWithTheHeaderAsAStoreCopyReadsThem() {
        final WindowSnapshot merged = WindowSnapshot.detached(CONFIG);
        merged.reset(600_000, 3, false, 7);
        merged.total().addField(0, 5);
        merged.cellAt(1 + CONFIG.eventoCount() + 2).addField(4, 1234); // canale 2's valore
        merged.campagnaForUpdate(4).addField(0, 2);
        final WindowSnapshot reader = WindowSnapshot.detached(CONFIG);
        reader.copyFrom(merged);
        reader.header(600_000, 3, true, 7);
        assertEquals(600_000, reader.windowStartMillis());
        assertEquals(900_000, reader.windowEndMillis());
        assertEquals(3, reader.revision());
        assertTrue(reader.closed());
        assertFalse(merged.closed(), "the copy's header is its own");
        assertEquals(5, reader.total().uniqueCount());
        assertEquals(1234, reader.canale(2).valueSumCents());
        assertEquals(5, reader.campaignCellsUsed());
        assertEquals(2, reader.campagna(4).uniqueCount());
        assertEquals(0, reader.campagna(3).uniqueCount());
        assertEquals(0, reader.campagna(6).uniqueCount(), "beyond the used ids: the zero cell");
        assertEquals(WindowCellDescriptor.FIXED_FIELD_COUNT + CONFIG.statoCount(), reader.total().fieldCount());

        merged.reset(900_000, 0, false, 8);
        assertEquals(0, merged.total().uniqueCount(), "reset zeroes every cell");
        assertEquals(0, merged.campaignCellsUsed());
    }

    @Test
    void shouldRefuseCellsOutsideTheWindow() {
        final WindowSnapshot w = WindowSnapshot.detached(CONFIG);
        assertThrows(IndexOutOfBoundsException.class, () -> w.campagnaForUpdate(8));
        assertThrows(IndexOutOfBoundsException.class, () -> w.cellAt(w.fixedCellCount()));
        assertThrows(IndexOutOfBoundsException.class, () -> w.total().field(w.total().fieldCount()));
        assertThrows(IllegalArgumentException.class,
            () -> w.copyFrom(WindowSnapshot.detached(WindowConfig.builder().campaignCapacity(16).build())));
    }
}
