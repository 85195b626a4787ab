package io.conversioni.cli;

import io.conversioni.files.OwnerOnlyFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings a data folder made by an older version (with the umask's modes, often 0755/0644) to 0700 for
 * directories and 0600 for files, at the start of a process that writes it (serve, requeue), after it holds
 * the lock; logs once what it changed. Only the folder itself and the entries conversioni writes in it are
 * walked: a data folder given as {@code --data-dir .} must not turn the rest of the working directory
 * private. Start-up only, on the command's thread.
 */
final class DataFolderModes {
    /** Every entry conversioni writes directly under the data folder. */
    static final List<String> ENTRIES = List.of("LOCK", "jwt-secret", RequeueCommand.CURSOR, "journal", "snapshots",
        "reports", "alerts", "alert-rules.state", "delivery", "tls", "crm-export");
    private static final Logger LOG = LoggerFactory.getLogger(DataFolderModes.class);
    private static final int LOGGED_PATHS = 10;

    private DataFolderModes() {
    }

    /** Tightens {@code dataDir} and its known entries; returns the paths changed. */
    static List<Path> tighten(final Path dataDir) throws IOException {
        final List<Path> changed = new ArrayList<>();
        final List<String> failed = new ArrayList<>();
        final Path root = dataDir.toAbsolutePath();
        collect(OwnerOnlyFiles.tightenOne(root), changed, failed);
        for (String entry : ENTRIES) {
            collect(OwnerOnlyFiles.tighten(root.resolve(entry)), changed, failed);
        }
        if (!changed.isEmpty()) {
            LOG.info("made {} paths of the data folder {} private (directories 0700, files 0600){}: {}", changed.size(),
                root, changed.size() > LOGGED_PATHS ? ", the first " + LOGGED_PATHS : "",
                changed.subList(0, Math.min(LOGGED_PATHS, changed.size())));
        }
        if (!failed.isEmpty()) {
            LOG.warn("could not make these paths of the data folder private; fix their owner or mode: {}", failed);
        }
        return changed;
    }

    private static void collect(final OwnerOnlyFiles.Tightened t, final List<Path> changed, final List<String> failed) {
        changed.addAll(t.changed());
        failed.addAll(t.failed());
    }
}
