package io.conversioni.bench.load;

import java.io.IOException;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Entry point and the one wiring place: settings → connections → scheduler thread + selector loop (this thread)
 * + insight probe thread → report. The run is bounded: it stops after the schedule plus the drain time, whatever
 * the server does; {@code --warmup} runs a discarded one first in the same JVM. Usage: see {@link LoadSettings#USAGE}; {@code --self-test} checks the generator against an
 * in-process server. Exit status: 0 done, 1 self-test failed or the target could not be reached, 2 bad arguments.
 */
public final class LoadGenerator {
    private static final long START_DELAY_NANOS = 100_000_000L;

    private LoadGenerator() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length == 1 && "--self-test".equals(args[0])) {
            System.exit(SelfTest.run());
        }
        final LoadSettings settings;
        try {
            settings = LoadSettings.parse(args);
        } catch (final IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(LoadSettings.USAGE);
            System.exit(2);
            return;
        }
        final LoadReport report;
        try {
            if (settings.warmupNanos > 0) {
                final LoadReport warmup = run(settings.warmupRun());
                System.out.printf(Locale.ROOT, "  warmup    %d requests in %.1f s, not counted%n", warmup.sentRequests,
                    settings.warmupNanos / 1e9);
            }
            report = run(settings);
        } catch (final IOException e) {
            System.err.println("error: cannot load " + settings.target + ": " + e + " (is the server running with --http-port?)");
            System.exit(1);
            return;
        }
        System.out.print(report.summary());
        if (settings.jsonFile != null) {
            Files.writeString(settings.jsonFile, report.json(), StandardCharsets.UTF_8);
            System.out.println("  json      " + settings.jsonFile);
        }
    }

    /** One whole run; the caller's thread becomes the selector thread. */
    static LoadReport run(final LoadSettings settings) throws IOException, InterruptedException {
        final LoadReport report = new LoadReport(settings);
        try (Selector selector = Selector.open()) {
            final OpenLoopDriver driver = new OpenLoopDriver(settings, selector, report);
            final long startNanos = System.nanoTime() + START_DELAY_NANOS;
            final AtomicLong dueCount = new AtomicLong();
            final ArrivalScheduler scheduler = settings.closedLoop ? null : new ArrivalScheduler(startNanos,
                settings.periodNanos(), settings.totalRequests(), dueCount, selector);
            final Thread schedulerThread = scheduler == null ? null : daemon(scheduler, "load-scheduler");
            final InsightProbe probe = settings.insightSamples > 0
                ? new InsightProbe(settings, startNanos, Long.toString(System.currentTimeMillis(), 36)) : null;
            final Thread probeThread = probe == null ? null : daemon(probe, "load-insight-probe");
            try {
                if (settings.closedLoop) {
                    driver.runClosedLoop(startNanos);
                } else {
                    driver.run(startNanos, dueCount);
                }
            } finally {
                if (scheduler != null) {
                    scheduler.stop();
                    schedulerThread.join(1000);
                }
            }
            if (probeThread != null) {
                final long deadlineNanos = startNanos + settings.durationNanos + settings.drainNanos;
                probeThread.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
                probeThread.interrupt();
                probeThread.join(1000);
                probe.reportInto(report);
            }
        }
        return report;
    }

    private static Thread daemon(final Runnable task, final String name) {
        final Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
