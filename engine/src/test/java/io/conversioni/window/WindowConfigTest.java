package io.conversioni.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WindowConfigTest {
    @Test
    void shouldDefaultToFiveMinuteWindowsOverOneDayWithFifteenSecondsOfLateness() {
        final WindowConfig config = WindowConfig.defaults();
        assertEquals(300_000, config.windowLengthMs());
        assertEquals(288, config.windowCount());
        assertEquals(15_000, config.allowedLatenessMs());
        assertEquals(0b10, config.numeratorEventoMask());
        assertEquals(0b1111, config.denominatorEventoMask());
    }

    @Test
    void shouldNameTheKeyAndValueOfAnInvalidSetting() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> WindowConfig.builder().windowLengthMs(7_000).build());
        assertTrue(e.getMessage().startsWith("windows.size = 7000"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> WindowConfig.builder().horizonMs(310_000).build()).getMessage().contains("windows.horizon"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> WindowConfig.builder().numeratorEventi(9).build()).getMessage().contains("windows.conversion_rate.conversioni"));
    }
}
