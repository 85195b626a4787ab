package io.conversioni.pipeline;

import io.conversioni.dedupe.SingleWriterDedupeTable;
import io.conversioni.files.OwnerOnlyFiles;
import io.conversioni.window.SingleWriterWindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * State snapshots in {@code <data-dir>/snapshots}: windows, campaign dictionary, dedupe table and
 * counters, with the journal index they cover and the next sequence. Layout: magic, version, covered
 * index, next sequence, the stores' own state, then a CRC32C of everything before it. Version 2 (a cluster
 * owner's, whose state includes Kafka records) adds the resume points ({@link SingleWriterResumePoints}) after the
 * counters; a state without records is written as version 1, byte for byte as before. Both are read. Written to a
 * temporary file, forced to disk, then renamed, so a crash leaves the previous snapshot intact; the
 * newest {@value #KEEP} are kept. A snapshot that fails its checksum or does not fit the configuration
 * is skipped with a log line, never half-applied. Start-up and shutdown only; allocates freely.
 */
final class StateSnapshots {
    private static final Logger LOG = LoggerFactory.getLogger(StateSnapshots.class);
    private static final int MAGIC = 0x434E5653; // "CNVS"
    private static final int VERSION = 1;
    private static final int VERSION_WITH_RESUME_POINTS = 2;
    static final int KEEP = 2;

    private final Path dir;

    /** A verified snapshot's header and the state bytes after it. */
    record Snapshot(Path file, int version, long coveredIndex, long nextSequence, byte[] bytes) {
        /** Whether the state ends with resume points. */
        boolean hasResumePoints() {
            return version == VERSION_WITH_RESUME_POINTS;
        }

        DataInputStream state() throws IOException {
            final DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 8));
            in.skipNBytes(4 + 4 + 8 + 8);
            return in;
        }
    }

    StateSnapshots(final Path dataDir) {
        this.dir = dataDir.resolve("snapshots");
    }

    /** Streams the stores straight to the file (at a stop: no memory copy of the state). */
    synchronized void write(final long coveredIndex, final long nextSequence, final SingleWriterWindowStore windows,
                            final SingleWriterDedupeTable dedupe, final EngineCounters counters,
                            final SingleWriterResumePoints resumePoints) throws IOException {
        final Path tmp = freshTemporary();
        long size;
        try (FileChannel ch = OwnerOnlyFiles.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            final CRC32C crc = new CRC32C();
            final DataOutputStream out = new DataOutputStream(new java.util.zip.CheckedOutputStream(
                new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16), crc));
            writeState(out, coveredIndex, nextSequence, windows, dedupe, counters, resumePoints);
            ch.write(ByteBuffer.allocate(8).putLong(0, crc.getValue()));
            ch.force(true);
            size = ch.size();
        }
        publish(tmp, coveredIndex, nextSequence, size);
    }

    /** The state as bytes into {@code into}, on the thread that owns the stores (a memory copy; the file comes later). */
    static void capture(final java.io.OutputStream into, final long coveredIndex, final long nextSequence,
                        final SingleWriterWindowStore windows, final SingleWriterDedupeTable dedupe,
                        final EngineCounters counters, final SingleWriterResumePoints resumePoints) throws IOException {
        writeState(new DataOutputStream(into), coveredIndex, nextSequence, windows, dedupe, counters, resumePoints);
    }

    private static void writeState(final DataOutputStream out, final long coveredIndex, final long nextSequence,
                                   final SingleWriterWindowStore windows, final SingleWriterDedupeTable dedupe,
                                   final EngineCounters counters, final SingleWriterResumePoints resumePoints)
        throws IOException {
        final boolean withResumePoints = !resumePoints.isEmpty();
        out.writeInt(MAGIC);
        out.writeInt(withResumePoints ? VERSION_WITH_RESUME_POINTS : VERSION);
        out.writeLong(coveredIndex);
        out.writeLong(nextSequence);
        windows.writeState(out);
        dedupe.writeState(out);
        counters.writeState(out);
        if (withResumePoints) {
            resumePoints.writeState(out);
        }
        out.flush();
    }

    /** Writes a captured state, {@code body[0, length)}, to disk: checksum, temporary file, force, rename, prune. Any thread. */
    synchronized void write(final byte[] body, final int length) throws IOException {
        final long coveredIndex = ByteBuffer.wrap(body).getLong(8);
        final long nextSequence = ByteBuffer.wrap(body).getLong(16);
        final CRC32C crc = new CRC32C();
        crc.update(body, 0, length);
        final Path tmp = freshTemporary();
        try (FileChannel ch = OwnerOnlyFiles.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            final ByteBuffer state = ByteBuffer.wrap(body, 0, length);
            while (state.hasRemaining()) {
                ch.write(state);
            }
            final ByteBuffer checksum = ByteBuffer.allocate(8).putLong(0, crc.getValue());
            while (checksum.hasRemaining()) {
                ch.write(checksum);
            }
            ch.force(true);
        }
        publish(tmp, coveredIndex, nextSequence, length + 8L);
    }

    /** The 0700 folder, without the temporary file a crash may have left (with whatever mode it had). */
    private Path freshTemporary() throws IOException {
        OwnerOnlyFiles.createDirectories(dir);
        final Path tmp = dir.resolve("snapshot.tmp");
        Files.deleteIfExists(tmp);
        return tmp;
    }

    /** Renames a complete, forced temporary file into place and prunes old snapshots. */
    private void publish(final Path tmp, final long coveredIndex, final long nextSequence, final long size)
        throws IOException {
        final Path target = dir.resolve(String.format("snapshot-%020d.bin", nextSequence));
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException directoryNotSyncable) {
            LOG.debug("cannot fsync {}", dir);
        }
        final List<Path> all = list();
        for (int i = KEEP; i < all.size(); i++) {
            Files.deleteIfExists(all.get(i));
        }
        LOG.info("snapshot {} written: covers journal index {}, {} bytes", target.getFileName(), coveredIndex, size);
    }

    /** Verified snapshots, newest first; corrupt ones are logged and left out. */
    List<Snapshot> verified() {
        final List<Snapshot> out = new ArrayList<>();
        for (Path file : list()) {
            try {
                final byte[] bytes = Files.readAllBytes(file);
                if (bytes.length < 32) {
                    throw new IOException("too short");
                }
                final CRC32C crc = new CRC32C();
                crc.update(bytes, 0, bytes.length - 8);
                final ByteBuffer b = ByteBuffer.wrap(bytes);
                if (b.getLong(bytes.length - 8) != crc.getValue()) {
                    throw new IOException("checksum mismatch");
                }
                if (b.getInt(0) != MAGIC || (b.getInt(4) != VERSION && b.getInt(4) != VERSION_WITH_RESUME_POINTS)) {
                    throw new IOException("not a version " + VERSION + " or " + VERSION_WITH_RESUME_POINTS + " snapshot");
                }
                out.add(new Snapshot(file, b.getInt(4), b.getLong(8), b.getLong(16), bytes));
            } catch (IOException e) {
                LOG.warn("snapshot {} is unusable ({}); trying an older one, else a full replay", file.getFileName(),
                    e.getMessage());
            }
        }
        return out;
    }

    private List<Path> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("snapshot-\\d{20}\\.bin"))
                .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", dir, e.getMessage());
            return List.of();
        }
    }
}
