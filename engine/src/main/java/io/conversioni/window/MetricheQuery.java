package io.conversioni.window;

import io.conversioni.config.EngineConfig;
import io.conversioni.json.JsonBuilder;

import java.util.List;

/**
 * Renders {@code GET /api/v1/metriche}: the windows between {@code da} and {@code a}, grouped by canale,
 * evento or campagna, with totals. The JSON shape is a contract outside tools rely on:
 * {@code {"totale":{accettati,duplicati,rifiutati,in_ritardo,valore_totale}, "finestre":[{inizio,fine,chiusa,
 * revisione,gruppi:[{chiave,accettati,duplicati,valore_totale,valore_medio,tasso_conversione,cpa}]}]}};
 * counts are integers, money has at most two decimals, a ratio or CPA without denominator is null. CPA is
 * given per canale and per campagna where the cost table knows that day's spend (never per evento), and for
 * each window's total; {@code costi:{caricati,nota}} says when no spend is known and how to load it. The server
 * adds a last field, {@code motore}, through {@link #render(long, long, String, String)}; replay does not.
 * Reads through the store's consistent snapshots (one reused per thread); any thread. Allocates per request
 * (the JSON text). Also used by
 * {@code conversioni replay} over a store rebuilt offline.
 */
public final class MetricheQuery {
    public static final List<String> GROUPINGS = List.of("canale", "evento", "campagna");

    static final String NO_COSTS = "Nessun costo caricato: il CPA resta vuoto. Scrivere la spesa giornaliera per"
        + " canale o per campagna in costi.csv (chiave windows.costs di conversioni.yaml; giorno * vale per ogni"
        + " giorno) e riavviare il server.";
    static final String NO_SPEND_FOR_CANALI = "Nessuna spesa in costi.csv per i canali e i giorni mostrati: il CPA"
        + " per canale resta vuoto. Aggiungere righe canale,,giorno,spesa (giorno * per ogni giorno) e riavviare.";
    static final String NO_SPEND_FOR_CAMPAIGNS = "Nessuna spesa in costi.csv per le campagne e i giorni mostrati:"
        + " il CPA per campagna resta vuoto. Aggiungere righe ,campagna,giorno,spesa (giorno * per ogni giorno)"
        + " e riavviare.";
    static final String NO_SPEND_ON_THESE_DAYS = "Nessuna spesa in costi.csv per i giorni mostrati: il CPA resta"
        + " vuoto. Aggiungere righe per canale o per campagna (giorno * per ogni giorno) e riavviare.";

    private final WindowView store;
    private final EngineConfig config;
    /**
     * One reusable window copy per reader thread (a window with all its campaign cells: ~100 KB with the
     * defaults): a fresh one per query cost more in zeroing, page faults and GC than the query itself.
     */
    private final ThreadLocal<WindowSnapshot> snapshots;

    public MetricheQuery(final WindowView store, final EngineConfig config) {
        this.store = store;
        this.config = config;
        this.snapshots = ThreadLocal.withInitial(store::newSnapshot);
    }

    public String render(final long fromMillis, final long toMillis, final String per) {
        return render(fromMillis, toMillis, per, null);
    }

    /**
     * As {@link #render(long, long, String)}, with a last field {@code "motore"} holding {@code motoreJson} (a
     * JSON object the server adds about the live engine) unless it is null.
     */
    public String render(final long fromMillis, final long toMillis, final String per, final String motoreJson) {
        return render(fromMillis, toMillis, per, motoreJson, null);
    }

    /**
     * As {@link #render(long, long, String, String)}, then a field {@code "cluster"} holding {@code clusterJson} unless
     * it is null: in cluster mode, the partitions the answer covers and how fresh each is (the cluster module's
     * {@code ClusterWindows.coverageJson()}).
     */
    public String render(final long fromMillis, final long toMillis, final String per, final String motoreJson,
                         final String clusterJson) {
        final List<String> eventi = config.schema().eventi();
        final List<String> canali = config.schema().canali();
        final CostTable costs = config.costs();
        final long windowLength = store.config().windowLengthMs();
        final CampaignNames campaigns = store.campaigns();
        final JsonBuilder windows = new JsonBuilder(4096).beginArray();
        final long[] total = new long[6];
        final boolean[] spendShown = new boolean[1];
        store.forEachWindow(fromMillis, toMillis, snapshots.get(), w -> {
            final WindowCellFlyweight t = w.total();
            if (t.uniqueCount() + t.duplicateCount() + t.rejectedCount() == 0) {
                return;
            }
            total[0] += t.uniqueCount();
            total[1] += t.duplicateCount();
            total[2] += t.rejectedCount();
            total[3] += t.lateCount();
            total[4] += t.valueSumCents();
            total[5]++;
            windows.beginObject().instantField("inizio", w.windowStartMillis()).instantField("fine", w.windowEndMillis())
                .field("chiusa", w.closed()).field("revisione", w.revision()).field("rifiutati", t.rejectedCount())
                .name("totale");
            final long day = Math.floorDiv(w.windowStartMillis(), 86_400_000L);
            final long daySpend = costs.totalSpendCents(day);
            group(windows, null, t, WindowMetrics.cpaCents(daySpend, windowLength, t.numeratorCount()));
            windows.name("gruppi").beginArray();
            switch (per) {
                case "evento":
                    spendShown[0] |= daySpend != CostTable.UNKNOWN;
                    for (int i = 0; i < eventi.size(); i++) {
                        groupIfUsed(windows, eventi.get(i), w.evento(i), WindowMetrics.NONE);
                    }
                    break;
                case "campagna":
                    for (int id = 0; id < w.campaignCellsUsed(); id++) {
                        final String name = campaigns.name(id);
                        final WindowCellFlyweight cell = w.campagna(id);
                        spendShown[0] |= used(cell) && costs.spendCents(name, day) != CostTable.UNKNOWN;
                        groupIfUsed(windows, name, cell,
                            costs.cpaCents(name, w.windowStartMillis(), windowLength, cell.numeratorCount()));
                    }
                    break;
                default:
                    for (int i = 0; i < canali.size(); i++) {
                        final String name = canali.get(i);
                        final WindowCellFlyweight cell = w.canale(i);
                        spendShown[0] |= used(cell) && costs.canaleSpendCents(name, day) != CostTable.UNKNOWN;
                        groupIfUsed(windows, name, cell,
                            costs.canaleCpaCents(name, w.windowStartMillis(), windowLength, cell.numeratorCount()));
                    }
            }
            windows.endArray().endObject();
        });
        windows.endArray();
        final JsonBuilder out = new JsonBuilder(windows.size() + 512).beginObject().instantField("da", fromMillis)
            .instantField("a", toMillis).field("per", per).field("durata_finestra_ms", windowLength)
            .name("totale").beginObject().field("accettati", total[0]).field("duplicati", total[1])
            .field("rifiutati", total[2]).field("in_ritardo", total[3]).moneyField("valore_totale", total[4]).endObject()
            .name("finestre").raw(windows);
        costi(out, costs, per, total[5] == 0 || spendShown[0]);
        if (motoreJson != null) {
            out.rawField("motore", motoreJson);
        }
        if (clusterJson != null) {
            out.rawField("cluster", clusterJson);
        }
        return out.endObject().toString();
    }

    /**
     * {@code "costi":{"caricati":bool,"nota":text|null}}: the note says why CPA is empty and how to fill it, when
     * no cost is loaded or none of the shown windows has a known spend for the chosen grouping.
     */
    private static void costi(final JsonBuilder out, final CostTable costs, final String per,
                              final boolean spendShown) {
        out.name("costi").beginObject().field("caricati", costs.rowCount() > 0);
        if (costs.rowCount() == 0) {
            out.field("nota", NO_COSTS);
        } else if (!spendShown) {
            out.field("nota", switch (per) {
                case "evento" -> NO_SPEND_ON_THESE_DAYS;
                case "campagna" -> NO_SPEND_FOR_CAMPAIGNS;
                default -> NO_SPEND_FOR_CANALI;
            });
        } else {
            out.nullField("nota");
        }
        out.endObject();
    }

    private static boolean used(final WindowCellFlyweight cell) {
        return cell.uniqueCount() + cell.duplicateCount() > 0;
    }

    private static void groupIfUsed(final JsonBuilder out, final String key, final WindowCellFlyweight cell,
                                    final long cpaCents) {
        if (used(cell)) {
            group(out, key, cell, cpaCents);
        }
    }

    private static void group(final JsonBuilder out, final String key, final WindowCellFlyweight c, final long cpaCents) {
        out.beginObject();
        if (key != null) {
            out.field("chiave", key);
        }
        out.field("accettati", c.uniqueCount()).field("duplicati", c.duplicateCount()).field("in_ritardo", c.lateCount())
            .field("conversioni", c.numeratorCount()).moneyField("valore_totale", c.valueSumCents());
        final long average = WindowMetrics.averageValueCents(c.valueSumCents(), c.uniqueCount());
        moneyOrNull(out.name("valore_medio"), average);
        final double rate = WindowMetrics.conversionRate(c.numeratorCount(), c.denominatorCount());
        out.name("tasso_conversione").value(Double.isNaN(rate) ? rate : Math.round(rate * 1e6) / 1e6);
        moneyOrNull(out.name("cpa"), cpaCents);
        out.endObject();
    }

    private static void moneyOrNull(final JsonBuilder out, final long cents) {
        if (cents == WindowMetrics.NONE) {
            out.nullValue();
        } else {
            out.money(cents);
        }
    }
}
