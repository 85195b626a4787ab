package io.conversioni.cli;

import io.conversioni.cluster.ClusterSettings;
import io.conversioni.cluster.KeyPartitions;
import io.conversioni.config.ConfigException;
import io.conversioni.config.EngineConfig;
import io.conversioni.json.Rfc3339;
import io.conversioni.reconcile.CrmSourceException;
import io.conversioni.reconcile.CsvCrmExport;
import io.conversioni.reconcile.EngineLedger;
import io.conversioni.reconcile.HttpCrmSource;
import io.conversioni.reconcile.LedgerEvent;
import io.conversioni.reconcile.ReconciliationFormat;
import io.conversioni.reconcile.ReconciliationResult;
import io.conversioni.reconcile.ReconciliationSettings;
import io.conversioni.reconcile.Reconciler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * {@code conversioni reconcile}: the reconciliation job on demand. Replays the data folder's journal
 * read-only (safe beside a running server), compares its closed windows with a CRM export (or the CRM
 * endpoint configured in {@code reconciliation.http}) and prints the result. Exit 0 when everything
 * compared agrees, 1 on a mismatch, 2 on bad usage or input. Runs on the main thread.
 */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
    description = {"Compare the engine's closed windows with the CRM's (validazione incrociata).",
        "Exit 0: they agree; 1: a mismatch (named per window, evento and canale); 2: bad usage or input."})
final class ReconcileCommand implements Callable<Integer> {
    @Option(names = "--crm-export", paramLabel = "FILE", description = "CRM export in CSV (header: id_cliente,evento,"
        + "canale,timestamp,valore). Without it: the endpoint in reconciliation.http of --config.")
    private Path export;

    @Option(names = "--from", paramLabel = "T", description = "First instant (ISO); default: the export's first window.")
    private String from;

    @Option(names = "--to", paramLabel = "T", description = "Last instant (exclusive); default: the end of the export's last window.")
    private String to;

    @Option(names = "--partitions", paramLabel = "LIST", description = "Cluster mode: compare only the id_cliente of "
        + "these partitions of the events topic (\"0-2\", \"0,2,4\"; cluster.partitions of --config), as the node "
        + "owning them does. Default: every row.")
    private String partitions;

    @Mixin
    private DataFolderOptions folder = new DataFolderOptions();

    @Option(names = "--format", paramLabel = "FMT", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
    private String format;

    @Override
    public Integer call() {
        if (!List.of("table", "json").contains(format)) {
            System.err.println("error: --format must be table or json, was '" + format + "'");
            return 2;
        }
        final ReconciliationResult result;
        try {
            final EngineConfig config = folder.config();
            final long length = config.windows().windowLengthMs();
            List<LedgerEvent> crm;
            String fonte;
            Predicate<String> scope = id -> true;
            if (partitions != null) {
                if (config.cluster() == null) {
                    System.err.println("error: --partitions needs a cluster: section in --config (cluster.partitions)");
                    return 2;
                }
                final ClusterSettings cluster = ClusterSettings.read(config.cluster());
                final int[] chosen = cluster.partitionList(partitions, "--partitions: ");
                scope = KeyPartitions.owning(chosen, cluster.partitions());
            }
            Long fromMillis = from == null ? null : Rfc3339.parseInstantMillis(from);
            Long toMillis = to == null ? null : Rfc3339.parseInstantMillis(to);
            if (export != null) {
                crm = keep(CsvCrmExport.read(export), scope);
                fonte = export.getFileName().toString();
                if (fromMillis == null) {
                    fromMillis = crm.stream().mapToLong(e -> e.windowStartMillis(length)).min().orElse(0L);
                }
                if (toMillis == null) {
                    toMillis = crm.stream().mapToLong(e -> e.windowStartMillis(length) + length).max().orElse(0L);
                }
            } else {
                final ReconciliationSettings settings = ReconciliationSettings.read(config.reconciliation(), folder.dataDir());
                if (!settings.source().equals("http")) {
                    System.err.println("error: give --crm-export FILE.csv, or configure reconciliation.source: http "
                        + "with reconciliation.http.url in --config");
                    return 2;
                }
                if (fromMillis == null || toMillis == null) {
                    System.err.println("error: with the CRM endpoint, --from and --to are required");
                    return 2;
                }
                final HttpCrmSource source = HttpCrmSource.fromEnvironment(settings.http());
                crm = keep(source.fetch(fromMillis, toMillis), scope);
                fonte = source.describe();
            }
            if (partitions != null) {
                fonte = fonte + " (partizioni " + partitions.trim() + ")";
            }
            if (fromMillis >= toMillis) {
                System.err.println(crm.isEmpty() && from == null ? "error: the export lists no events; give --from and --to"
                    : "error: --from must be before --to");
                return 2;
            }
            result = Reconciler.compare(EngineLedger.replay(config, folder.dataDir(), fromMillis, toMillis, scope), crm,
                fonte);
        } catch (DateTimeParseException e) {
            System.err.println("error: --from and --to must be ISO instants such as 2024-05-20T14:00:00Z");
            return 2;
        } catch (CrmSourceException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.print(format.equals("json") ? ReconciliationFormat.json(result) + "\n" : ReconciliationFormat.table(result));
        out.flush();
        if (result.openWindows() > 0) {
            System.err.println(result.openWindows() + " windows of the range are not closed yet and were not compared");
        }
        return result.agrees() ? 0 : 1;
    }

    private static List<LedgerEvent> keep(final List<LedgerEvent> crm, final Predicate<String> scope) {
        return crm.stream().filter(e -> scope.test(e.idCliente())).toList();
    }
}
