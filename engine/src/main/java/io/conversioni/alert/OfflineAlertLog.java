package io.conversioni.alert;

import io.conversioni.journal.TextRecordQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The alert journal ({@code <data-dir>/alerts}) read once, read-only, by a process that runs no alert
 * service ({@code conversioni report}), so an offline report counts the alerts the server fired. Safe
 * beside a running server (Chronicle's read-only mode). Counts every alert the journal holds, so it never
 * sees fewer than the server's in-memory history ({@code alerts.max_history}).
 *
 * <p>Threading: built on one thread, then immutable; {@link #firedByRule} from any thread. Allocates a
 * String per journal record while reading and one small record per alert.
 */
public final class OfflineAlertLog implements AlertLog {
    private static final Logger LOG = LoggerFactory.getLogger(OfflineAlertLog.class);

    private final Map<String, Alert> byId;

    private OfflineAlertLog(final Map<String, Alert> byId) {
        this.byId = byId;
    }

    /**
     * Reads the alert journal of {@code dataDir}; a folder without one (alerts never ran there) has no alerts.
     *
     * @throws UncheckedIOException when the journal exists but cannot be read; the message says why
     */
    public static OfflineAlertLog read(final Path dataDir) {
        final Path directory = dataDir.resolve("alerts");
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new UncheckedIOException(new IOException("the alert journal " + directory + " is not a folder"));
        }
        final Map<String, Alert> byId = new HashMap<>();
        final TextRecordQueue journal;
        try {
            journal = TextRecordQueue.openReadOnly(directory);
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new IOException("the alert journal " + directory + " cannot be opened: " + e, e));
        }
        if (journal == null) {
            return new OfflineAlertLog(byId);
        }
        try (journal) {
            journal.forEach(text -> {
                try {
                    final Alert a = Alert.fromJson(text);
                    byId.put(a.id(), a); // a later record of the same alert (resolved) replaces the earlier one
                } catch (RuntimeException e) {
                    LOG.warn("alert journal record skipped ({}): {}", e.getMessage(), text);
                }
            });
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new IOException("the alert journal " + directory + " cannot be read: " + e, e));
        }
        return new OfflineAlertLog(byId);
    }

    @Override
    public Map<String, Long> firedByRule(final long fromEpochMillis, final long toEpochMillis) {
        final Map<String, Long> out = new TreeMap<>();
        for (Alert a : byId.values()) {
            if (a.apertoIl() >= fromEpochMillis && a.apertoIl() < toEpochMillis) {
                out.merge(a.regola(), 1L, Long::sum);
            }
        }
        return out;
    }
}
