package io.conversioni.os;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The few libc functions the engine calls, looked up once in the process's own symbols and called through jffi,
 * the libffi binding under Chronicle's own posix library: that library's {@code PosixAPI} has no
 * {@code sync_file_range} and no {@code posix_fadvise}, so all of the engine's calls go through this one binding.
 * Linux only: {@link #get()} is null elsewhere, or where a symbol is missing. Thread-safe, stateless; {@link #open}
 * allocates the path's C string, the other calls nothing.
 */
public final class LibC {
    private static final LibC INSTANCE = load();

    private final Invoker invoker = Invoker.getInstance();
    private final long open = symbol("open");
    private final long close = symbol("close");
    private final long syncFileRange = symbol("sync_file_range");
    private final long fadvise = symbol("posix_fadvise");
    private final long madvise = symbol("madvise");
    private final long strerror = symbol("strerror");
    /** int f(pointer, int); int f(int); int f(int, long, long, int); int f(pointer, long, int), errno kept; char *f(int). */
    private final CallContext pointerInt = context(Type.SINT, Type.POINTER, Type.SINT);
    private final CallContext oneInt = context(Type.SINT, Type.SINT);
    private final CallContext range = context(Type.SINT, Type.SINT, Type.SLONG_LONG, Type.SLONG_LONG, Type.SINT);
    private final CallContext memoryRange = context(Type.SINT, Type.POINTER, Type.SLONG_LONG, Type.SINT);
    private final CallContext message = context(Type.POINTER, Type.SINT);

    private LibC() {
    }

    /** @return the calls, or null where this is not Linux or libc lacks one of them */
    public static LibC get() {
        return INSTANCE;
    }

    private static LibC load() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return null;
        }
        try {
            return new LibC();
        } catch (final RuntimeException | LinkageError e) {
            org.slf4j.LoggerFactory.getLogger(LibC.class).info(
                "libc's calls are not available (the journal keeps its pages cached, the tables use small pages): {}",
                e.toString());
            return null;
        }
    }

    /** {@code open(2)}: a descriptor, or -1 ({@link #lastError()} says why). */
    public int open(final String path, final int flags) {
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

    public int close(final int fd) {
        return (int) invoker.invokeN1(oneInt, close, fd);
    }

    /** {@code sync_file_range(2)}: 0, or -1 ({@link #lastError()} says why). */
    public int syncFileRange(final int fd, final long offset, final long length, final int flags) {
        return (int) invoker.invokeN4(range, syncFileRange, fd, offset, length, flags);
    }

    /** {@code posix_fadvise(2)}: returns the error number itself (0: done), not -1 and errno. */
    public int fadvise(final int fd, final long offset, final long length, final int advice) {
        return (int) invoker.invokeN4(range, fadvise, fd, offset, length, advice);
    }

    /** {@code madvise(2)}: 0, or -1 ({@link #lastError()} says why). */
    public int madvise(final long address, final long length, final int advice) {
        return (int) invoker.invokeN3(memoryRange, madvise, address, length, advice);
    }

    public String strerror(final int errno) {
        final long text = invoker.invokeN1(message, strerror, errno);
        return text == 0 ? "errno " + errno
            : new String(MemoryIO.getInstance().getZeroTerminatedByteArray(text), StandardCharsets.UTF_8);
    }

    /** The calling thread's errno after the last call that failed, as text with its number. */
    public String lastError() {
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
