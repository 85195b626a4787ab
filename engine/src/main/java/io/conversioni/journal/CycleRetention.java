package io.conversioni.journal;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.NavigableSet;

/**
 * Deletes the cycle files of one queue that lie wholly before a cycle bound. Maintenance path: allocates
 * (directory listing, file names) and may be called from any one thread at a time; it never touches the
 * bound cycle or later ones, so the writer's current file is never deleted while it appends.
 *
 * <p>File names follow the roll cycle's format at midnight UTC with Chronicle's epoch 0 (the only kind
 * {@link JournalRollCycle} offers), plus Chronicle's {@code .cq4} suffix.
 */
final class CycleRetention {
    private CycleRetention() {
    }

    /**
     * Deletes every cycle file of {@code queue} with a cycle below {@code keepFromCycle}.
     *
     * @return the number of files deleted
     */
    static int deleteCyclesBefore(final SingleChronicleQueue queue, final JournalRollCycle rollCycle,
                                  final int keepFromCycle) {
        queue.refreshDirectoryListing();
        final int firstCycle = queue.firstCycle();
        if (firstCycle == Integer.MAX_VALUE || firstCycle >= keepFromCycle) {
            return 0;
        }
        final NavigableSet<Long> cycles = queue.listCyclesBetween(firstCycle, keepFromCycle - 1);
        final DateTimeFormatter names = DateTimeFormatter.ofPattern(rollCycle.chronicle().format())
            .withZone(ZoneOffset.UTC);
        final Path directory = queue.file().toPath();
        int deleted = 0;
        for (final long cycle : cycles) {
            if (cycle >= keepFromCycle) {
                continue;
            }
            final String name = names.format(Instant.ofEpochMilli(cycle * rollCycle.lengthMillis()))
                + SingleChronicleQueue.SUFFIX;
            try {
                if (Files.deleteIfExists(directory.resolve(name))) {
                    deleted++;
                }
            } catch (final IOException e) {
                throw new UncheckedIOException("could not delete journal cycle file " + directory.resolve(name), e);
            }
        }
        queue.refreshDirectoryListing();
        return deleted;
    }
}
