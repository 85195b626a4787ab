package io.conversioni.journal;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A small Chronicle queue of text records (one JSON document each), daily roll cycles, kept forever: the
 * journal of rare things — alerts, dead letters — beside the event journal. Appends go to the page cache
 * (like {@code durability: async}). A writable queue's files are 0600 in a 0700 directory.
 *
 * <p>Threading: one appending thread (the first to append owns the appender); {@link #forEach} from any
 * one thread at a time; a read-only instance may run beside a writer in another process. Allocates a
 * String per record read or written: not for the hot path.
 */
public final class TextRecordQueue implements AutoCloseable {
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;

    private TextRecordQueue(final SingleChronicleQueue queue, final boolean readOnly) {
        this.queue = queue;
        this.appender = readOnly ? null : queue.createAppender();
        if (appender != null) {
            appender.singleThreadedCheckReset(); // owned by the thread that appends first, not the opener
        }
    }

    /** Opens (creating the directory) for appending and reading. */
    public static TextRecordQueue open(final Path directory) {
        return new TextRecordQueue(OwnerOnlyQueueFiles.build(directory, "queue",
            builder -> builder.rollCycle(RollCycles.FAST_DAILY)), false);
    }

    /** Opens an existing queue read-only, or returns null when {@code directory} holds none yet. */
    public static TextRecordQueue openReadOnly(final Path directory) {
        if (!Files.isDirectory(directory)) {
            return null;
        }
        return new TextRecordQueue(SingleChronicleQueueBuilder.binary(directory).rollCycle(RollCycles.FAST_DAILY)
            .readOnly(true).build(), true);
    }

    public void append(final CharSequence record) {
        if (appender == null) {
            throw new IllegalStateException("queue opened read-only");
        }
        appender.writeText(record);
    }

    /** Every record in append order. */
    public void forEach(final Consumer<String> action) {
        try (ExcerptTailer tailer = queue.createTailer()) {
            tailer.singleThreadedCheckReset();
            for (String text = tailer.readText(); text != null; text = tailer.readText()) {
                action.accept(text);
            }
        }
    }

    @Override
    public void close() {
        if (appender != null) {
            appender.close();
        }
        queue.close();
    }
}
