package io.conversioni.ingress.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * Creates or loads the development HS256 secret file. The file is created with mode 0600 in the same call
 * that creates it (no window in which it is readable by others); on file systems without POSIX permissions it
 * is created plainly and then restricted to the owner as far as {@link java.io.File} allows. If another
 * process creates it first, its secret is loaded instead.
 *
 * <p>Threading: stateless; concurrent first starts in one data directory race on {@code createFile}, and the
 * loser reads the winner's file. Allocation: start-up only.
 */
final class DevelopmentSecret {
    private static final int RANDOM_BYTES = 32;

    private DevelopmentSecret() {
    }

    static byte[] createOrLoad(final Path file) {
        if (Files.exists(file)) {
            return load(file);
        }
        final byte[] random = new byte[RANDOM_BYTES];
        new SecureRandom().nextBytes(random);
        final byte[] text = Base64Url.encode(random).getBytes(StandardCharsets.US_ASCII);
        try {
            final Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            create(file);
            Files.write(file, text, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            return text;
        } catch (FileAlreadyExistsException e) {
            return load(file);
        } catch (IOException e) {
            throw new JwtSettingsException(JwtSettingsException.SECRET_FILE_UNWRITABLE, "cannot create the "
                + "development secret file " + file + " (" + e.getClass().getSimpleName() + "); make the data "
                + "directory writable or configure jwt.secret_env / jwt.secret_file", e);
        }
    }

    private static void create(final Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
            final java.io.File f = file.toFile();
            // Best effort: drop everyone's access, then give the owner read and write back.
            f.setReadable(false, false);
            f.setWritable(false, false);
            f.setReadable(true, true);
            f.setWritable(true, true);
        }
    }

    private static byte[] load(final Path file) {
        return JwtSettings.checkSecretLength(JwtSettings.readSecretFile(file), "development secret file " + file);
    }
}
