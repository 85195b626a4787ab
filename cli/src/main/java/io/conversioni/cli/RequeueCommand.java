package io.conversioni.cli;

import io.conversioni.config.ConfigException;
import io.conversioni.config.EngineConfig;
import io.conversioni.event.ConversionEvent;
import io.conversioni.event.EventDecoder;
import io.conversioni.files.OwnerOnlyFiles;
import io.conversioni.journal.JournalConfig;
import io.conversioni.journal.JournalReader;
import io.conversioni.journal.JournalRecord;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.Outcome;
import io.conversioni.schema.Violations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code conversioni requeue}: sends quarantined events that pass today's schema (after a sender or schema
 * fix) through the normal pipeline, so dedupe still applies and nothing is counted twice; a cursor in the
 * data folder remembers how far the quarantine was requeued. Needs the data folder to itself (stop the
 * server first); requeued events are stamped with the time of the requeue. Only schema-rejected events are in
 * quarantine: a {@code troppo_vecchio} event is journaled as valid and counted in no window, so it is never offered.
 */
@Command(name = "requeue", mixinStandardHelpOptions = true,
    description = {"Re-ingest quarantined events that pass today's schema, through the normal pipeline.",
        "Stop the server on the data folder first; each quarantined event is considered once.",
        "Only schema-rejected (rifiutato) events are quarantined; troppo_vecchio ones are not, and are never offered."})
final class RequeueCommand implements java.util.concurrent.Callable<Integer> {
    static final String CURSOR = "requeue.cursor";

    @Mixin
    private DataFolderOptions folder = new DataFolderOptions();

    @Option(names = "--dry-run", description = "Only count what would be requeued.")
    private boolean dryRun;

    @Override
    public Integer call() throws Exception {
        final EngineConfig config;
        try {
            config = folder.config();
        } catch (ConfigException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        if (!Files.isDirectory(folder.dataDir().resolve("journal").resolve("quarantine"))) {
            System.err.println("error: no quarantine journal in " + folder.dataDir().resolve("journal"));
            return 2;
        }
        try (DataDirLock lock = DataDirLock.tryAcquire(folder.dataDir())) {
            if (lock == null) {
                System.err.println("error: a server (or another requeue) is using " + folder.dataDir() + "; stop it first");
                return 2;
            }
            DataFolderModes.tighten(folder.dataDir());
            return requeue(config);
        }
    }

    private int requeue(final EngineConfig config) throws IOException, InterruptedException {
        final Path cursorFile = folder.dataDir().resolve(CURSOR);
        final long after = Files.exists(cursorFile) ? Long.parseLong(Files.readString(cursorFile).trim()) : Long.MIN_VALUE;
        final JournalConfig journal = JournalConfig.of(folder.dataDir().resolve("journal"), config.rollCycle(),
            config.retentionCycles(), config.syncDurability() ? "sync" : "async");
        final EventDecoder decoder = config.schema().newDecoder(config.maxDepth());
        final ConversionEvent event = new ConversionEvent();
        final Violations violations = new Violations();
        final AtomicLongArray outcomes = new AtomicLongArray(Outcome.JOURNAL_FAILED + 1);
        long considered = 0;
        long stillInvalid = 0;
        long last = after;
        final java.util.List<byte[]> passing = new java.util.ArrayList<>();
        try (JournalReader quarantine = JournalReader.openQuarantine(journal)) {
            final JournalRecord record = new JournalRecord();
            while (quarantine.next(record)) {
                if (record.index() <= after) {
                    continue;
                }
                considered++;
                last = record.index();
                if (decoder.decode(record.body(), 0, record.bodyLength(), event, violations)) {
                    passing.add(java.util.Arrays.copyOf(record.body(), record.bodyLength()));
                } else {
                    stillInvalid++;
                }
            }
        }
        if (!dryRun && !passing.isEmpty()) {
            final CountDownLatch answered = new CountDownLatch(passing.size());
            try (Engine engine = Engine.create(config, folder.dataDir())) {
                engine.start();
                for (byte[] body : passing) {
                    while (!engine.tryPublish(body, 0, body.length, (e, a) -> {
                        outcomes.incrementAndGet(e.outcome());
                        answered.countDown();
                    }, null)) {
                        LockSupport.parkNanos(100_000);
                    }
                }
                if (!answered.await(5, TimeUnit.MINUTES)) {
                    System.err.println("error: the engine did not answer every requeued event; nothing recorded");
                    return 1;
                }
            }
        }
        if (!dryRun && last != after) {
            OwnerOnlyFiles.writeAtomically(cursorFile, Long.toString(last).getBytes(StandardCharsets.US_ASCII));
        }
        System.out.printf("%s %d of %d quarantined events (still invalid: %d)%n", dryRun ? "would requeue" : "requeued",
            passing.size(), considered, stillInvalid);
        if (!dryRun) {
            System.out.printf("accettati %d, duplicati %d, troppo_vecchi %d, nel_futuro %d, rifiutati %d, non_disponibili %d%n",
                outcomes.get(Outcome.ACCEPTED), outcomes.get(Outcome.DUPLICATE), outcomes.get(Outcome.TOO_LATE),
                outcomes.get(Outcome.FUTURE), outcomes.get(Outcome.REJECTED), outcomes.get(Outcome.JOURNAL_FAILED));
        }
        return 0;
    }
}
