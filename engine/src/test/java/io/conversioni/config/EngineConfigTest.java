package io.conversioni.config;

import io.conversioni.dedupe.DedupeMode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineConfigTest {
    private static final Path CONFIG_DIR = Path.of("..", "config");

    private static String error(final String yaml) {
        return assertThrows(ConfigException.class, () -> EngineConfig.parse(yaml, CONFIG_DIR)).getMessage();
    }

    @Test
    void shouldLoadTheShippedFileWithTheDocumentedDefaults() throws Exception {
        final EngineConfig c = EngineConfig.load(CONFIG_DIR.resolve("conversioni.yaml"));
        final EngineConfig empty = EngineConfig.parse("", CONFIG_DIR);
        for (EngineConfig config : new EngineConfig[] {c, empty}) {
            assertEquals(16384, config.ringSize());
            assertEquals("blocking", config.waitStrategy());
            assertEquals(1, config.stageThreads());
            assertEquals(65536, config.maxBodyBytes());
            assertEquals(512, config.slotBodyBytes());
            assertEquals(1000, config.heartbeatMillis());
            assertFalse(config.syncDurability());
            assertEquals(8L << 20, config.pretouchBytes());
            assertEquals(256L << 20, config.dropBehindBytes());
            assertEquals(DedupeMode.PROXIMITY, config.dedupe().mode());
            assertEquals(300_000, config.dedupe().windowMillis());
            assertEquals(600_000, config.dedupe().ttlMillis());
            assertEquals(java.util.List.of("id_cliente", "evento"), config.dedupeKeyFields());
            assertEquals(300_000, config.windows().windowLengthMs());
            assertEquals(86_400_000, config.windows().horizonMs());
            assertEquals(15_000, config.windows().allowedLatenessMs());
            assertEquals(45_000, config.windows().idleAllowanceMs());
            assertEquals(4, config.schema().eventi().size());
        }
    }

    @Test
    void shouldNameTheKeyAndTheBadValue() {
        assertTrue(error("pipeline:\n  ring_size: 1000\n").contains("pipeline.ring_size must be a power of two, was '1000'"));
        assertTrue(error("windows:\n  size: 5 minutes\n").contains("windows.size must be a duration"));
        assertTrue(error("journal:\n  durability: maybe\n").contains("journal.durability must be one of async, sync, was 'maybe'"));
        assertTrue(error("dedupe:\n  key_fields: [id_cliente, email]\n").contains("dedupe.key_fields"));
        assertTrue(error("windows:\n  conversion_rate:\n    conversioni: [vendita]\n").contains("'vendita'"));
        assertTrue(error("pipeline:\n  max_body_size: 12\n").contains("pipeline.max_body_size"));
        assertTrue(error("pipeline:\n  slot_body_size: 32\n").contains(
            "pipeline.slot_body_size must be a size like 65536, 64KiB or 1MiB, between 64 and 65536 bytes, was '32'"));
        assertTrue(error("pipeline:\n  slot_body_size: 1MiB\n").contains("pipeline.slot_body_size"));
        assertTrue(error("pipeline:\n  ring_size: 16777216\n  slot_body_size: 64KiB\n").contains(
            "pipeline.ring_size x pipeline.slot_body_size is 1048576 MiB of ring bodies, more than half of this JVM's"));
        assertTrue(error("journal:\n  pretouch: 2GiB\n").contains("journal.pretouch"));
        assertTrue(error("journal:\n  drop_behind: -1MiB\n").contains("journal.drop_behind"));
        assertTrue(error("journal:\n  drop_behind: 2000GiB\n").contains("journal.drop_behind"));
    }

    @Test
    void shouldTakeTheSlotBodySizeInBytesOrUnits() throws Exception {
        assertEquals(64, EngineConfig.parse("pipeline:\n  slot_body_size: 64\n", CONFIG_DIR).slotBodyBytes());
        assertEquals(2048, EngineConfig.parse("pipeline:\n  slot_body_size: 2KiB\n", CONFIG_DIR).slotBodyBytes());
        assertEquals(65536, EngineConfig.parse("pipeline:\n  slot_body_size: 64KiB\n", CONFIG_DIR).slotBodyBytes());
    }

    @Test
    void shouldTakeTheIdleAllowanceThatClosesAQuietStreamsWindows() throws Exception {
        assertEquals(0, EngineConfig.parse("windows:\n  idle_allowance: 0s\n", CONFIG_DIR).windows().idleAllowanceMs());
        assertEquals(5_000, EngineConfig.parse("windows:\n  idle_allowance: 5s\n", CONFIG_DIR).windows().idleAllowanceMs());
        assertTrue(error("windows:\n  idle_allowance: soon\n").contains("windows.idle_allowance must be a duration"));
        assertTrue(error("windows:\n  horizon: 1h\n  idle_allowance: 1h\n").contains("windows.idle_allowance"));
    }

    @Test
    void shouldTurnTheJournalPretouchOffWithZero() throws Exception {
        assertEquals(0, EngineConfig.parse("journal:\n  pretouch: 0\n", CONFIG_DIR).pretouchBytes());
        assertEquals(1L << 20, EngineConfig.parse("journal:\n  pretouch: 1MiB\n", CONFIG_DIR).pretouchBytes());
    }

    @Test
    void shouldTurnTheJournalDropBehindOffWithZero() throws Exception {
        assertEquals(0, EngineConfig.parse("journal:\n  drop_behind: 0\n", CONFIG_DIR).dropBehindBytes());
        assertEquals(1L << 30, EngineConfig.parse("journal:\n  drop_behind: 1GiB\n", CONFIG_DIR).dropBehindBytes());
    }

    @Test
    void shouldTakeTheInlineWiringAndRefuseAStageThreadCountWithNoWiring() throws Exception {
        assertEquals(0, EngineConfig.parse("pipeline:\n  stage_threads: 0\n", CONFIG_DIR).stageThreads());
        final String message = error("pipeline:\n  stage_threads: 3\n");
        assertTrue(message.contains("pipeline.stage_threads") && message.contains("0"), message);
    }

    @Test
    void shouldRefuseUnknownSettingsInsteadOfIgnoringThem() {
        final String message = error("pipeline:\n  ring_sise: 1024\ndedup:\n  mode: exact\n");
        assertTrue(message.contains("pipeline.ring_sise") && message.contains("dedup"), message);
    }

    @Test
    void shouldReportAMissingSchemaOrCostFileAndABadSchema(@org.junit.jupiter.api.io.TempDir final Path dir)
        throws Exception {
        assertTrue(error("schema: nope.json\n").contains("schema file not found: nope.json"));
        assertTrue(error("windows:\n  costs: nope.csv\n").contains("windows.costs file not found"));
        Files.writeString(dir.resolve("s.json"), "{\"type\":\"object\"}");
        final String message = assertThrows(ConfigException.class,
            () -> EngineConfig.parse("schema: s.json\n", dir)).getMessage();
        assertTrue(message.contains("the engine needs \"id_cliente\""), message);
    }

    @Test
    void shouldRefuseACostRowForACanaleTheSchemaDoesNotKnowNamingFileLineAndColumn(
        @org.junit.jupiter.api.io.TempDir final Path dir) throws Exception {
        final Path yaml = Files.writeString(dir.resolve("mine.yaml"),
            "schema: " + CONFIG_DIR.resolve("schema/conversione.schema.json").toAbsolutePath() + "\n");
        Files.writeString(dir.resolve("costi.csv"), "canale,campagna,giorno,spesa\nemail,,*,10.00\nfax,,*,1.00\n");
        final String message = assertThrows(ConfigException.class, () -> EngineConfig.load(yaml)).getMessage();
        assertTrue(message.contains("windows.costs: cost_table_bad_canale costi.csv line 3 column 1: canale 'fax'"),
            message);
        Files.writeString(dir.resolve("costi.csv"), "canale,campagna,giorno,spesa\nemail,,*,10.00\n");
        assertEquals(1, EngineConfig.load(yaml).costs().canaleCount());
    }

    @Test
    void shouldRejectYamlThatIsNotAMapping() {
        assertTrue(error("- a\n- b\n").contains("top level must be a mapping"));
        assertTrue(error("pipeline: [\n").contains("not valid YAML"));
    }
}
