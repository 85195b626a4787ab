package io.conversioni.cli;

import io.conversioni.json.JsonBuilder;
import io.conversioni.config.ConfigException;
import io.conversioni.config.EngineConfig;
import io.conversioni.delivery.DeadLetters;
import io.conversioni.delivery.DeliveryConfig;
import io.conversioni.delivery.Redelivery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * {@code conversioni deadletters list|redeliver}: the messages outbound delivery gave up on, read from
 * {@code <data-dir>/delivery/deadletters}; safe beside a running server (Chronicle lets two processes share
 * the queue). Exit status: 0 done, 1 some redelivery failed, 2 bad usage or setting.
 */
@Command(name = "deadletters", mixinStandardHelpOptions = true,
    description = "List the alert messages delivery gave up on, or redeliver them.",
    subcommands = {DeadlettersCommand.List.class, DeadlettersCommand.Redeliver.class})
final class DeadlettersCommand implements Runnable {
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Dead letters not yet redelivered, oldest first.")
    static final class List implements Callable<Integer> {
        @Mixin
        private DataFolderOptions.DataDirOption folder = new DataFolderOptions.DataDirOption();

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
        private String format;

        @Override
        public Integer call() {
            if (!format.equals("table") && !format.equals("json")) {
                System.err.println("error: --format must be table or json, was '" + format + "'");
                return 2;
            }
            if (!Files.isDirectory(folder.dataDir())) {
                System.err.println("error: no data folder " + folder.dataDir() + " (give the server's --data-dir)");
                return 2;
            }
            final java.util.List<DeadLetters.Letter> letters = read(folder.dataDir());
            final PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
            if (format.equals("json")) {
                out.println(json(letters));
            } else if (letters.isEmpty()) {
                out.println("no dead letters in " + folder.dataDir());
            } else {
                out.printf("%-36s  %-12s  %-16s  %-9s  %-24s  %s%n", "id", "sink", "regola", "tentativi", "morto_il", "ultimo_errore");
                for (DeadLetters.Letter l : letters) {
                    out.printf("%-36s  %-12s  %-16s  %-9d  %-24s  %s%n", l.id(), l.sink(), l.regola(), l.attempts(),
                        Instant.ofEpochMilli(l.diedMillis()), l.lastError());
                }
            }
            out.flush();
            return 0;
        }
    }

    /** Reads without creating anything: an absent journal is an empty list. */
    static java.util.List<DeadLetters.Letter> read(final Path dataDir) {
        final DeadLetters journal = DeadLetters.openReadOnly(dataDir);
        if (journal == null) {
            return java.util.List.of();
        }
        try (journal) {
            return journal.list();
        }
    }

    static String json(final java.util.List<DeadLetters.Letter> letters) {
        final JsonBuilder out = new JsonBuilder(1024).beginObject().name("consegne_fallite").beginArray();
        for (DeadLetters.Letter l : letters) {
            out.beginObject().field("id", l.id()).field("sink", l.sink()).field("regola", l.regola())
                .field("titolo", l.titolo()).field("tentativi", l.attempts()).instantField("morto_il", l.diedMillis())
                .field("ultimo_errore", l.lastError()).endObject();
        }
        return out.endArray().endObject().toString();
    }

    @Command(name = "redeliver", mixinStandardHelpOptions = true,
        description = {"One attempt for each dead letter (or only --id) through the sink of that name in the configuration.",
            "Delivered ones leave the list; exit 1 if any failed again."})
    static final class Redeliver implements Callable<Integer> {
        @Mixin
        private DataFolderOptions folder = new DataFolderOptions();

        @Option(names = "--id", paramLabel = "ID", description = "Only this dead letter (see deadletters list).")
        private String id;

        @Override
        public Integer call() {
            final DeliveryConfig delivery;
            try {
                final EngineConfig config = folder.config();
                delivery = DeliveryConfig.read(config.delivery());
            } catch (ConfigException e) {
                System.err.println("error: " + e.getMessage());
                return 2;
            }
            if (!Files.isDirectory(folder.dataDir())) {
                System.err.println("error: no data folder " + folder.dataDir() + " (give the server's --data-dir)");
                return 2;
            }
            if (read(folder.dataDir()).isEmpty() && id == null) {
                System.out.println("no dead letters in " + folder.dataDir());
                return 0;
            }
            final PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
            final PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
            final Redelivery.Result result = Redelivery.run(delivery, folder.dataDir(), id, out, err);
            out.flush();
            err.flush();
            if (result.error() != null) {
                System.err.println("error: " + result.error());
                return 2;
            }
            System.out.println(result.delivered() + " of " + result.tried() + " redelivered");
            return result.delivered() == result.tried() ? 0 : 1;
        }
    }
}
