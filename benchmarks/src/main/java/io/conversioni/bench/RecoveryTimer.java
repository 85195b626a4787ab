package io.conversioni.bench;

import io.conversioni.config.EngineConfig;
import io.conversioni.pipeline.Engine;
import io.conversioni.pipeline.OfflineReplay;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Recovery time for a journal of N events (default 10 M): writes them through a real engine, stops it
 * cleanly, then times (1) a start from the snapshot written at the stop and (2) a full replay of the
 * whole journal, the path taken when no snapshot is usable. Usage: {@code java $(cat
 * benchmarks/target/jvm.options) -cp benchmarks/target/benchmarks.jar io.conversioni.bench.RecoveryTimer [N]}.
 * Needs about 300 bytes of disk per event in the temp folder; deletes it afterwards.
 */
public final class RecoveryTimer {
    private static final long NOW = Instant.parse("2024-05-20T14:40:00Z").toEpochMilli();

    private RecoveryTimer() {
    }

    public static void main(final String[] args) throws Exception {
        final int events = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        final Path data = Files.createTempDirectory("conversioni-recovery");
        try {
            final EngineConfig config = EngineConfig.parse("", ArticleEvent.schemaPath().getParent().getParent());
            final long writeStart = System.nanoTime();
            try (Engine engine = Engine.create(config, data, () -> NOW)) {
                engine.start();
                for (int i = 0; i < events; i++) {
                    final long t = NOW - 600_000 + (i * 7919L) % 600_000;
                    final byte[] body = ("{\"id_cliente\":\"CLIENTE-ROMA-" + String.format("%06d", i % 500_000)
                        + "\",\"evento\":\"acquisto_concluso\",\"timestamp\":\"" + Instant.ofEpochMilli(t) + "\",\"valore\":"
                        + (i % 500) + ".99,\"canale\":\"email\",\"stato\":\"completato\"}").getBytes(StandardCharsets.UTF_8);
                    while (!engine.tryPublish(body, 0, body.length, null, null)) {
                        LockSupport.parkNanos(20_000);
                    }
                }
            }
            System.out.printf("wrote %,d events in %.1f s%n", events, (System.nanoTime() - writeStart) / 1e9);
            final long snapStart = System.nanoTime();
            try (Engine engine = Engine.create(config, data, () -> NOW)) {
                engine.start();
                System.out.printf("start from the snapshot: %.2f s%n", (System.nanoTime() - snapStart) / 1e9);
            }
            final long fullStart = System.nanoTime();
            final OfflineReplay full = OfflineReplay.recorded(config, data);
            final double seconds = (System.nanoTime() - fullStart) / 1e9;
            System.out.printf("full replay of %,d records: %.1f s (%,.0f records/s)%n", full.records(), seconds,
                full.records() / seconds);
        } finally {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
