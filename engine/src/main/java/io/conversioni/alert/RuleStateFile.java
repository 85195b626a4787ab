package io.conversioni.alert;

import io.conversioni.files.OwnerOnlyFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * The stream rules' state on disk ({@code <data-dir>/alert-rules.state}), so that a restart neither forgets
 * the duplicates, rejections and skews a rule has counted nor resolves an open alert whose condition still
 * holds. Layout: magic, version, stream time, the rule count, then per rule its name and a length-prefixed
 * block that {@link StreamRule#writeState} wrote; a rule whose block does not fit today's configuration
 * starts empty alone (logged). Written through a temporary file and a rename, so a reader never sees half
 * of one.
 *
 * <p>Threading: {@link #write} on the rules thread (which owns the state); {@link #read} on the controlling
 * thread before that thread starts. Allocates per call (a few hundred KB at most with the defaults).
 */
final class RuleStateFile {
    static final String FILE_NAME = "alert-rules.state";
    private static final Logger LOG = LoggerFactory.getLogger(RuleStateFile.class);
    private static final int MAGIC = 0x434e5652; // "CNVR"
    private static final int VERSION = 1;

    private RuleStateFile() {
    }

    /** Writes the rules' state and the stream time it stands at; a failure is logged, never thrown. */
    static void write(final Path file, final long nowMillis, final List<StreamRule> rules) {
        try {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
            final DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(nowMillis);
            out.writeInt(rules.size());
            for (StreamRule rule : rules) {
                final ByteArrayOutputStream block = new ByteArrayOutputStream(1024);
                rule.writeState(new DataOutputStream(block));
                out.writeUTF(rule.name());
                out.writeInt(block.size());
                block.writeTo(out);
            }
            out.flush();
            OwnerOnlyFiles.writeAtomically(file, bytes.toByteArray()); // 0600, like everything in the data folder
        } catch (IOException | RuntimeException e) {
            LOG.error("alert rule state not saved to {}; after a restart the rules start empty", file, e);
        }
    }

    /**
     * Restores each rule of {@code rules} (fresh instances) from the file, replacing a rule whose block does
     * not fit with {@code fresh.apply(name)}. Returns the stream time saved, or {@link Long#MIN_VALUE} when
     * there is no usable file (first start, or a damaged one: logged, the rules start empty).
     */
    static long read(final Path file, final List<StreamRule> rules, final Function<String, StreamRule> fresh) {
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Long.MIN_VALUE;
        } catch (IOException e) {
            LOG.warn("alert rule state {} unreadable ({}); the rules start empty", file, e.toString());
            return Long.MIN_VALUE;
        }
        try {
            final DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new IOException("not an alert rule state file of version " + VERSION);
            }
            final long nowMillis = in.readLong();
            final int count = in.readInt();
            for (int i = 0; i < count; i++) {
                final String name = in.readUTF();
                final byte[] block = new byte[in.readInt()];
                in.readFully(block);
                restore(rules, fresh, name, block);
            }
            LOG.info("alert rule state restored from {} (stream time {})", file, java.time.Instant.ofEpochMilli(nowMillis));
            return nowMillis;
        } catch (IOException | RuntimeException e) {
            LOG.warn("alert rule state {} damaged ({}); the rules start empty", file, e.toString());
            rules.replaceAll(r -> fresh.apply(r.name()));
            return Long.MIN_VALUE;
        }
    }

    private static void restore(final List<StreamRule> rules, final Function<String, StreamRule> fresh,
                                final String name, final byte[] block) {
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).name().equals(name)) {
                try {
                    rules.get(i).readState(new DataInputStream(new ByteArrayInputStream(block)));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("alert rule {}: saved state does not fit this configuration ({}); it starts empty",
                        name, e.getMessage());
                    rules.set(i, fresh.apply(name));
                }
                return;
            }
        }
        // a rule disabled since the state was saved: its state is no longer needed
    }

    /** For rules keyed by canale: the saved canali must be today's, in the same order. */
    static void writeCanali(final DataOutputStream out, final String[] canali) throws IOException {
        out.writeInt(canali.length);
        for (String c : canali) {
            out.writeUTF(c);
        }
    }

    static void checkCanali(final DataInputStream in, final String[] canali) throws IOException {
        final int n = in.readInt();
        boolean same = n == canali.length;
        for (int i = 0; i < n; i++) {
            final String c = in.readUTF();
            same &= i < canali.length && canali[i].equals(c);
        }
        if (!same) {
            throw new IOException("the schema's canali changed");
        }
    }

    static void expect(final boolean ok, final String what) throws IOException {
        if (!ok) {
            throw new IOException(what + " changed");
        }
    }
}
