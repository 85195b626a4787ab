package io.conversioni.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JournalConfigTest {
    @TempDir
    Path dir;

    @Test
    void shouldUseTheDocumentedDefaults() {
        final JournalConfig config = JournalConfig.defaults(dir);
        assertEquals(JournalRollCycle.HOURLY, config.rollCycle());
        assertEquals(168, config.retainCycles());
        assertEquals(JournalDurability.ASYNC, config.durability());
        assertEquals(dir.resolve("events"), config.eventsDirectory());
        assertEquals(dir.resolve("quarantine"), config.quarantineDirectory());
    }

    @Test
    void shouldAcceptNamesIgnoringCaseAndSpaces() {
        final JournalConfig config = JournalConfig.of(dir, " daily ", 7, "SYNC");
        assertEquals(JournalRollCycle.DAILY, config.rollCycle());
        assertEquals(JournalDurability.SYNC, config.durability());
    }

    @Test
    void shouldRejectAnUnknownRollCycleNamingTheKeyTheChoicesAndTheValue() {
        final IllegalArgumentException thrown =
            assertThrows(IllegalArgumentException.class, () -> JournalConfig.of(dir, "WEEKLY", 7, "async"));
        assertEquals("journal.rollCycle must be one of FIVE_MINUTELY, TEN_MINUTELY, TWENTY_MINUTELY, HALF_HOURLY, "
            + "HOURLY, TWO_HOURLY, FOUR_HOURLY, SIX_HOURLY, DAILY; was 'WEEKLY'", thrown.getMessage());
    }

    @Test
    void shouldRejectRetainCyclesOutOfRangeNamingTheKeyAndTheValue() {
        final IllegalArgumentException thrown =
            assertThrows(IllegalArgumentException.class, () -> JournalConfig.of(dir, "HOURLY", 0, "async"));
        assertEquals("journal.retainCycles must be between 1 and 1100000 (cycles kept, counting the current one); "
            + "was 0", thrown.getMessage());
    }

    @Test
    void shouldRejectAnUnknownDurabilityNamingTheKeyAndTheValue() {
        final IllegalArgumentException thrown =
            assertThrows(IllegalArgumentException.class, () -> JournalConfig.of(dir, "HOURLY", 7, "fsync"));
        assertEquals("journal.durability must be sync or async; was 'fsync'", thrown.getMessage());
    }

    @Test
    void shouldRejectAFileWhereTheDirectoryShouldBe() throws Exception {
        final Path file = Files.writeString(dir.resolve("journal"), "x");
        final IllegalArgumentException thrown =
            assertThrows(IllegalArgumentException.class, () -> JournalConfig.defaults(file));
        assertEquals("journal.directory must be a directory; was '" + file + "', which is a file",
            thrown.getMessage());
    }

    @Test
    void shouldRejectAMissingDirectory() {
        final IllegalArgumentException thrown =
            assertThrows(IllegalArgumentException.class, () -> JournalConfig.defaults(null));
        assertEquals("journal.directory is required; was missing", thrown.getMessage());
    }
}
