package io.conversioni.cli;

import io.conversioni.files.OwnerOnlyFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An OS file lock on {@code <data-dir>/LOCK}, held by the process that writes the journal (serve,
 * requeue) for as long as it runs, so that two writers never share a data folder. Released by the OS
 * when the process dies, even by {@code kill -9}. Readers (replay) take no lock.
 */
final class DataDirLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(final FileChannel channel, final FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock, or null when another process holds it. */
    static DataDirLock tryAcquire(final Path dataDir) throws IOException {
        OwnerOnlyFiles.createDirectories(dataDir);
        final FileChannel channel = OwnerOnlyFiles.open(dataDir.resolve("LOCK"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        try {
            final FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return null;
            }
            return new DataDirLock(channel, lock);
        } catch (OverlappingFileLockException heldHere) {
            channel.close();
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
