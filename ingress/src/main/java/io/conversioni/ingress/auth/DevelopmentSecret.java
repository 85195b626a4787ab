package io.conversioni.ingress.auth;

import io.conversioni.files.OwnerOnlyFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Creates or loads the development HS256 secret file. The file is created with mode 0600 in the same call
 * that creates it ({@link OwnerOnlyFiles}: no window in which it is readable by others). If another process
 * creates it first, its secret is loaded instead.
 *
 * <p>Threading: stateless; concurrent first starts in one data directory race on the exclusive create, and the
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
                OwnerOnlyFiles.createDirectories(dir);
            }
            OwnerOnlyFiles.write(file, text, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return text;
        } catch (FileAlreadyExistsException e) {
            return load(file);
        } catch (IOException e) {
            throw new JwtSettingsException(JwtSettingsException.SECRET_FILE_UNWRITABLE, "cannot create the "
                + "development secret file " + file + " (" + e.getClass().getSimpleName() + "); make the data "
                + "directory writable or configure auth.secret_env / auth.secret_file", e);
        }
    }

    private static byte[] load(final Path file) {
        return JwtSettings.checkSecretLength(JwtSettings.readSecretFile(file), "development secret file " + file);
    }
}
