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
 * Brings the pages just ahead of the journal writer into the page cache, on a thread of its own, so that
 * the writer's first store to each page finds it there.
 *
 * <p>Why: a Chronicle cycle file is sparse. The writer's first store to a page of a hole page-faults, and
 * the kernel then zero-fills the page and, through mmap read-around, up to half the device's read-ahead
 * around it, on the writer's own time. With an 8 MiB {@code read_ahead_kb} (seen here on ext4 in a VM), each
 * fault zero-filled 4 MiB: 13 % of the stage thread's time in the pipeline benchmark, and single 7-16 ms
 * stalls of the stage thread under HTTP load (docs/performance.md).
 *
 * <p>How: the writer publishes its cycle file and write position after each append ({@link Target#wrote},
 * a release store); this thread maps the file read-only through its own channel, {@value #WINDOW_BYTES}
 * bytes at a time, and calls {@link MappedByteBuffer#load()} on the next {@value #STEP_BYTES} bytes past
 * what it has done, up to {@code aheadBytes} past the position: {@code madvise(WILLNEED)}, which reads
 * exactly that range into the page cache (a hole is zero-filled there, by this thread), then one read per
 * page. It only reads, so it never changes a byte the writer wrote or will write. The writer's fault on
 * such a page is then minor.
 *
 * <p>Threading: {@link SingleWriterJournal} starts it when it opens and stops it when it closes; the writer
 * thread calls {@link Target#wrote}, this class's own thread everything else.
 *
 * <p>Best effort: a failure (the file gone at a roll, an I/O error) is logged once per file and the thread
 * waits for the next position; it never touches the writer's state or its outcome. When it is ahead it parks
 * (at most {@value #IDLE_PARK_MILLIS} ms); the writer unparks it each time it has used half the distance, and
 * at each new cycle file: one {@code unpark} per 4 MiB written by default, so that an idle engine does not pay
 * for polling (50 wake-ups a second cost 0.4 % of a core here). Allocation, on this thread only: a slice per step and a
 * mapping per window.
 */
final class JournalPretoucher implements AutoCloseable {
    /** Bytes mapped and loaded per step: small enough that one step never holds a core for long. */
    static final int STEP_BYTES = 256 * 1024;
    /** Bytes of the file mapped at a time; steps load slices of it, so a step allocates only its slice. */
    static final int WINDOW_BYTES = 16 << 20;
    static final long IDLE_PARK_MILLIS = 1_000;
    private static final long PAGE_MASK = ~4095L;
    private static final Logger LOG = LoggerFactory.getLogger(JournalPretoucher.class);

    private final long aheadBytes;
    /** The writer unparks this thread each time its position has moved this far. */
    private final long wakeEveryBytes;
    private final Target[] targets;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param aheadBytes how far past the writer's position pages are brought in (more than 0)
     * @param queues     the name of each queue the writer appends to; {@link #target} follows it
     */
    JournalPretoucher(final long aheadBytes, final String... queues) {
        this.aheadBytes = aheadBytes;
        this.wakeEveryBytes = Math.max(STEP_BYTES, aheadBytes / 2);
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
                    stepped |= target.step(aheadBytes);
                }
                if (!stepped) {
                    LockSupport.parkNanos(IDLE_PARK_MILLIS * 1_000_000L);
                }
            }
        } finally {
            for (final Target target : targets) {
                target.closeChannel();
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
