package io.conversioni.journal;

import io.conversioni.os.LibC;

import java.io.File;
import java.io.IOException;

/**
 * One file's pages in Linux's page cache, through a descriptor of its own: write a range back to the device
 * ({@code sync_file_range}) and drop it from the cache ({@code posix_fadvise(DONTNEED)}). The journal's page
 * thread uses it to release the pages the writer left behind ({@link JournalPretoucher}).
 *
 * <p>Neither call changes a byte of the file or the durability the writer promised: a range written back is
 * what the kernel's own writeback would have written, and a dropped page is read back from the device by the
 * next reader. The kernel keeps any page that is still dirty, under writeback or mapped by a process (the
 * writer's mapping), so a drop can only miss pages, never lose them.
 *
 * <p>Linux only ({@link #available()}; the calls: {@link LibC}). Owned by one thread; {@link #close()} releases
 * the descriptor.
 */
final class PageCacheFile implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000; // 02000000, the same on x86-64 and arm64
    /** Start writeback of the range's dirty pages; do not wait. */
    private static final int SYNC_FILE_RANGE_WRITE = 2;
    /** Wait for writeback already under way, start it for the rest, wait for it all: the range is then clean. */
    private static final int SYNC_FILE_RANGE_WAIT_WRITE_WAIT = 1 | SYNC_FILE_RANGE_WRITE | 4;
    private static final int POSIX_FADV_DONTNEED = 4; // Linux, x86-64 and arm64
    private static final LibC LIBC = LibC.get();

    private final File file;
    private int fd;

    private PageCacheFile(final File file, final int fd) {
        this.file = file;
        this.fd = fd;
    }

    /** @return whether this platform has the calls (Linux, libc's symbols found); otherwise {@link #open} refuses */
    static boolean available() {
        return LIBC != null;
    }

    /**
     * Opens {@code file} read-only (a write-back needs no write access).
     *
     * @throws IOException naming the file and the system's error, or when {@link #available()} is false
     */
    static PageCacheFile open(final File file) throws IOException {
        if (LIBC == null) {
            throw new IOException("page cache calls are Linux only; not available on "
                + System.getProperty("os.name"));
        }
        final int fd = LIBC.open(file.getPath(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("open " + file + ": " + LIBC.lastError());
        }
        return new PageCacheFile(file, fd);
    }

    /**
     * Starts writing {@code [offset, offset + length)} back to the device and returns: a later
     * {@link #writeBackAndDrop} of the range then mostly finds it written.
     *
     * @throws IOException naming the file, the range and the system's error
     */
    void startWriteBack(final long offset, final long length) throws IOException {
        syncFileRange(offset, length, SYNC_FILE_RANGE_WRITE);
    }

    /**
     * Writes {@code [offset, offset + length)} back to the device, waiting for it, then drops its clean pages
     * from the page cache. Blocks this thread for the write's I/O.
     *
     * @throws IOException naming the file, the range and the system's error
     */
    void writeBackAndDrop(final long offset, final long length) throws IOException {
        syncFileRange(offset, length, SYNC_FILE_RANGE_WAIT_WRITE_WAIT);
        drop(offset, length);
    }

    /**
     * Drops the clean, unmapped pages of {@code [offset, offset + length)} from the page cache ({@code length}
     * 0: to the end of the file); for dirty ones the kernel only starts their writeback. Does not wait for I/O.
     *
     * @throws IOException naming the file, the range and the system's error
     */
    void drop(final long offset, final long length) throws IOException {
        final int error = LIBC.fadvise(fd, offset, length, POSIX_FADV_DONTNEED);
        if (error != 0) {
            throw new IOException("posix_fadvise(DONTNEED) " + file + " [" + offset + ", +" + length + "): "
                + LIBC.strerror(error));
        }
    }

    private void syncFileRange(final long offset, final long length, final int flags) throws IOException {
        if (LIBC.syncFileRange(fd, offset, length, flags) != 0) {
            throw new IOException("sync_file_range " + file + " [" + offset + ", +" + length + "): " + LIBC.lastError());
        }
    }

    File file() {
        return file;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            LIBC.close(fd);
            fd = -1;
        }
    }
}
