package io.conversioni.window;

import io.conversioni.config.EngineConfig;
import io.conversioni.json.JsonText;
import io.conversioni.json.UtcInstant;

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
        final List<String> eventi = config.schema().eventi();
        final List<String> canali = config.schema().canali();
        final CostTable costs = config.costs();
        final long windowLength = store.config().windowLengthMs();
        final CampaignNames campaigns = store.campaigns();
        final StringBuilder windows = new StringBuilder(4096);
        final long[] total = new long[5];
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
            if (windows.length() > 0) {
                windows.append(',');
            }
            UtcInstant.append(windows.append("{\"inizio\":\""), w.windowStartMillis());
            UtcInstant.append(windows.append("\",\"fine\":\""), w.windowEndMillis())
                .append("\",\"chiusa\":").append(w.closed()).append(",\"revisione\":").append(w.revision())
                .append(",\"rifiutati\":").append(t.rejectedCount()).append(",\"totale\":");
            final long day = Math.floorDiv(w.windowStartMillis(), 86_400_000L);
            final long daySpend = costs.totalSpendCents(day);
            group(windows, null, t, WindowMetrics.cpaCents(daySpend, windowLength, t.numeratorCount()));
            windows.append(",\"gruppi\":[");
            boolean first = true;
            switch (per) {
                case "evento":
                    spendShown[0] |= daySpend != CostTable.UNKNOWN;
                    for (int i = 0; i < eventi.size(); i++) {
                        first = groupIfUsed(windows, first, eventi.get(i), w.evento(i), WindowMetrics.NONE);
                    }
                    break;
                case "campagna":
                    for (int id = 0; id < w.campaignCellsUsed(); id++) {
                        final String name = campaigns.name(id);
                        final WindowCellFlyweight cell = w.campagna(id);
                        spendShown[0] |= used(cell) && costs.spendCents(name, day) != CostTable.UNKNOWN;
                        first = groupIfUsed(windows, first, name, cell,
                            costs.cpaCents(name, w.windowStartMillis(), windowLength, cell.numeratorCount()));
                    }
                    break;
                default:
                    for (int i = 0; i < canali.size(); i++) {
                        final String name = canali.get(i);
                        final WindowCellFlyweight cell = w.canale(i);
                        spendShown[0] |= used(cell) && costs.canaleSpendCents(name, day) != CostTable.UNKNOWN;
                        first = groupIfUsed(windows, first, name, cell,
                            costs.canaleCpaCents(name, w.windowStartMillis(), windowLength, cell.numeratorCount()));
                    }
            }
            windows.append("]}");
        });
        final StringBuilder out = new StringBuilder(windows.length() + 256);
        UtcInstant.append(out.append("{\"da\":\""), fromMillis);
        UtcInstant.append(out.append("\",\"a\":\""), toMillis).append("\",\"per\":\"").append(per)
            .append("\",\"durata_finestra_ms\":").append(windowLength)
            .append(",\"totale\":{\"accettati\":").append(total[0]).append(",\"duplicati\":").append(total[1])
            .append(",\"rifiutati\":").append(total[2]).append(",\"in_ritardo\":").append(total[3])
            .append(",\"valore_totale\":");
        money(out, total[4]);
        out.append("},\"finestre\":[").append(windows).append(']');
        costi(out, costs, per, windows.length() == 0 || spendShown[0]);
        if (motoreJson != null) {
            out.append(",\"motore\":").append(motoreJson);
        }
        out.append('}');
        return out.toString();
    }

    /**
     * {@code "costi":{"caricati":bool,"nota":text|null}}: the note says why CPA is empty and how to fill it, when
     * no cost is loaded or none of the shown windows has a known spend for the chosen grouping.
     */
    private static void costi(final StringBuilder out, final CostTable costs, final String per,
                              final boolean spendShown) {
        out.append(",\"costi\":{\"caricati\":").append(costs.rowCount() > 0).append(",\"nota\":");
        if (costs.rowCount() == 0) {
            out.append(JsonText.quote(NO_COSTS));
        } else if (!spendShown) {
            out.append(JsonText.quote(switch (per) {
                case "evento" -> NO_SPEND_ON_THESE_DAYS;
                case "campagna" -> NO_SPEND_FOR_CAMPAIGNS;
                default -> NO_SPEND_FOR_CANALI;
            }));
        } else {
            out.append("null");
        }
        out.append('}');
    }

    private static boolean used(final WindowCellFlyweight cell) {
        return cell.uniqueCount() + cell.duplicateCount() > 0;
    }

    private static boolean groupIfUsed(final StringBuilder sb, final boolean first, final String key,
                                       final WindowCellFlyweight cell, final long cpaCents) {
        if (!used(cell)) {
            return first;
        }
        if (!first) {
            sb.append(',');
        }
        group(sb, key, cell, cpaCents);
        return false;
    }

    private static void group(final StringBuilder sb, final String key, final WindowCellFlyweight c, final long cpaCents) {
        sb.append('{');
        if (key != null) {
            sb.append("\"chiave\":").append(JsonText.quote(key)).append(',');
        }
        sb.append("\"accettati\":").append(c.uniqueCount()).append(",\"duplicati\":").append(c.duplicateCount())
            .append(",\"in_ritardo\":").append(c.lateCount()).append(",\"conversioni\":").append(c.numeratorCount())
            .append(",\"valore_totale\":");
        money(sb, c.valueSumCents());
        sb.append(",\"valore_medio\":");
        final long average = WindowMetrics.averageValueCents(c.valueSumCents(), c.uniqueCount());
        if (average == WindowMetrics.NONE) {
            sb.append("null");
        } else {
            money(sb, average);
        }
        sb.append(",\"tasso_conversione\":");
        final double rate = WindowMetrics.conversionRate(c.numeratorCount(), c.denominatorCount());
        sb.append(Double.isNaN(rate) ? "null" : Double.toString(Math.round(rate * 1e6) / 1e6));
        sb.append(",\"cpa\":");
        if (cpaCents == WindowMetrics.NONE) {
            sb.append("null");
        } else {
            money(sb, cpaCents);
        }
        sb.append('}');
    }

    /** Exact cents as a JSON number with two decimals. */
    static void money(final StringBuilder sb, final long cents) {
        if (cents < 0) {
            sb.append('-');
        }
        final long a = Math.abs(cents);
        sb.append(a / 100).append('.');
        final long c = a % 100;
        if (c < 10) {
            sb.append('0');
        }
        sb.append(c);
    }
}
