package io.conversioni.pipeline;

import io.conversioni.config.EngineConfig;
import io.conversioni.testkit.Await;
import io.conversioni.testkit.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's snapshot and retention runs, as the jobs view sees them. */
@Timeout(60)
@ExtendWith(LeakCheck.class)
class MaintenanceRecordTest {
    @TempDir
    Path data;

    @Test
    void shouldWriteASnapshotOnRequestRecordItAndRunRetentionAfterTheNextOne() throws Exception {
        try (Engine engine = Engine.create(EngineConfig.parse("", EngineFixtures.CONFIG_DIR), data)) {
            assertFalse(engine.requestSnapshot(), "not running yet");
            engine.start();
            assertEquals("mai_eseguito", engine.snapshotRecord().outcome());
            Await.until("a heartbeat in the journal", () -> engine.counters().heartbeats() > 0);
            assertTrue(engine.snapshotRecord().nextRunMillis() > System.currentTimeMillis() + 200_000);
            for (int run = 1; run <= 2; run++) {
                assertTrue(engine.requestSnapshot());
                final int expected = run;
                Await.until("snapshot run " + run, () -> engine.snapshotRecord().runs() >= expected);
                assertEquals(run, engine.snapshotRecord().runs());
                assertEquals("ok", engine.snapshotRecord().outcome());
            }
            Await.until("a retention run", () -> engine.retentionRecord().runs() >= 1);
            assertEquals("0 file eliminati", engine.retentionRecord().outcome(), "the second snapshot makes the first's "
                + "covered index safe to retain from");
            assertTrue(engine.snapshotRecord().lastRunMillis() > 0);
        }
        try (var files = Files.list(data.resolve("snapshots"))) {
            assertEquals(2, files.count());
        }
    }
}
