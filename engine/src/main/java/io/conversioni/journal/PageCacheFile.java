package io.conversioni.journal;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

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
 * <p>Linux only ({@link #available()}). The calls go through jffi, the libffi binding under Chronicle's own
 * posix library, called directly: jnr-ffi's interface binding needs ASM, which Chronicle's dependencies leave
 * out (its {@code PosixAPI} falls back to doing nothing here). Owned by one thread; {@link #close()} releases
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
    private static final LibC LIBC = LibC.load();

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

    /** The five libc functions, looked up once in the process's own symbols. */
    private static final class LibC {
        private final Invoker invoker = Invoker.getInstance();
        private final long open = symbol("open");
        private final long close = symbol("close");
        private final long syncFileRange = symbol("sync_file_range");
        private final long fadvise = symbol("posix_fadvise");
        private final long strerror = symbol("strerror");
        /** int f(pointer, int); int f(int); int f(int, long, long, int) with errno kept; char *f(int). */
        private final CallContext pointerInt = context(Type.SINT, Type.POINTER, Type.SINT);
        private final CallContext oneInt = context(Type.SINT, Type.SINT);
        private final CallContext range = context(Type.SINT, Type.SINT, Type.SLONG_LONG, Type.SLONG_LONG, Type.SINT);
        private final CallContext message = context(Type.POINTER, Type.SINT);

        static LibC load() {
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
                return null;
            }
            try {
                return new LibC();
            } catch (final RuntimeException | LinkageError e) {
                org.slf4j.LoggerFactory.getLogger(PageCacheFile.class).info(
                    "libc's page cache calls are not available, the journal keeps its pages cached: {}", e.toString());
                return null;
            }
        }

        int open(final String path, final int flags) {
            final byte[] name = path.getBytes(StandardCharsets.UTF_8);
            final MemoryIO memory = MemoryIO.getInstance();
            final long cString = memory.allocateMemory(name.length + 1, true);
            try {
                memory.putZeroTerminatedByteArray(cString, name, 0, name.length);
                return (int) invoker.invokeN2(pointerInt, open, cString, flags);
            } finally {
                memory.freeMemory(cString);
            }
        }

        int close(final int fd) {
            return (int) invoker.invokeN1(oneInt, close, fd);
        }

        int syncFileRange(final int fd, final long offset, final long length, final int flags) {
            return (int) invoker.invokeN4(range, syncFileRange, fd, offset, length, flags);
        }

        /** Returns the error number itself (0: done), not -1 and errno. */
        int fadvise(final int fd, final long offset, final long length, final int advice) {
            return (int) invoker.invokeN4(range, fadvise, fd, offset, length, advice);
        }

        String strerror(final int errno) {
            final long text = invoker.invokeN1(message, strerror, errno);
            return text == 0 ? "errno " + errno
                : new String(MemoryIO.getInstance().getZeroTerminatedByteArray(text), StandardCharsets.UTF_8);
        }

        String lastError() {
            final int errno = LastError.getInstance().get();
            return strerror(errno) + " (errno " + errno + ")";
        }

        private static long symbol(final String name) {
            final long address = Library.getDefault().getSymbolAddress(name);
            if (address == 0) {
                throw new IllegalStateException("libc has no " + name + ": " + Library.getLastError());
            }
            return address;
        }

        private static CallContext context(final Type result, final Type... parameters) {
            return CallContext.getCallContext(result, parameters, CallingConvention.DEFAULT, true);
        }
    }
}
