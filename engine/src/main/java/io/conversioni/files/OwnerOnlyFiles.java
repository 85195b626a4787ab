package io.conversioni.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * Creates the data folder's directories 0700 and its files 0600. The mode is given as a {@link FileAttribute}
 * to the call that creates the file, so there is no moment in which it has wider bits (the umask can only
 * narrow it); a {@code chmod} right after makes it exactly 0700/0600 even under an odd umask such as 0277.
 * Files someone else creates (Chronicle's queue files, {@code keytool}'s keystore) are {@link #restrict}ed
 * right after, inside a directory that is already 0700. On a file system without POSIX permissions every
 * method works as its plain {@link Files} counterpart.
 *
 * <p>Threading: stateless, any thread. Allocation: a few objects per call; start-up, snapshots, reports and
 * roll cycles only, never per event.
 */
public final class OwnerOnlyFiles {
    /** rwx------ */
    public static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    /** rw------- */
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private static final FileAttribute<Set<PosixFilePermission>> DIRECTORY_ATTRIBUTE =
        PosixFilePermissions.asFileAttribute(DIRECTORY_MODE);
    private static final FileAttribute<Set<PosixFilePermission>> FILE_ATTRIBUTE =
        PosixFilePermissions.asFileAttribute(FILE_MODE);
    private static final FileAttribute<?>[] NONE = new FileAttribute<?>[0];

    private OwnerOnlyFiles() {
    }

    /** Whether {@code path}'s file system has POSIX permissions (else the methods here do not set modes). */
    public static boolean isPosix(final Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /**
     * Creates {@code dir} and its missing parents, each 0700; existing ones are left as they are.
     *
     * @return {@code dir}
     */
    public static Path createDirectories(final Path dir) throws IOException {
        if (!isPosix(dir)) {
            return Files.createDirectories(dir);
        }
        final Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        while (!missing.isEmpty()) {
            final Path p = missing.pop();
            try {
                Files.createDirectory(p, DIRECTORY_ATTRIBUTE);
                Files.setPosixFilePermissions(p, DIRECTORY_MODE);
            } catch (FileAlreadyExistsException raced) {
                if (!Files.isDirectory(p)) {
                    throw raced;
                }
            }
        }
        return dir;
    }

    /**
     * {@link FileChannel#open(Path, Set, FileAttribute[])} that creates a missing file 0600 (with
     * {@link StandardOpenOption#CREATE} or {@code CREATE_NEW} among {@code options}).
     */
    public static FileChannel open(final Path file, final OpenOption... options) throws IOException {
        final Set<OpenOption> set = Set.of(options);
        if (!isPosix(file)) {
            return FileChannel.open(file, set, NONE);
        }
        final boolean creates = set.contains(StandardOpenOption.CREATE_NEW)
            || set.contains(StandardOpenOption.CREATE) && !Files.exists(file, LinkOption.NOFOLLOW_LINKS);
        final FileChannel channel = FileChannel.open(file, set, FILE_ATTRIBUTE);
        if (creates) {
            try {
                Files.setPosixFilePermissions(file, FILE_MODE);
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        }
        return channel;
    }

    /** Writes {@code bytes} to {@code file} through {@link #open} (so a new file is 0600). */
    public static void write(final Path file, final byte[] bytes, final OpenOption... options) throws IOException {
        try (FileChannel channel = open(file, options)) {
            final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    /**
     * Replaces {@code target} with {@code bytes} as a whole: a sibling {@code .tmp} file created 0600 (a
     * stale one from a crash is deleted first, whatever its mode), then an atomic rename where the file
     * system has one. Readers see the old content or the new, never a part.
     */
    public static void writeAtomically(final Path target, final byte[] bytes) throws IOException {
        final Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        moveReplacing(tmp, target);
    }

    /** Renames {@code from} onto {@code to}: atomically where the file system can. */
    public static void moveReplacing(final Path from, final Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes a file another program created 0600 (a directory 0700); a missing one is ignored. */
    public static void restrict(final Path path) throws IOException {
        if (!isPosix(path)) {
            return;
        }
        try {
            final PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
            final Set<PosixFilePermission> wanted = modeFor(attributes);
            if (wanted != null && !attributes.permissions().equals(wanted)) {
                Files.setPosixFilePermissions(path, wanted);
            }
        } catch (NoSuchFileException gone) {
            // deleted meanwhile (a retention pass, a rename): nothing to restrict
        }
    }

    /** What {@link #tighten} did: the paths it changed, and those it could not (another owner, a read-only mount). */
    public record Tightened(List<Path> changed, List<String> failed) {
    }

    /**
     * Brings {@code root} and everything under it to 0700 (directories) and 0600 (files). Symbolic links are
     * neither followed nor changed. For folders made by older versions with the umask's modes.
     *
     * @return the paths changed and those that could not be (empty lists when all were right, or not POSIX)
     * @throws IOException when {@code root} cannot be walked at all
     */
    public static Tightened tighten(final Path root) throws IOException {
        final Tightened result = new Tightened(new ArrayList<>(), new ArrayList<>());
        if (!isPosix(root) || !Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return result;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(final Path dir, final BasicFileAttributes attrs) {
                tightenOne(dir, result);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) {
                tightenOne(file, result);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(final Path file, final IOException e) {
                if (!(e instanceof NoSuchFileException)) { // else deleted while walking
                    result.failed().add(file + " (" + e + ")");
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return result;
    }

    /** As {@link #tighten}, for {@code path} alone (a directory's content is left as it is). */
    public static Tightened tightenOne(final Path path) {
        final Tightened result = new Tightened(new ArrayList<>(), new ArrayList<>());
        if (isPosix(path)) {
            tightenOne(path, result);
        }
        return result;
    }

    private static void tightenOne(final Path path, final Tightened result) {
        try {
            final PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
            final Set<PosixFilePermission> wanted = modeFor(attributes);
            if (wanted != null && !attributes.permissions().equals(wanted)) {
                Files.setPosixFilePermissions(path, wanted);
                result.changed().add(path);
            }
        } catch (NoSuchFileException gone) {
            // deleted while walking: nothing to tighten
        } catch (IOException e) {
            result.failed().add(path + " (" + e + ")");
        }
    }

    /** 0700 for a directory, 0600 for a regular file, null (leave it) for a link or a special file. */
    private static Set<PosixFilePermission> modeFor(final PosixFileAttributes attributes) {
        if (attributes.isDirectory()) {
            return DIRECTORY_MODE;
        }
        return attributes.isRegularFile() ? FILE_MODE : null;
    }
}
