package io.conversioni.report;

import io.conversioni.alert.AlertLog;
import io.conversioni.config.EngineConfig;
import io.conversioni.files.OwnerOnlyFiles;
import io.conversioni.json.JsonBuilder;
import io.conversioni.json.JsonTree;
import io.conversioni.pipeline.OfflineReplay;
import io.conversioni.reconcile.ReconciliationFormat;
import io.conversioni.reconcile.ReconciliationLog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The daily integrity report for one UTC day: events received, accepted, duplicates, rejected by code, too
 * late, late revisions (from a read-only journal replay, the engine's own verdicts), the day's
 * reconciliation runs and their mismatches ({@link ReconciliationLog}), and alerts fired per rule
 * ({@link AlertLog}). Written as {@code <data-dir>/reports/YYYY-MM-DD.json} and {@code .md}, each through a
 * temporary file and a rename, so a reader never sees half a report. A report of a day not over yet says
 * {@code "parziale": true}. A cluster node's report names its node and partitions ({@code "copertura"},
 * {@link Coverage}). One-shot; the job thread or a command; allocates freely.
 */
public final class DailyReport {
    /** Disagreeing runs kept in full under {@code riconciliazione.dettaglio} (the newest ones). */
    static final int MAX_DETAIL_RUNS = 20;

    private final LocalDate day;
    private final long generatedAtMillis;
    private final DailyCounts counts;
    private final List<String> runs;
    private final Map<String, Long> alerts;
    /** Why the alerts could not be read (null: they were), said in the report instead of "Nessun allarme". */
    private final String alertsUnread;
    /** A cluster node's partitions; null on a single node. */
    private final Coverage coverage;

    private DailyReport(final LocalDate day, final long generatedAtMillis, final DailyCounts counts,
                        final List<String> runs, final Map<String, Long> alerts, final String alertsUnread,
                        final Coverage coverage) {
        this.coverage = coverage;
        this.day = day;
        this.generatedAtMillis = generatedAtMillis;
        this.counts = counts;
        this.runs = runs;
        this.alerts = alerts;
        this.alertsUnread = alertsUnread;
    }

    /** This report, saying that its alerts section is empty because the alerts could not be read, and why. */
    public DailyReport alertsUnread(final String reason) {
        return new DailyReport(day, generatedAtMillis, counts, runs, Map.of(), reason, coverage);
    }

    /** This report, saying which cluster node wrote it and which partitions its events come from. */
    public DailyReport coverage(final Coverage of) {
        return new DailyReport(day, generatedAtMillis, counts, runs, alerts, alertsUnread, of);
    }

    /**
     * Builds the report of {@code day}: replays the journal of {@code dataDir} (read-only), reads the day's
     * reconciliation runs and asks {@code alertLog} for the day's alerts.
     *
     * @throws java.time.DateTimeException when the day's bounds lie beyond what epoch milliseconds hold
     */
    public static DailyReport build(final EngineConfig config, final Path dataDir, final LocalDate day,
                                    final AlertLog alertLog, final long nowMillis) throws IOException {
        final long from;
        final long to;
        try {
            from = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            to = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (ArithmeticException e) {
            throw new java.time.DateTimeException("day " + day + " lies beyond the range of epoch milliseconds", e);
        }
        final DailyCounts counts = new DailyCounts(from, to);
        OfflineReplay.recorded(config, dataDir, counts);
        return new DailyReport(day, nowMillis, counts, new ReconciliationLog(dataDir).read(day),
            new TreeMap<>(alertLog.firedByRule(from, to)), null, null);
    }

    /**
     * Why this report would be worse than {@code existingJson}, a report of the same day already written (the
     * server's final one): it is final and counts more events received, more alerts or more reconciliation
     * runs than this one sees (journal cycles deleted since, or alerts this process could not read). Null when
     * this report sees at least as much, or the existing file is partial or not a report.
     */
    public String seesLessThan(final String existingJson) {
        final Object tree;
        try {
            tree = JsonTree.parse(existingJson);
        } catch (RuntimeException e) {
            return null; // not a report (a torn or foreign file): nothing better to keep
        }
        if (!(tree instanceof Map<?, ?> old) || !Boolean.FALSE.equals(old.get("parziale"))) {
            return null;
        }
        final long received = old.get("eventi") instanceof Map<?, ?> e ? number(e.get("ricevuti")) : 0;
        long alertsThere = 0;
        if (old.get("allarmi") instanceof Map<?, ?> a) {
            for (Object n : a.values()) {
                alertsThere += number(n);
            }
        }
        final long runsThere = old.get("riconciliazione") instanceof Map<?, ?> r ? number(r.get("esecuzioni")) : 0;
        final long alertsHere = alerts.values().stream().mapToLong(Long::longValue).sum();
        final long runsHere = parsedRuns().size();
        if (received > counts.received() || alertsThere > alertsHere || runsThere > runsHere) {
            return "the final report already written counts " + received + " events received, " + alertsThere
                + " alerts and " + runsThere + " reconciliation runs; this one sees " + counts.received() + ", "
                + alertsHere + " and " + runsHere;
        }
        return null;
    }

    private static long number(final Object n) {
        return n instanceof Number v ? v.longValue() : 0;
    }

    public boolean partial() {
        return generatedAtMillis < day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    /** Writes {@code YYYY-MM-DD.json} and {@code .md} into {@code dir}; returns the JSON file. */
    public Path write(final Path dir) throws IOException {
        OwnerOnlyFiles.createDirectories(dir);
        writeAtomically(dir.resolve(day + ".md"), markdown());
        final Path json = dir.resolve(day + ".json");
        writeAtomically(json, json());
        return json;
    }

    private static void writeAtomically(final Path target, final String text) throws IOException {
        OwnerOnlyFiles.writeAtomically(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code {"giorno","generato_il","parziale",["copertura":{"nodo","partizioni":[int],"partizioni_totali"},]"eventi":{"ricevuti","accettati","duplicati","rifiutati",
     * "rifiutati_per_codice":{},"troppo_vecchi","nel_futuro","in_ritardo","valore_accettato"},
     * "riconciliazione":{"esecuzioni","concordi","discordi","discordanze":[{"eseguita","fonte","finestra",
     * "evento","canale","motore","crm","mancanti","in_piu","valore_diverso"}],"dettaglio":[run, ...]},
     * "allarmi":{"regola":count}}}; {@code dettaglio} holds each run as {@link ReconciliationLog} wrote it. A
     * report whose alerts could not be read ends with {@code "allarmi":{},"allarmi_non_letti":"why"}.
     */
    public String json() {
        final JsonBuilder out = new JsonBuilder(2048).beginObject().field("giorno", day.toString())
            .instantField("generato_il", generatedAtMillis).field("parziale", partial());
        if (coverage != null) {
            out.name("copertura").beginObject().field("nodo", coverage.nodo()).name("partizioni").beginArray();
            for (int p : coverage.partizioni()) {
                out.value(p);
            }
            out.endArray().field("partizioni_totali", coverage.partizioniTotali()).endObject();
        }
        out.name("eventi").beginObject().field("ricevuti", counts.received()).field("accettati", counts.accepted())
            .field("duplicati", counts.duplicates()).field("rifiutati", counts.rejected());
        counts(out.name("rifiutati_per_codice"), counts.rejectedByCode());
        out.field("troppo_vecchi", counts.tooLate()).field("nel_futuro", counts.future()).field("in_ritardo", counts.late())
            .moneyField("valore_accettato", counts.acceptedCents()).endObject();
        final List<Map<String, Object>> parsed = parsedRuns();
        final long agreeing = parsed.stream().filter(r -> "concorda".equals(r.get("esito"))).count();
        out.name("riconciliazione").beginObject().field("esecuzioni", parsed.size()).field("concordi", agreeing)
            .field("discordi", parsed.size() - agreeing).name("discordanze").beginArray();
        for (Mismatch m : mismatches(parsed)) {
            out.beginObject().field("eseguita", m.lastRun).field("volte", m.times).field("fonte", m.fonte)
                .field("finestra", String.valueOf(m.fields.get("finestra")))
                .field("evento", String.valueOf(m.fields.get("evento")))
                .field("canale", String.valueOf(m.fields.get("canale")));
            count(out.name("motore"), m.fields.get("motore"));
            count(out.name("crm"), m.fields.get("crm"));
            out.field("mancanti", ((List<?>) m.fields.get("mancanti")).size())
                .field("in_piu", ((List<?>) m.fields.get("in_piu")).size())
                .field("valore_diverso", ((List<?>) m.fields.get("valore_diverso")).size()).endObject();
        }
        final List<String> disagreeing = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            if (i < parsed.size() && "discorda".equals(parsed.get(i).get("esito"))) {
                disagreeing.add(runs.get(i));
            }
        }
        out.endArray().name("dettaglio").beginArray();
        for (String run : disagreeing.subList(Math.max(0, disagreeing.size() - MAX_DETAIL_RUNS), disagreeing.size())) {
            out.raw(run);
        }
        out.endArray().endObject();
        counts(out.name("allarmi"), alerts);
        if (alertsUnread != null) {
            out.field("allarmi_non_letti", alertsUnread);
        }
        return out.endObject().toString() + "\n";
    }

    public String markdown() {
        final StringBuilder sb = new StringBuilder(2048);
        sb.append("# Rapporto di integrità — ").append(day).append("\n\n");
        sb.append("Generato il ").append(Instant.ofEpochMilli(generatedAtMillis))
            .append(partial() ? " (parziale: la giornata non è finita)" : "").append(". Giorno UTC, per ora di ricezione.\n\n");
        if (coverage != null) {
            sb.append("Nodo ").append(coverage.nodo()).append(" del cluster: gli eventi delle partizioni ")
                .append(coverage.partizioni().length == 0 ? "(nessuna)" : java.util.Arrays.toString(coverage.partizioni()))
                .append(" di ").append(coverage.partizioniTotali()).append(" e i rifiuti ricevuti da questo nodo; "
                    + "il giorno del cluster è la somma dei rapporti di tutti i nodi.\n\n");
        }
        sb.append("## Eventi\n\n| | |\n|---|---:|\n");
        row(sb, "ricevuti", counts.received());
        row(sb, "accettati", counts.accepted());
        row(sb, "duplicati", counts.duplicates());
        row(sb, "rifiutati", counts.rejected());
        row(sb, "troppo vecchi", counts.tooLate());
        row(sb, "nel futuro", counts.future());
        row(sb, "in ritardo (nuova revisione)", counts.late());
        sb.append("| valore accettato | ").append(ReconciliationFormat.money(counts.acceptedCents())).append(" |\n\n");
        if (!counts.rejectedByCode().isEmpty()) {
            sb.append("### Rifiutati per codice\n\n| codice | eventi |\n|---|---:|\n");
            counts.rejectedByCode().forEach((code, n) -> row(sb, "`" + code + "`", n));
            sb.append('\n');
        }
        final List<Map<String, Object>> parsed = parsedRuns();
        final long agreeing = parsed.stream().filter(r -> "concorda".equals(r.get("esito"))).count();
        sb.append("## Riconciliazione con il CRM\n\n").append(parsed.size()).append(" esecuzioni: ").append(agreeing)
            .append(" concordi, ").append(parsed.size() - agreeing).append(" discordi.\n\n");
        if (parsed.size() > agreeing) {
            sb.append("| ultima volta | volte | fonte | finestra | evento | canale | motore | CRM | mancanti | in più | "
                + "valore diverso |\n|---|---:|---|---|---|---|---:|---:|---:|---:|---:|\n");
            for (Mismatch m : mismatches(parsed)) {
                sb.append("| ").append(m.lastRun).append(" | ").append(m.times).append(" | ").append(m.fonte).append(" | ")
                    .append(m.fields.get("finestra")).append(" | ").append(m.fields.get("evento")).append(" | ")
                    .append(m.fields.get("canale")).append(" | ").append(side(m.fields.get("motore"))).append(" | ")
                    .append(side(m.fields.get("crm"))).append(" | ").append(((List<?>) m.fields.get("mancanti")).size())
                    .append(" | ").append(((List<?>) m.fields.get("in_piu")).size()).append(" | ")
                    .append(((List<?>) m.fields.get("valore_diverso")).size()).append(" |\n");
            }
            sb.append("\nGli eventi per nome sono nel file JSON (`riconciliazione.dettaglio`).\n\n");
        }
        sb.append("## Allarmi\n\n");
        if (alertsUnread != null) {
            sb.append("Allarmi non letti (").append(alertsUnread).append("): questo rapporto non li conta.\n");
        } else if (alerts.isEmpty()) {
            sb.append("Nessun allarme.\n");
        } else {
            sb.append("| regola | scattati |\n|---|---:|\n");
            alerts.forEach((rule, n) -> row(sb, rule, n));
        }
        return sb.toString();
    }

    /** One day's mismatch of one window/evento/canale: the newest run's figures, and how many runs found it. */
    private static final class Mismatch {
        Map<?, ?> fields;
        String lastRun;
        String fonte;
        int times;
    }

    /** The day's mismatches, one per window/evento/canale (a mismatch that persists is found by every run). */
    private static List<Mismatch> mismatches(final List<Map<String, Object>> parsed) {
        final Map<String, Mismatch> byKey = new java.util.LinkedHashMap<>();
        for (Map<String, Object> run : parsed) {
            for (Object o : (List<?>) run.getOrDefault("discordanze", List.of())) {
                final Map<?, ?> m = (Map<?, ?>) o;
                final Mismatch seen = byKey.computeIfAbsent(m.get("finestra") + "/" + m.get("evento") + "/" + m.get("canale"),
                    k -> new Mismatch());
                seen.fields = m;
                seen.lastRun = String.valueOf(run.get("eseguita"));
                seen.fonte = String.valueOf(run.get("fonte"));
                seen.times++;
            }
        }
        return new ArrayList<>(byKey.values());
    }

    private List<Map<String, Object>> parsedRuns() {
        final List<Map<String, Object>> out = new ArrayList<>();
        for (String line : runs) {
            try {
                if (JsonTree.parse(line) instanceof Map<?, ?> m) {
                    @SuppressWarnings("unchecked")
                    final Map<String, Object> run = (Map<String, Object>) m;
                    out.add(run);
                }
            } catch (JsonTree.JsonTreeException ignored) {
                // a torn last line (the process died while appending): that run is not reported
            }
        }
        return out;
    }

    private static void count(final JsonBuilder out, final Object side) {
        final Map<?, ?> m = (Map<?, ?>) side;
        out.beginObject().rawField("conteggio", String.valueOf(m.get("conteggio")))
            .rawField("valore_totale", money(m.get("valore_totale"))).endObject();
    }

    private static String side(final Object side) {
        final Map<?, ?> m = (Map<?, ?>) side;
        return m.get("conteggio") + " (" + money(m.get("valore_totale")) + ")";
    }

    /** An amount read back from the run log: two decimals, never an exponent. */
    private static String money(final Object amount) {
        return amount instanceof java.math.BigDecimal d
            ? d.setScale(2, java.math.RoundingMode.UNNECESSARY).toPlainString() : String.valueOf(amount);
    }

    private static void counts(final JsonBuilder out, final Map<String, Long> map) {
        out.beginObject();
        for (Map.Entry<String, Long> e : map.entrySet()) {
            out.field(e.getKey(), e.getValue());
        }
        out.endObject();
    }

    private static void row(final StringBuilder sb, final String name, final long value) {
        sb.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }
}
