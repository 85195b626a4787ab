package io.conversioni.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The per-thread split the pipeline benchmark prints: a thread that worked shows CPU, one that waited shows time off the run queue. */
class ThreadSchedStatsTest {
    private static final Pattern LINE = Pattern.compile("\\n  (\\S+)\\s+(\\d+) /\\s+(\\d+) /\\s+(\\d+)");
    private static final long EVENTS = 1_000;
    private static final long SPIN_CPU_NANOS = 50_000_000L;

    @Test
    @Timeout(30)
    void shouldSplitEachThreadsWallTimePerEventIntoCpuQueueAndOffTheRunQueue() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/task")), "Linux only");
        final CountDownLatch go = new CountDownLatch(1);
        final CountDownLatch spun = new CountDownLatch(1);
        final CountDownLatch end = new CountDownLatch(1);
        final Thread busy = new Thread(() -> {
            await(go);
            spinForCpu(SPIN_CPU_NANOS);
            spun.countDown();
            await(end);
        }, "schedtest-busy");
        final Thread idle = new Thread(() -> await(end), "schedtest-idle");
        busy.start();
        idle.start();
        final ThreadSchedStats start = ThreadSchedStats.sample("schedtest-");
        go.countDown();
        assertTrue(spun.await(20, TimeUnit.SECONDS));
        final String lines = ThreadSchedStats.sample("schedtest-").perEventSince(start, EVENTS);
        end.countDown();
        busy.join(5_000);
        idle.join(5_000);

        final Matcher m = LINE.matcher(lines);
        long busyCpu = -1;
        long idleCpu = -1;
        long idleOff = -1;
        while (m.find()) {
            if (m.group(1).equals("schedtest-busy")) {
                busyCpu = Long.parseLong(m.group(2));
            } else if (m.group(1).equals("schedtest-idle")) {
                idleCpu = Long.parseLong(m.group(2));
                idleOff = Long.parseLong(m.group(4));
            }
        }
        // 50 ms of CPU over 1000 events: 50 000 ns each; the idle thread waited the whole interval (at least that long)
        assertTrue(busyCpu >= 45_000, lines);
        assertTrue(idleCpu >= 0 && idleCpu < 5_000, lines);
        assertTrue(idleOff >= 40_000, lines);
    }

    @Test
    void shouldSaySoWhenThereIsNothingToDivideBy() {
        final ThreadSchedStats now = ThreadSchedStats.sample("schedtest-none-");
        assertEquals("scheduler statistics: none (not Linux, or no events)", now.perEventSince(now, 1));
    }

    private static void spinForCpu(final long nanos) {
        final var threads = ManagementFactory.getThreadMXBean();
        final long startCpu = threads.getCurrentThreadCpuTime();
        long x = 0;
        while (threads.getCurrentThreadCpuTime() - startCpu < nanos) {
            x += x * 31 + 7;
        }
        if (x == 42) {
            System.out.println(x);
        }
    }

    private static void await(final CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
