package io.conversioni.journal;

import io.conversioni.files.OwnerOnlyFiles;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Keeps a writable Chronicle queue's files 0600 in a 0700 directory. Chronicle creates its files itself
 * ({@code File.createNewFile}, so with the umask's mode) and offers no mode of its own: the directory is
 * created 0700 before Chronicle writes anything into it, so no other user can open a file in it at any
 * moment, and each file is then made 0600 — the metadata file once the queue is built, each cycle file when
 * Chronicle acquires it (on the appending thread, once per roll: one {@code chmod}, not per append).
 *
 * <p>Threading: {@link #build} at open, from the opening thread; the listener runs on whichever thread
 * acquires a cycle. Allocation: a few objects per open and per roll.
 */
final class OwnerOnlyQueueFiles implements StoreFileListener {
    private static final Logger LOG = LoggerFactory.getLogger(OwnerOnlyQueueFiles.class);
    private static final OwnerOnlyQueueFiles INSTANCE = new OwnerOnlyQueueFiles();

    private OwnerOnlyQueueFiles() {
    }

    /**
     * Creates {@code directory} 0700 when missing, then (Chronicle's builder checks that the directory exists)
     * builds the queue that {@code configure} describes with the listener, and restricts the files the build
     * created.
     *
     * @throws UncheckedIOException when the directory cannot be created or its files restricted
     */
    static SingleChronicleQueue build(final Path directory, final String what,
                                      final UnaryOperator<SingleChronicleQueueBuilder> configure) {
        try {
            OwnerOnlyFiles.createDirectories(directory);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot create the " + what + " directory '" + directory + "': " + e, e);
        }
        final SingleChronicleQueue queue = configure.apply(SingleChronicleQueueBuilder.binary(directory))
            .storeFileListener(INSTANCE).build();
        final OwnerOnlyFiles.Tightened tightened;
        try {
            tightened = OwnerOnlyFiles.tighten(directory);
        } catch (final IOException e) {
            queue.close();
            throw new UncheckedIOException("cannot make the files of '" + directory + "' private (0600): " + e, e);
        }
        if (!tightened.failed().isEmpty()) {
            LOG.warn("cannot make these files private (0600/0700): {}", tightened.failed());
        }
        return queue;
    }

    /**
     * Chronicle calls this on its background releaser thread shortly after it created or opened the cycle file, not
     * on the appender's thread: until then the new file has the umask's mode, inside a folder that is already 0700,
     * so no other user can reach it in between.
     */
    @Override
    public void onAcquired(final int cycle, final File file) {
        try {
            OwnerOnlyFiles.restrict(file.toPath());
        } catch (final IOException e) {
            LOG.warn("cannot make journal file {} private (0600): {}", file, e.toString());
        }
    }

    @Override
    public void onReleased(final int cycle, final File file) {
        // nothing to do: the mode was set when it was acquired
    }
}
