package io.conversioni.journal;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

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
     * Deletes every cycle file of {@code queue} with a cycle below {@code keepFromCycle}. The directory is
     * listed here rather than through Chronicle's cycle listing, which throws when a cycle in the range has
     * no file (hours without traffic leave such gaps). Cycle names are zero-padded UTC date-times of one
     * length per roll cycle, so their text order is their time order.
     *
     * @return the number of files deleted
     */
    static int deleteCyclesBefore(final SingleChronicleQueue queue, final JournalRollCycle rollCycle,
                                  final int keepFromCycle) {
        final DateTimeFormatter names = DateTimeFormatter.ofPattern(rollCycle.chronicle().format())
            .withZone(ZoneOffset.UTC);
        final String bound = names.format(Instant.ofEpochMilli(keepFromCycle * rollCycle.lengthMillis()))
            + SingleChronicleQueue.SUFFIX;
        final Path directory = queue.file().toPath();
        int deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SingleChronicleQueue.SUFFIX)) {
            for (final Path file : files) {
                final String name = file.getFileName().toString();
                if (name.length() == bound.length() && name.compareTo(bound) < 0 && Files.deleteIfExists(file)) {
                    deleted++;
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("could not delete old journal cycle files in " + directory, e);
        }
        if (deleted > 0) {
            queue.refreshDirectoryListing();
        }
        return deleted;
    }
}
