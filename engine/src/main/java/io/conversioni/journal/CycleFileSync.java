package io.conversioni.journal;

import net.openhft.chronicle.queue.ExcerptAppender;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Flushes the cycle file an appender writes to the device with {@code fdatasync}
 * ({@link FileChannel#force(boolean) force(false)}), and the queue directory once per new cycle file so
 * that the new file's name survives a power loss too. Chronicle writes through a shared memory mapping,
 * and on Linux the mapping's dirty pages are the file's page cache, which {@code fdatasync} writes back:
 * the entry, its index slot and the store header, all in one call.
 *
 * <p>Why not Chronicle's own {@code syncMode(SYNC)} + {@code appender.sync()}: in 2026.4 an {@code msync}
 * failure is only logged ({@code Jvm.error()}), never thrown, so the pipeline could acknowledge an event
 * that is not on disk; here a failure is an {@link IOException} the writer turns into
 * {@link JournalStatus#SYNC_FAILED}.
 *
 * <p>Owned by the journal's writer thread. Allocates only when the appender has rolled to a new file
 * (one channel per cycle file); the previous channel is closed then.
 */
final class CycleFileSync implements AutoCloseable {
    private final Path queueDirectory;
    private File file;
    private FileChannel channel;

    CycleFileSync(final Path queueDirectory) {
        this.queueDirectory = queueDirectory;
    }

    /** Flushes everything written so far to the appender's current cycle file. */
    void force(final ExcerptAppender appender) throws IOException {
        final File current = appender.currentFile();
        if (current == null) {
            throw new IOException("the appender has no cycle file to flush");
        }
        if (current != file && !current.equals(file)) {
            switchTo(current);
        }
        channel.force(false);
    }

    private void switchTo(final File current) throws IOException {
        close();
        channel = FileChannel.open(current.toPath(), StandardOpenOption.WRITE);
        try (FileChannel directory = FileChannel.open(queueDirectory, StandardOpenOption.READ)) {
            directory.force(true);
        }
        file = current;
    }

    @Override
    public void close() {
        final FileChannel open = channel;
        channel = null;
        file = null;
        if (open != null) {
            try {
                open.close();
            } catch (final IOException ignored) {
                // Nothing is left to flush through a channel we are dropping; the next force reopens.
            }
        }
    }
}
