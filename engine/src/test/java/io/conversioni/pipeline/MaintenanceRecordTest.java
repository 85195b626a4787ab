package io.conversioni.pipeline;

import io.conversioni.config.EngineConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's snapshot and retention runs, as the jobs view sees them. */
@Timeout(60)
class MaintenanceRecordTest {
    @TempDir
    Path data;

    @Test
    void shouldWriteASnapshotOnRequestRecordItAndRunRetentionAfterTheNextOne() throws Exception {
        try (Engine engine = Engine.create(EngineConfig.parse("", EngineFixtures.CONFIG_DIR), data)) {
            assertFalse(engine.requestSnapshot(), "not running yet");
            engine.start();
            assertEquals("mai_eseguito", engine.snapshotRecord().outcome());
            Thread.sleep(2_500); // a heartbeat or two: the journal is not empty
            assertTrue(engine.snapshotRecord().nextRunMillis() > System.currentTimeMillis() + 200_000);
            for (int run = 1; run <= 2; run++) {
                assertTrue(engine.requestSnapshot());
                final long deadline = System.currentTimeMillis() + 20_000;
                while (engine.snapshotRecord().runs() < run && System.currentTimeMillis() < deadline) {
                    Thread.sleep(10);
                }
                assertEquals(run, engine.snapshotRecord().runs());
                assertEquals("ok", engine.snapshotRecord().outcome());
            }
            final long deadline = System.currentTimeMillis() + 20_000;
            while (engine.retentionRecord().runs() < 1 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertEquals("0 file eliminati", engine.retentionRecord().outcome(), "the second snapshot makes the first's "
                + "covered index safe to retain from");
            assertTrue(engine.snapshotRecord().lastRunMillis() > 0);
        }
        try (var files = Files.list(data.resolve("snapshots"))) {
            assertEquals(2, files.count());
        }
    }
}
