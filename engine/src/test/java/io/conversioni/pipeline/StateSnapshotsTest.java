package io.conversioni.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import io.conversioni.config.EngineConfig;
import io.conversioni.dedupe.SingleWriterDedupeTable;
import io.conversioni.window.SingleWriterWindowStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Periodic snapshots are captured into one reused buffer: each file must hold exactly the state of its
 * own capture, whether the state grew since the last one (new campaigns) or not, with nothing left over
 * from an earlier, longer capture.
 */
class StateSnapshotsTest {
    private static final long T0 = 1_716_215_565_123L;

    @TempDir
    Path data;

    @Test
    void eachSnapshotCapturedIntoTheReusedBufferRestoresTheStateOfItsOwnCapture() throws Exception {
        final EngineConfig config = EngineConfig.parse("", EngineFixtures.CONFIG_DIR);
        final SingleWriterWindowStore windows = new SingleWriterWindowStore(config.windows());
        final SingleWriterDedupeTable dedupe = new SingleWriterDedupeTable(config.dedupe());
        final EngineCounters counters = new EngineCounters();
        final SingleWriterResumePoints resumePoints = new SingleWriterResumePoints();
        final StateSnapshots snapshots = new StateSnapshots(data);
        // one buffer and stream for every capture, as the engine keeps them; far too small: the first capture grows it
        final org.agrona.ExpandableArrayBuffer buffer = new org.agrona.ExpandableArrayBuffer(1024);
        final org.agrona.io.ExpandableDirectBufferOutputStream out = new org.agrona.io.ExpandableDirectBufferOutputStream();
        final SplittableRandom random = new SplittableRandom(9);
        final long[] windowChecksums = new long[3];
        final long[] dedupeChecksums = new long[3];
        long sequence = 0;
        for (int capture = 0; capture < 3; capture++) {
            for (int i = 0; i < 2_000; i++, sequence++) {
                final long time = T0 + sequence * 50;
                final int campaign = windows.campaigns().idOf("campagna-" + (capture * 40 + random.nextInt(40)));
                windows.onEvent(sequence, time + 100, time, random.nextInt(4), random.nextInt(4), random.nextInt(3),
                    campaign, random.nextInt(10_000), false);
                dedupe.isDuplicate(random.nextInt(5_000), 1, time, 0, sequence, time + 100);
                counters.outcome(Outcome.ACCEPTED);
            }
            if (capture == 2) { // a cluster owner's state: Kafka records of partitions 4 and 1 (version 2)
                resumePoints.onRecord(4, 70L);
                resumePoints.onRecord(1, 9L);
                resumePoints.onRecord(4, 71L);
            }
            out.wrap(buffer);
            StateSnapshots.capture(out, capture, sequence, windows, dedupe, counters, resumePoints);
            snapshots.write(buffer.byteArray(), out.position());
            windowChecksums[capture] = windows.stateChecksum();
            dedupeChecksums[capture] = dedupe.stateChecksum();
        }
        final List<StateSnapshots.Snapshot> kept = snapshots.verified();
        assertEquals(StateSnapshots.KEEP, kept.size());
        for (final StateSnapshots.Snapshot snapshot : kept) {
            final int capture = (int) snapshot.coveredIndex();
            final SingleWriterWindowStore restoredWindows = new SingleWriterWindowStore(config.windows());
            final SingleWriterDedupeTable restoredDedupe = new SingleWriterDedupeTable(config.dedupe());
            final EngineCounters restoredCounters = new EngineCounters();
            final DataInputStream in = snapshot.state();
            restoredWindows.readState(in);
            restoredDedupe.readState(in);
            restoredCounters.readState(in);
            assertEquals(capture == 2, snapshot.hasResumePoints(), "version 1, as before, without records");
            if (snapshot.hasResumePoints()) {
                final SingleWriterResumePoints restored = new SingleWriterResumePoints();
                restored.readState(in);
                org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {-1L, 10L, 72L, -1L},
                    restored.copy(new int[] {0, 1, 4, 9}));
            }
            assertEquals(windowChecksums[capture], restoredWindows.stateChecksum(), "windows of capture " + capture);
            assertEquals(dedupeChecksums[capture], restoredDedupe.stateChecksum(), "dedupe of capture " + capture);
            assertEquals(2_000L * (capture + 1), restoredCounters.outcomes(Outcome.ACCEPTED));
            assertEquals(0, in.available(), "the state ends where the checksum begins: nothing of a longer capture");
        }
    }
}
