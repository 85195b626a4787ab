package io.conversioni.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import org.junit.jupiter.api.Test;

/**
 * The evento x canale counters travel in snapshots; a snapshot written before they existed still restores
 * the older counters (an upgrade must not discard its snapshots), and one of another shape is refused.
 */
class EngineCountersTest {

    @Test
    void shouldCountAcceptedEventsAndValueByEventoAndCanale() {
        final EngineCounters counters = new EngineCounters(4, 3);
        counters.accepted(1, 2, 1999);
        counters.accepted(1, 2, 1);
        counters.accepted(3, 0, 500);
        assertEquals(2, counters.accepted(1, 2));
        assertEquals(2000, counters.valueCents(1, 2));
        assertEquals(1, counters.accepted(3, 0));
        assertEquals(0, counters.accepted(2, 1));
        assertEquals(0, counters.valueCents(0, 0));
    }

    @Test
    void shouldRestoreEveryCounterFromTheStateItWrote() throws IOException {
        final EngineCounters counters = new EngineCounters(4, 3);
        counters.outcome(Outcome.ACCEPTED);
        counters.accepted(2, 1, 4200);
        final EngineCounters restored = new EngineCounters(4, 3);
        final DataInputStream in = stateOf(counters);
        restored.readState(in);
        assertEquals(1, restored.outcomes(Outcome.ACCEPTED));
        assertEquals(1, restored.accepted(2, 1));
        assertEquals(4200, restored.valueCents(2, 1));
        assertEquals(0, in.available());
    }

    @Test
    void shouldReadAStateWrittenBeforeTheEventoCanaleCountersWithThoseAtZero() throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);
        final long[] byOutcome = new long[7];
        byOutcome[Outcome.ACCEPTED] = 12;
        for (final long[] section : new long[][] {byOutcome, new long[EngineCounters.REJECTION_CODES.size()], new long[3]}) {
            out.writeInt(section.length);
            for (final long value : section) {
                out.writeLong(value);
            }
        }
        final EngineCounters restored = new EngineCounters(4, 3);
        restored.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(12, restored.outcomes(Outcome.ACCEPTED));
        assertEquals(0, restored.accepted(0, 0));
    }

    @Test
    void shouldRefuseAStateWhoseEventoCanaleShapeDiffers() throws IOException {
        final EngineCounters counters = new EngineCounters(4, 3);
        counters.accepted(0, 0, 1);
        final IOException e = assertThrows(IOException.class, () -> new EngineCounters(4, 4).readState(stateOf(counters)));
        assertEquals("snapshot counters have another shape", e.getMessage());
    }

    private static DataInputStream stateOf(final EngineCounters counters) throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        counters.writeState(new DataOutputStream(bytes));
        return new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
    }
}
