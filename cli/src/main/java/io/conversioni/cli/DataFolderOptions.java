package io.conversioni.cli;

import io.conversioni.config.ConfigException;
import io.conversioni.config.EngineConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code --config FILE} and {@code --data-dir DIR}, as every command that reads a configuration and a data folder
 * declares them ({@code @Mixin}): one spelling, one default, one description. Picocli fills it on the command's
 * thread before {@code call()}.
 */
final class DataFolderOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "conversioni.yaml (default: the embedded config/).")
    private Path configFile;

    @Mixin
    private DataDirOption dataDir = new DataDirOption();

    /** The configuration file given, or null for the embedded defaults. */
    Path configFile() {
        return configFile;
    }

    /** The data folder (default {@code data}). */
    Path dataDir() {
        return dataDir.dataDir();
    }

    /** The configuration: the file given, else the embedded defaults. */
    EngineConfig config() throws ConfigException {
        return configFile == null ? EngineConfig.embedded() : EngineConfig.load(configFile);
    }

    /** {@code --data-dir DIR} alone, for a command that reads no configuration. */
    static final class DataDirOption {
        @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "The data folder: journal, snapshots, reports, certificates and secrets (default: ${DEFAULT-VALUE}).")
        private Path dataDir;

        Path dataDir() {
            return dataDir;
        }
    }
}
