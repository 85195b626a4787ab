package io.conversioni.journal;

import net.openhft.chronicle.queue.ExcerptAppender;
import org.agrona.IoUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;

/**
 * The journal's page thread: brings the pages just ahead of the journal writer into the page cache, so that the
 * writer's first store to each page finds it there, and releases the pages it left far behind, so that the
 * next pages come from memory the kernel has just freed.
 *
 * <p>Ahead, why: a Chronicle cycle file is sparse. The writer's first store to a page of a hole page-faults, and
 * the kernel then zero-fills the page and, through mmap read-around, up to half the device's read-ahead
 * around it, on the writer's own time. With an 8 MiB {@code read_ahead_kb} (seen here on ext4 in a VM), each
 * fault zero-filled 4 MiB: 13 % of the stage thread's time in the pipeline benchmark, and single 7-16 ms
 * stalls of the stage thread under HTTP load (docs/performance.md).
 *
 * <p>Ahead, how: the writer publishes its cycle file and write position after each append ({@link Target#wrote},
 * a release store); this thread maps the file read-only through its own channel, {@value #WINDOW_BYTES}
 * bytes at a time, and calls {@link MappedByteBuffer#load()} on the next {@value #STEP_BYTES} bytes past
 * what it has done, up to {@code aheadBytes} past the position: {@code madvise(WILLNEED)}, which reads
 * exactly that range into the page cache (a hole is zero-filled there, by this thread), then one read per
 * page. It only reads, so it never changes a byte the writer wrote or will write. The writer's fault on
 * such a page is then minor.
 *
 * <p>Behind, why: the journal is written once and read again only by a restart's replay and the tools. Kept
 * in the page cache, every byte of it takes a page that was free before; a page the kernel has never handed
 * out, or took back, costs its first touch (9 µs a page on the VM of docs/performance.md, a third of a core
 * at 500k events/s), and on a host whose memory is full of cache each one costs a reclaim instead.
 *
 * <p>Behind, how ({@link PageCacheFile}): once the writer is {@code dropBehindBytes} past a
 * {@value #DROP_STEP_BYTES}-byte range, this thread starts that range's writeback, then waits for the previous
 * range's and drops it from the page cache; each time the writer has gone another {@code dropBehindBytes}, one
 * more drop over the whole file behind takes the pages the writer still had mapped when their range came (the
 * kernel keeps mapped, dirty and in-flight pages; Chronicle keeps its index arrays mapped while it fills them).
 * At a new cycle file the previous one is dropped whole. Nothing here changes a byte or the durability the
 * writer promised: the write-back is the kernel's own, done sooner, and a dropped page is read back from the
 * device by whoever reads it next. Pretouch goes first: a range is released only when the pages ahead are done.
 *
 * <p>Threading: {@link SingleWriterJournal} starts it when it opens and stops it when it closes; the writer
 * thread calls {@link Target#wrote}, this class's own thread everything else.
 *
 * <p>Best effort: a failure (the file gone at a roll, an I/O error) is logged once per file and the thread
 * waits for the next position; it never touches the writer's state or its outcome. When it has nothing to do
 * it parks (at most {@value #IDLE_PARK_MILLIS} ms); the writer unparks it each time it has used half the
 * pretouch distance (or a drop step, whichever is less), and at each new cycle file: one {@code unpark} per
 * 4 MiB written by default, so that an idle engine does not pay for polling (50 wake-ups a second cost 0.4 % of
 * a core here). Allocation, on this thread only: a slice per step, a mapping per window, a descriptor per file.
 */
final class JournalPretoucher implements AutoCloseable {
    /** Bytes mapped and loaded per step: small enough that one step never holds a core for long. */
    static final int STEP_BYTES = 256 * 1024;
    /** Bytes of the file mapped at a time; steps load slices of it, so a step allocates only its slice. */
    static final int WINDOW_BYTES = 16 << 20;
    static final long IDLE_PARK_MILLIS = 1_000;
    /** Bytes written back and released per drop step. */
    static final long DROP_STEP_BYTES = 4L << 20;
    private static final long PAGE_MASK = ~4095L;
    private static final Logger LOG = LoggerFactory.getLogger(JournalPretoucher.class);

    private final long aheadBytes;
    private final long dropBehindBytes;
    /** The writer unparks this thread each time its position has moved this far. */
    private final long wakeEveryBytes;
    private final Target[] targets;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param aheadBytes      how far past the writer's position pages are brought in; 0: none
     * @param dropBehindBytes how far behind the writer's position pages are released; 0: none (one of the two
     *                        is more than 0)
     * @param queues          the name of each queue the writer appends to; {@link #target} follows it
     */
    JournalPretoucher(final long aheadBytes, final long dropBehindBytes, final String... queues) {
        this.aheadBytes = aheadBytes;
        if (dropBehindBytes > 0 && !PageCacheFile.available()) {
            LOG.info("journal drop-behind is Linux only; the journal's pages stay in the page cache on {}",
                System.getProperty("os.name"));
            this.dropBehindBytes = 0;
        } else {
            this.dropBehindBytes = dropBehindBytes;
        }
        final long touchWake = aheadBytes > 0 ? Math.max(STEP_BYTES, aheadBytes / 2) : Long.MAX_VALUE;
        this.wakeEveryBytes = dropBehindBytes > 0 ? Math.min(touchWake, DROP_STEP_BYTES) : touchWake;
        this.thread = new Thread(this::run, "conversioni-journal-pretouch");
        this.thread.setDaemon(true);
        this.targets = new Target[queues.length];
        for (int i = 0; i < queues.length; i++) {
            targets[i] = new Target(this, queues[i]);
        }
        this.thread.start();
    }

    /** What the writer of the {@code index}-th queue reports its position to. */
    Target target(final int index) {
        return targets[index];
    }

    /**
     * Stops the thread and waits for it: it releases its channels and mappings itself on the way out, so
     * nothing is unmapped under a step in progress.
     */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(5_000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("the journal pretouch thread did not stop within 5 s; it releases its mappings when it does");
        }
    }

    private void run() {
        try {
            while (running) {
                boolean stepped = false;
                for (final Target target : targets) {
                    final boolean touched = aheadBytes > 0 && target.step(aheadBytes);
                    stepped |= touched || dropBehindBytes > 0 && target.dropStep(dropBehindBytes);
                }
                if (!stepped) {
                    LockSupport.parkNanos(IDLE_PARK_MILLIS * 1_000_000L);
                }
            }
        } finally {
            for (final Target target : targets) {
                target.closeAll();
            }
        }
    }

    /** One queue's cycle file and write position, published by the writer, and this thread's progress in it. */
    static final class Target {
        private static final VarHandle POSITION;

        static {
            try {
                POSITION = MethodHandles.lookup().findVarHandle(Target.class, "position", long.class);
            } catch (final ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final JournalPretoucher owner;
        private final String queue;
        /** Writer: the cycle file of its last append; replaced only when the cycle changes. */
        private volatile File file;
        /** Writer: the byte offset in {@link #file} just past its last append (release store). */
        @SuppressWarnings("unused") // through POSITION
        private long position;
        private int writerCycle = Integer.MIN_VALUE;
        /** Writer: the position at which it next unparks the thread. */
        private long wakeAtPosition = Long.MIN_VALUE;

        private File openFile;
        private FileChannel channel;
        private MappedByteBuffer window;
        private long windowStart;
        private long windowEnd;
        private long touchedUpTo;
        private volatile long touchedBytes;

        /** The file being released behind the writer, and its descriptor (null after a failure on it). */
        private File droppingFile;
        private PageCacheFile pages;
        /** Released (written back and dropped) up to here; the next range's writeback was started. */
        private long droppedUpTo;
        private long sweptUpTo;
        private volatile long droppedBytes;

        private Target(final JournalPretoucher owner, final String queue) {
            this.owner = owner;
            this.queue = queue;
        }

        /**
         * Writer thread, after each append: where the writer is now. The file is looked up only when the
         * appender's cycle changed; otherwise this is one ordered store, and an {@code unpark} each
         * {@code wakeEveryBytes}.
         *
         * @param appender     the appender that just wrote
         * @param filePosition its write position in the cycle file
         */
        void wrote(final ExcerptAppender appender, final long filePosition) {
            final int cycle = appender.cycle();
            if (cycle != writerCycle) {
                writerCycle = cycle;
                file = appender.currentFile();
                wakeAtPosition = Long.MIN_VALUE;
            }
            POSITION.setRelease(this, filePosition);
            if (filePosition >= wakeAtPosition) {
                wakeAtPosition = filePosition + owner.wakeEveryBytes;
                LockSupport.unpark(owner.thread);
            }
        }

        /** Bytes this thread has brought in since open (any thread; for tests and metrics). */
        long touchedBytes() {
            return touchedBytes;
        }

        /** Bytes this thread has released behind the writer since open (any thread; for tests and metrics). */
        long droppedBytes() {
            return droppedBytes;
        }

        /**
         * Releases the next {@value #DROP_STEP_BYTES} bytes once the writer is {@code behindBytes} past the range
         * after them: starts that range's writeback, then waits for this one's and drops it.
         *
         * @return whether a step was taken (then the caller looks again at once)
         */
        boolean dropStep(final long behindBytes) {
            final File current = file;
            if (current == null) {
                return false;
            }
            final long writerPosition = (long) POSITION.getAcquire(this);
            try {
                if (current != droppingFile) {
                    finishDropping();
                    droppingFile = current;
                    droppedUpTo = 0;
                    sweptUpTo = 0;
                    pages = PageCacheFile.open(current);
                }
                final long next = droppedUpTo + DROP_STEP_BYTES;
                if (pages == null || writerPosition - behindBytes < next + DROP_STEP_BYTES) {
                    return false;
                }
                pages.startWriteBack(next, DROP_STEP_BYTES);
                pages.writeBackAndDrop(droppedUpTo, DROP_STEP_BYTES);
                droppedUpTo = next;
                droppedBytes += DROP_STEP_BYTES;
                if (droppedUpTo - sweptUpTo >= behindBytes) {
                    pages.drop(0, droppedUpTo); // what the writer still had mapped when its range came
                    sweptUpTo = droppedUpTo;
                }
                return true;
            } catch (final IOException | RuntimeException | LinkageError e) {
                LOG.warn("journal drop-behind of the {} queue's file {} stopped, its pages stay in the page cache "
                    + "until the next cycle file: {}", queue, current, e.toString());
                closePages();
                return false;
            }
        }

        /** The writer moved to a new cycle file: drop the previous one whole, without waiting for its writeback. */
        private void finishDropping() {
            final PageCacheFile done = pages;
            if (done != null) {
                try {
                    done.drop(0, 0);
                } catch (final IOException e) {
                    LOG.debug("dropping {} from the page cache: {}", done.file(), e.toString());
                }
            }
            closePages();
        }

        private void closePages() {
            final PageCacheFile open = pages;
            pages = null;
            if (open != null) {
                open.close();
            }
        }

        /** @return whether a step was taken (then the caller looks again at once) */
        boolean step(final long aheadBytes) {
            final File current = file;
            if (current == null) {
                return false;
            }
            final long writerPosition = (long) POSITION.getAcquire(this);
            try {
                if (current != openFile) {
                    closeChannel();
                    openFile = current;
                    channel = FileChannel.open(current.toPath(), StandardOpenOption.READ);
                    touchedUpTo = writerPosition & PAGE_MASK;
                }
                if (channel == null) {
                    return false; // failed on this file before: wait for the next one
                }
                touchedUpTo = Math.max(touchedUpTo, writerPosition & PAGE_MASK); // never behind the writer
                final long size = channel.size();
                final long end = Math.min(writerPosition + aheadBytes, size);
                if (touchedUpTo >= end) {
                    return false;
                }
                if (window == null || touchedUpTo < windowStart || touchedUpTo >= windowEnd) {
                    unmapWindow();
                    final long windowLength = Math.min(WINDOW_BYTES, size - touchedUpTo);
                    window = channel.map(FileChannel.MapMode.READ_ONLY, touchedUpTo, windowLength);
                    windowStart = touchedUpTo;
                    windowEnd = touchedUpTo + windowLength;
                }
                final long length = Math.min(Math.min(STEP_BYTES, end - touchedUpTo), windowEnd - touchedUpTo);
                window.slice((int) (touchedUpTo - windowStart), (int) length).load();
                touchedUpTo += length;
                touchedBytes += length;
                return true;
            } catch (final IOException | RuntimeException | InternalError e) {
                // InternalError: the JVM's answer to a fault in a mapped page (the file shrank under the window)
                LOG.warn("journal pretouch of the {} queue's file {} stopped, the writer faults its pages in itself "
                    + "until the next cycle file: {}", queue, current, e.toString());
                closeChannel();
                return false;
            }
        }

        private void unmapWindow() {
            final MappedByteBuffer mapped = window;
            window = null;
            if (mapped != null) {
                IoUtil.unmap(mapped);
            }
        }

        /** This thread, on its way out: both the pretouch channel and the drop-behind descriptor. */
        private void closeAll() {
            closeChannel();
            closePages();
        }

        private void closeChannel() {
            unmapWindow();
            final FileChannel open = channel;
            channel = null;
            if (open != null) {
                try {
                    open.close();
                } catch (final IOException e) {
                    LOG.debug("closing the pretouch channel of {}: {}", openFile, e.toString());
                }
            }
        }
    }
}
