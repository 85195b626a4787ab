package io.conversioni.reconcile;

import io.conversioni.alert.AlertSignal;
import io.conversioni.config.EngineConfig;
import io.conversioni.files.OwnerOnlyFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The scheduled job {@value #NAME}: reconciles the engine's closed windows with the CRM, raises
 * {@code riconciliazione} for each window/evento/canale that disagrees (key {@link PairKey#alertKey()}) and
 * clears it once a later run finds that pair in agreement. Every run is appended to the
 * {@link ReconciliationLog}.
 *
 * <ul>
 * <li>{@code csv}: each {@code *.csv} dropped in the folder is one export; it covers the windows from its
 * earliest to its latest event. It waits while any of them is still open, then is reconciled and moved to
 * {@code elaborati/}; a malformed one is moved to {@code scartati/} and the run fails naming file and line.</li>
 * <li>{@code http}: every run asks the endpoint for the last {@code lookback} and compares what is closed.</li>
 * </ul>
 *
 * <p>A {@link Scope} narrows the job to some {@code id_cliente}s, on both sides: in cluster mode a node reconciles only
 * the CRM rows (and its own events) of the partitions it owns, so the owners' results add up to one node's, and a
 * node owning no partition reconciles nothing (its status says so, and exports stay where they were dropped).
 *
 * <p>Threading: the scheduler's one job thread (not thread-safe; never on a pipeline thread). Each run that
 * has work replays the journal once (read-only) and allocates per event.
 */
public final class ReconciliationJob {
    public static final String NAME = "riconciliazione";
    private static final Logger LOG = LoggerFactory.getLogger(ReconciliationJob.class);

    private final EngineConfig config;
    private final Path dataDir;
    private final ReconciliationSettings settings;
    private final HttpCrmSource http;
    private final AlertSignal alerts;
    private final ReconciliationLog log;
    private final Scope scope;
    /** Alert keys raised and not cleared yet. */
    private final Set<String> raised = new HashSet<>();

    /**
     * Which {@code id_cliente}s a job reconciles: every one ({@link #ALL}, one node) or those of a cluster node's
     * partitions. Immutable.
     *
     * @param description what the scope covers, for the status and the {@code fonte} of each result
     *                    ({@code "nodo a, partizioni 0-2 di 6"}; the node's name alone when empty); null for
     *                    {@link #ALL}
     * @param idCliente   true for an {@code id_cliente} in scope; called on the job thread
     * @param empty       true when nothing can be in scope (a node owning no partition)
     */
    public record Scope(String description, Predicate<String> idCliente, boolean empty) {
        public static final Scope ALL = new Scope(null, id -> true, false);

        String fonte(final String fonte) {
            return description == null ? fonte : fonte + " (" + description + ")";
        }
    }

    public ReconciliationJob(final EngineConfig config, final Path dataDir, final ReconciliationSettings settings,
                             final HttpCrmSource http, final AlertSignal alerts) {
        this(config, dataDir, settings, http, alerts, Scope.ALL);
    }

    public ReconciliationJob(final EngineConfig config, final Path dataDir, final ReconciliationSettings settings,
                             final HttpCrmSource http, final AlertSignal alerts, final Scope scope) {
        this.scope = scope;
        this.config = config;
        this.dataDir = dataDir;
        this.settings = settings;
        this.http = http;
        this.alerts = alerts;
        this.log = new ReconciliationLog(dataDir);
    }

    /**
     * One run at {@code nowMillis}; returns what it did, for the jobs view.
     *
     * @throws Exception when the CRM's side could not be read (the message says which file, line or URL)
     */
    public String run(final long nowMillis) throws Exception {
        if (scope.empty()) {
            return "niente da riconciliare: " + scope.description() + " non possiede partizioni (cluster.owns vuoto)";
        }
        switch (settings.source()) {
            case "http":
                return runHttp(nowMillis);
            case "csv":
                return runFolder(nowMillis);
            default:
                return "nessuna fonte (reconciliation.source: none)";
        }
    }

    private String runHttp(final long nowMillis) throws Exception {
        final long length = config.windows().windowLengthMs();
        final long to = Math.floorDiv(nowMillis, length) * length;
        final long from = to - Math.floorDiv(settings.lookbackMillis(), length) * length;
        final List<LedgerEvent> crm = inScope(http.fetch(from, to));
        final ReconciliationResult result = Reconciler.compare(EngineLedger.replay(config, dataDir, from, to,
            scope.idCliente()), crm, scope.fonte(http.describe()));
        signal(result, nowMillis);
        return describe(result);
    }

    private String runFolder(final long nowMillis) throws Exception {
        final Path folder = settings.folder();
        OwnerOnlyFiles.createDirectories(folder);
        final List<Path> files;
        try (Stream<Path> list = Files.list(folder)) {
            files = list.filter(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".csv")
                && Files.isRegularFile(p)).sorted().toList();
        }
        if (files.isEmpty()) {
            return "nessun export nuovo in " + folder;
        }
        final List<String> errors = new ArrayList<>();
        final List<List<LedgerEvent>> exports = new ArrayList<>();
        final List<Path> readable = new ArrayList<>();
        for (Path file : files) {
            try {
                exports.add(inScope(CsvCrmExport.read(file)));
                readable.add(file);
            } catch (CrmSourceException e) {
                errors.add(e.getMessage());
                move(file, "scartati");
            }
        }
        final long length = config.windows().windowLengthMs();
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        for (List<LedgerEvent> export : exports) {
            for (LedgerEvent e : export) {
                from = Math.min(from, e.windowStartMillis(length));
                to = Math.max(to, e.windowStartMillis(length) + length);
            }
        }
        final List<String> done = new ArrayList<>();
        if (from < to) {
            final EngineLedger ledger = EngineLedger.replay(config, dataDir, from, to, scope.idCliente());
            for (int i = 0; i < readable.size(); i++) {
                final List<LedgerEvent> export = exports.get(i);
                if (export.isEmpty() && scope.description() != null) {
                    move(readable.get(i), "elaborati");
                    done.add(readable.get(i).getFileName() + ": nessuna riga per " + scope.description());
                    continue;
                }
                final long f = export.stream().mapToLong(e -> e.windowStartMillis(length)).min().orElse(0);
                final long t = export.stream().mapToLong(e -> e.windowStartMillis(length) + length).max().orElse(0);
                if (ledger.watermarkMillis() == Long.MIN_VALUE || t > ledger.watermarkMillis()) {
                    done.add(readable.get(i).getFileName() + ": in attesa (finestre ancora aperte)");
                    continue;
                }
                final ReconciliationResult result = Reconciler.compare(ledger, export,
                    scope.fonte(readable.get(i).getFileName().toString()), f, t);
                signal(result, nowMillis);
                move(readable.get(i), "elaborati");
                done.add(readable.get(i).getFileName() + ": " + describe(result));
            }
        } else {
            readable.forEach(f -> move(f, "elaborati")); // header only: nothing to compare
        }
        if (!errors.isEmpty()) {
            throw new CrmSourceException("csv_riga", String.join("; ", errors));
        }
        return String.join("; ", done);
    }

    /** The rows of {@code crm} in this job's scope (all of them on one node). */
    private List<LedgerEvent> inScope(final List<LedgerEvent> crm) {
        return scope.description() == null ? crm : crm.stream().filter(e -> scope.idCliente().test(e.idCliente())).toList();
    }

    /** Raises each disagreeing pair, clears each raised one that this run found in agreement, logs the run. */
    private void signal(final ReconciliationResult result, final long nowMillis) throws IOException {
        final Set<String> disagreeing = new HashSet<>();
        for (Mismatch m : result.mismatches()) {
            final String key = m.key().alertKey();
            disagreeing.add(key);
            alerts.raise(NAME, key, m.summary(), nowMillis);
            raised.add(key);
            LOG.warn("reconciliation mismatch {}: engine {} events {}, CRM {} events {}; missing {}, extra {}, value differs {}",
                m.key().alertKey(), m.motore().count(), ReconciliationFormat.money(m.motore().valueCents()), m.crm().count(),
                ReconciliationFormat.money(m.crm().valueCents()), m.mancanti().size(), m.inPiu().size(), m.valoreDiverso().size());
        }
        // every agreeing pair is cleared, not only those this process raised: after a restart an alert
        // raised by the previous run still resolves (clearing a pair without an open alert does nothing)
        for (PairKey k : result.matched()) {
            alerts.clear(NAME, k.alertKey(), nowMillis);
            raised.remove(k.alertKey());
        }
        for (String key : new ArrayList<>(raised)) {
            if (!disagreeing.contains(key) && covers(result, key)) {
                alerts.clear(NAME, key, nowMillis);
                raised.remove(key);
            }
        }
        log.append(nowMillis, result);
    }

    /** True when {@code key}'s window is a closed window this result compared. */
    private static boolean covers(final ReconciliationResult result, final String key) {
        final long start = java.time.Instant.parse(key.substring(0, key.indexOf('/'))).toEpochMilli();
        final long closedEnd = result.fromMillis() + result.windowsCompared() * result.windowLengthMillis();
        return start >= result.fromMillis() && start < closedEnd;
    }

    private static String describe(final ReconciliationResult r) {
        return r.esito() + " (" + r.windowsCompared() + " finestre, " + r.matched().size() + " coppie concordi, "
            + r.mismatches().size() + " discordi)";
    }

    private void move(final Path file, final String subfolder) {
        try {
            final Path target = file.resolveSibling(subfolder);
            OwnerOnlyFiles.createDirectories(target);
            Files.move(file, target.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.error("cannot move {} to {}/: {}", file, subfolder, e.getMessage());
        }
    }

    /** Alert keys raised and not yet cleared (for tests and the jobs view). */
    public Set<String> openKeys() {
        return Set.copyOf(raised);
    }
}
