package io.conversioni.ingress;

import io.conversioni.config.EngineConfig;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.OutcomeListener;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What hostile-traffic defence adds to every single-event POST allocates nothing: the framing check of a plain
 * Content-Length, the queue-wait reading and the fair-share admission of a ring below its mark.
 */
class HotPathAllocationTest {
    @TempDir
    Path data;

    @Test
    void shouldAllocateNothingToCheckFramingQueueWaitAndShareOnTheHotPath() throws Exception {
        final EngineConfig config = EngineConfig.parse("", Path.of("..", "config"));
        try (Engine engine = Engine.create(config, data)) {
            final OutcomeListener outcomes = (event, attachment) -> { };
            final FairShare share = new FairShare(engine, outcomes);
            final HeaderMap headers = new HeaderMap();
            headers.put(Headers.CONTENT_LENGTH, "327");
            final HeaderValues lengths = headers.get(Headers.CONTENT_LENGTH);
            assertTrue(FramingGuard.wellFramed(lengths, false));
            assertFalse(FramingGuard.wellFramed(lengths, true));
            assertSame(outcomes, share.admit("crm"));
            run(engine, share, lengths, 200_000); // warm up: JIT compilation allocates too

            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            final long thread = Thread.currentThread().getId();
            final long baseline = threads.getThreadAllocatedBytes(thread);
            final long baselineAgain = threads.getThreadAllocatedBytes(thread);
            final long before = threads.getThreadAllocatedBytes(thread);
            final long checks = run(engine, share, lengths, 200_000);
            final long allocated = threads.getThreadAllocatedBytes(thread) - before - (baselineAgain - baseline);
            assertTrue(checks == 200_000, "every check passed: " + checks);
            // one allocation per request would be 200000 × 16 bytes at least
            assertTrue(allocated < 20_000, "bytes allocated by 200000 requests' checks: " + allocated);
        }
    }

    private static long run(final Engine engine, final FairShare share, final HeaderValues lengths, final int requests) {
        long passed = 0;
        for (int i = 0; i < requests; i++) {
            if (FramingGuard.wellFramed(lengths, false) && engine.oldestWaitNanos(System.nanoTime()) == 0
                && share.admit("crm") != null) {
                passed++;
            }
        }
        return passed;
    }
}
