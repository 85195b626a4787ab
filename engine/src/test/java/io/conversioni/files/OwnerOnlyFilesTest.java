package io.conversioni.files;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Modes of what {@link OwnerOnlyFiles} creates and tightens, on the temp folder's (POSIX) file system. */
class OwnerOnlyFilesTest {
    @TempDir
    Path dir;

    @BeforeEach
    void posixOnly() {
        assumeTrue(OwnerOnlyFiles.isPosix(dir), "needs a POSIX file system");
    }

    private static String mode(final Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void shouldCreateEveryMissingDirectory0700AndLeaveAnExistingParentAsItIs() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        final Path deep = dir.resolve("a").resolve("b").resolve("c");
        assertEquals(deep, OwnerOnlyFiles.createDirectories(deep));
        assertEquals("rwx------", mode(dir.resolve("a")));
        assertEquals("rwx------", mode(dir.resolve("a").resolve("b")));
        assertEquals("rwx------", mode(deep));
        assertEquals("rwxr-xr-x", mode(dir), "an existing folder is not ours to change");
        assertEquals(deep, OwnerOnlyFiles.createDirectories(deep), "existing: no error");
    }

    @Test
    void shouldCreateFiles0600AndNotChangeTheModeOfAnExistingOneItOpens() throws Exception {
        final Path file = dir.resolve("f");
        OwnerOnlyFiles.write(file, "uno".getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);
        assertEquals("rw-------", mode(file));
        assertEquals("uno", Files.readString(file));
        final Path other = dir.resolve("g");
        try (FileChannel ch = OwnerOnlyFiles.open(other, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            assertTrue(ch.isOpen());
        }
        assertEquals("rw-------", mode(other));
        Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rw-r-----"));
        OwnerOnlyFiles.write(other, "due".getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
        assertEquals("rw-r-----", mode(other), "open() sets the mode of what it creates only");
    }

    @Test
    void shouldReplaceAtomicallyWithA0600FileEvenOverAWideStaleTemporaryAndAWideTarget() throws Exception {
        final Path target = dir.resolve("rapporto.json");
        Files.writeString(target, "vecchio");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-rw-rw-"));
        final Path stale = dir.resolve("rapporto.json.tmp");
        Files.writeString(stale, "resto di un crash");
        Files.setPosixFilePermissions(stale, PosixFilePermissions.fromString("rw-rw-rw-"));
        OwnerOnlyFiles.writeAtomically(target, "nuovo".getBytes(StandardCharsets.UTF_8));
        assertEquals("nuovo", Files.readString(target));
        assertEquals("rw-------", mode(target));
        assertTrue(Files.notExists(stale));
    }

    @Test
    void shouldTightenAnOldFolderTreeReportWhatChangedAndNeitherFollowNorChangeALink() throws Exception {
        final Path root = Files.createDirectories(dir.resolve("data").resolve("journal"));
        final Path outside = Files.writeString(dir.resolve("outside.txt"), "not ours");
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-r--r--"));
        final Path data = root.getParent();
        final Path cycle = Files.writeString(root.resolve("20240520.cq4"), "x");
        final Path right = Files.writeString(data.resolve("LOCK"), "");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxr-x"));
        Files.setPosixFilePermissions(cycle, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(right, PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(data.resolve("link"), outside);

        final OwnerOnlyFiles.Tightened t = OwnerOnlyFiles.tighten(data);
        assertEquals(List.of(data, root, cycle), t.changed().stream().sorted().toList());
        assertEquals(List.of(), t.failed());
        assertEquals("rwx------", mode(data));
        assertEquals("rwx------", mode(root));
        assertEquals("rw-------", mode(cycle));
        assertEquals("rw-------", mode(right));
        assertEquals("rw-r--r--", mode(outside), "a link's target is not walked into");
        assertEquals(List.of(), OwnerOnlyFiles.tighten(data).changed(), "a second pass finds nothing to change");
        assertEquals(List.of(), OwnerOnlyFiles.tighten(dir.resolve("missing")).changed());
    }

    @Test
    void shouldRestrictAFileAnotherProgramCreatedAndIgnoreOneThatIsGone() throws Exception {
        final Path file = Files.writeString(dir.resolve("keystore"), "k");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        OwnerOnlyFiles.restrict(file);
        assertEquals("rw-------", mode(file));
        OwnerOnlyFiles.restrict(dir.resolve("gone"));
    }
}
