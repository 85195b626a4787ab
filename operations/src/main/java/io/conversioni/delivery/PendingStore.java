package io.conversioni.delivery;

import io.conversioni.files.OwnerOnlyFiles;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Deliveries not yet done, one JSON file each under {@code <data-dir>/delivery/pending} (written to a
 * temporary file, then renamed), so that pending retries survive a restart. Any lane thread (each item
 * is written by the lane that owns it); allocates.
 */
final class PendingStore {
    private static final Logger LOG = LoggerFactory.getLogger(PendingStore.class);
    private final Path dir;

    PendingStore(final Path dir) {
        this.dir = dir;
        try {
            OwnerOnlyFiles.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create '" + dir + "': " + e, e);
        }
    }

    void save(final DeliveryItem item) {
        final Path file = dir.resolve(item.id + ".json");
        try {
            OwnerOnlyFiles.writeAtomically(file, item.toJson().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.error("cannot persist pending delivery {} to {}; it would not survive a restart", item.id, dir, e);
        }
    }

    void delete(final DeliveryItem item) {
        try {
            Files.deleteIfExists(dir.resolve(item.id + ".json"));
        } catch (IOException e) {
            LOG.error("cannot delete delivered item {} in {}; a restart would send it again", item.id, dir, e);
        }
    }

    List<DeliveryItem> loadAll() {
        final List<DeliveryItem> items = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                try {
                    items.add(DeliveryItem.fromJson(Files.readString(f, StandardCharsets.UTF_8)));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("pending delivery file {} is unreadable ({}); left in place", f, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list '" + dir + "': " + e, e);
        }
        return items;
    }
}
