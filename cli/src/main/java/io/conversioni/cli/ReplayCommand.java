package io.conversioni.cli;

import io.conversioni.config.ConfigException;
import io.conversioni.config.EngineConfig;
import io.conversioni.event.EventSchema;
import io.conversioni.files.OwnerOnlyFiles;
import io.conversioni.json.JsonBuilder;
import io.conversioni.json.Rfc3339;
import io.conversioni.pipeline.OfflineReplay;
import io.conversioni.schema.SchemaException;
import io.conversioni.window.MetricheQuery;
import io.conversioni.window.SingleWriterWindowStore;
import io.conversioni.window.WindowCellFlyweight;
import io.conversioni.window.WindowSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code conversioni replay}: rebuilds the windows from a data folder's journal offline (read-only: safe
 * while a server runs on the same folder) and prints them; with {@code --schema}, judges every journaled
 * body again under that schema, quarantined ones included, and prints which window counters would change.
 * An event the journal counted in a window and the new schema rejects is booked as rejected in that same
 * window (live, a rejection counts at its receive time), so the diff shows where it moves from.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Rebuild windows from the journal (read-only) and print them.",
        "With --schema: what a schema change would do, as a diff of window counters."})
final class ReplayCommand implements Callable<Integer> {
    @Mixin
    private DataFolderOptions folder = new DataFolderOptions();

    @Option(names = "--from", paramLabel = "T", description = "First instant (ISO, e.g. 2024-05-20T14:00:00Z); default: the oldest window kept.")
    private String from;

    @Option(names = "--to", paramLabel = "T", description = "Last instant (exclusive); default: after the newest window.")
    private String to;

    @Option(names = "--schema", paramLabel = "FILE", description = "Judge every body again with this schema and print the differences.")
    private Path schemaFile;

    @Option(names = "--per", paramLabel = "DIM", defaultValue = "canale", description = "canale, evento or campagna (default: ${DEFAULT-VALUE}).")
    private String per;

    @Option(names = "--format", paramLabel = "FMT", defaultValue = "table", description = "table, json or csv (default: ${DEFAULT-VALUE}).")
    private String format;

    @Option(names = "--output", paramLabel = "FILE", description = "Write here instead of stdout.")
    private Path output;

    @Override
    public Integer call() throws IOException {
        if (!MetricheQuery.GROUPINGS.contains(per) || !List.of("table", "json", "csv").contains(format)) {
            System.err.println("error: --per must be canale, evento or campagna and --format table, json or csv");
            return 2;
        }
        final EngineConfig config;
        final OfflineReplay recorded;
        OfflineReplay changed = null;
        try {
            config = folder.config();
            recorded = OfflineReplay.recorded(config, folder.dataDir());
            if (schemaFile != null) {
                changed = OfflineReplay.withSchema(config, folder.dataDir(), EventSchema.compile(schemaFile));
            }
        } catch (ConfigException | SchemaException | IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        final SingleWriterWindowStore store = recorded.windows();
        final long fromMillis;
        final long toMillis;
        try {
            final long newest = Math.max(store.headWindowStartMillis(), 0);
            final long length = config.windows().windowLengthMs();
            fromMillis = from != null ? Rfc3339.parseInstantMillis(from) : newest - config.windows().horizonMs() + length;
            toMillis = to != null ? Rfc3339.parseInstantMillis(to) : newest + length;
        } catch (DateTimeParseException e) {
            System.err.println("error: --from and --to must be ISO instants such as 2024-05-20T14:00:00Z");
            return 2;
        }
        if (fromMillis >= toMillis) {
            System.err.println("error: --from must be before --to");
            return 2;
        }
        final StringBuilder out = new StringBuilder();
        if (changed == null) {
            render(out, config, store, fromMillis, toMillis);
        } else {
            diff(out, config, store, changed.windows(), fromMillis, toMillis);
        }
        if (output == null) {
            final PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            stdout.print(out);
            stdout.flush();
        } else {
            OwnerOnlyFiles.write(output, out.toString().getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        }
        System.err.println("replayed " + recorded.records() + " journal records (" + recorded.events() + " events)");
        return 0;
    }

    private void render(final StringBuilder out, final EngineConfig config, final SingleWriterWindowStore store,
                        final long fromMillis, final long toMillis) {
        if (format.equals("json")) {
            out.append(new MetricheQuery(store, config).render(fromMillis, toMillis, per)).append('\n');
            return;
        }
        final boolean csv = format.equals("csv");
        out.append(csv ? "inizio,fine,chiusa,revisione,chiave,accettati,duplicati,rifiutati,in_ritardo,valore_totale\n"
            : String.format(Locale.ROOT, "%-21s %-8s %-28s %9s %9s %9s %9s %14s%n", "inizio", "stato", per,
                "accettati", "duplicati", "rifiutati", "ritardo", "valore"));
        forEachGroup(config, store, fromMillis, toMillis, (w, key, cell) -> {
            final String start = Instant.ofEpochMilli(w.windowStartMillis()).toString();
            if (csv) {
                out.append(start).append(',').append(Instant.ofEpochMilli(w.windowEndMillis())).append(',')
                    .append(w.closed()).append(',').append(w.revision()).append(',').append(csvField(key)).append(',')
                    .append(cell.uniqueCount()).append(',').append(cell.duplicateCount()).append(',')
                    .append(cell.rejectedCount()).append(',').append(cell.lateCount()).append(',')
                    .append(money(cell.valueSumCents())).append('\n');
            } else {
                out.append(String.format(Locale.ROOT, "%-21s %-8s %-28s %9d %9d %9d %9d %14s%n", start,
                    w.closed() ? "chiusa r" + w.revision() : "aperta", key, cell.uniqueCount(), cell.duplicateCount(),
                    cell.rejectedCount(), cell.lateCount(), money(cell.valueSumCents())));
            }
        });
    }

    private void diff(final StringBuilder out, final EngineConfig config, final SingleWriterWindowStore before,
                      final SingleWriterWindowStore after, final long fromMillis, final long toMillis) {
        final List<String[]> rows = new ArrayList<>();
        final WindowSnapshot other = after.newSnapshot();
        forEachGroup(config, before, fromMillis, toMillis, (w, key, cell) -> {
            final long[] was = {cell.uniqueCount(), cell.duplicateCount(), cell.rejectedCount(), cell.valueSumCents()};
            long[] now = {0, 0, 0, 0};
            if (after.readWindow(w.windowStartMillis(), other)) {
                final WindowCellFlyweight c = cellOf(config, other, key);
                if (c != null) {
                    now = new long[] {c.uniqueCount(), c.duplicateCount(), c.rejectedCount(), c.valueSumCents()};
                }
            }
            final String[] names = {"accettati", "duplicati", "rifiutati", "valore_totale"};
            for (int i = 0; i < names.length; i++) {
                if (was[i] != now[i]) {
                    rows.add(new String[] {Instant.ofEpochMilli(w.windowStartMillis()).toString(), key, names[i],
                        i == 3 ? money(was[i]) : Long.toString(was[i]), i == 3 ? money(now[i]) : Long.toString(now[i])});
                }
            }
        });
        switch (format) {
            case "json":
                final JsonBuilder json = new JsonBuilder(1024).beginObject().name("modifiche").beginArray();
                for (String[] r : rows) {
                    json.beginObject().field("finestra", r[0]).field("chiave", r[1]).field("campo", r[2])
                        .rawField("registrato", r[3]).rawField("con_nuovo_schema", r[4]).endObject();
                }
                out.append(json.endArray().endObject().toString()).append('\n');
                break;
            case "csv":
                out.append("finestra,chiave,campo,registrato,con_nuovo_schema\n");
                rows.forEach(r -> out.append(r[0]).append(',').append(csvField(r[1])).append(',').append(r[2])
                    .append(',').append(r[3]).append(',').append(r[4]).append('\n'));
                break;
            default:
                if (rows.isEmpty()) {
                    out.append("no window counter changes under ").append(schemaFile).append('\n');
                }
                rows.forEach(r -> out.append(String.format(Locale.ROOT, "%-21s %-28s %-14s %10s -> %s%n",
                    r[0], r[1], r[2], r[3], r[4])));
        }
    }

    @FunctionalInterface
    private interface GroupVisitor {
        void visit(WindowSnapshot window, String key, WindowCellFlyweight cell);
    }

    /** The window's total (key "totale") and then each group of the chosen dimension that saw events. */
    private void forEachGroup(final EngineConfig config, final SingleWriterWindowStore store, final long fromMillis,
                              final long toMillis, final GroupVisitor visitor) {
        store.forEachWindow(fromMillis, toMillis, store.newSnapshot(), w -> {
            final WindowCellFlyweight t = w.total();
            if (t.uniqueCount() + t.duplicateCount() + t.rejectedCount() == 0) {
                return;
            }
            visitor.visit(w, "totale", t);
            final List<String> names = names(config, store, w);
            for (int i = 0; i < names.size(); i++) {
                final WindowCellFlyweight c = cell(w, i);
                if (c.uniqueCount() + c.duplicateCount() > 0) {
                    visitor.visit(w, names.get(i), c);
                }
            }
        });
    }

    private List<String> names(final EngineConfig config, final SingleWriterWindowStore store, final WindowSnapshot w) {
        switch (per) {
            case "evento":
                return config.schema().eventi();
            case "campagna": {
                final List<String> out = new ArrayList<>();
                for (int id = 0; id < w.campaignCellsUsed(); id++) {
                    out.add(store.campaigns().name(id));
                }
                return out;
            }
            default:
                return config.schema().canali();
        }
    }

    private WindowCellFlyweight cell(final WindowSnapshot w, final int i) {
        switch (per) {
            case "evento":
                return w.evento(i);
            case "campagna":
                return w.campagna(i);
            default:
                return w.canale(i);
        }
    }

    private WindowCellFlyweight cellOf(final EngineConfig config, final WindowSnapshot w, final String key) {
        if (key.equals("totale")) {
            return w.total();
        }
        switch (per) {
            case "evento":
                return w.evento(config.schema().eventi().indexOf(key));
            case "campagna":
                return null; // campaign ids are per replay: compare totals and the other dimensions
            default:
                return w.canale(config.schema().canali().indexOf(key));
        }
    }

    private static String money(final long cents) {
        final StringBuilder sb = new StringBuilder();
        if (cents < 0) {
            sb.append('-');
        }
        final long a = Math.abs(cents);
        return sb.append(a / 100).append('.').append(a % 100 < 10 ? "0" : "").append(a % 100).toString();
    }

    private static String csvField(final String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
