package io.conversioni.window;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Daily advertising spend per canale and per campagna, loaded from a CSV ({@code config/costi.csv}, format in
 * {@code docs/costi.md}). The header is {@code canale,campagna,giorno,spesa}; each row names a canale or a
 * campagna (one of the two), a UTC day {@code YYYY-MM-DD} or {@code *} (every day that has no row of its own
 * for that canale or campagna), and the spend in euros with exactly two decimals ({@code 1250.00}). Files
 * with the older header {@code campagna,giorno,spesa} load unchanged. Spend is kept as exact cents; the CPA
 * of a window prorates the day's spend by window length / one day (see {@link WindowMetrics#cpaCents}).
 *
 * <p>Canale rows and campagna rows are two views of the same money and are never added together: a day's
 * total is the sum of its canale spends when any canale has one, else the sum of its campagna spends.
 *
 * <p>A bad row fails the whole load with the source, line and column ({@link CostTableException}): nothing
 * is half-loaded. Blank lines and lines starting with {@code #} are skipped.
 *
 * <p>Threading: immutable once loaded; any thread. Allocation: at load only; lookups box the day (reader side).
 */
public final class CostTable {
    public static final String HEADER = "canale,campagna,giorno,spesa";
    /** The header of files written before spend per canale existed; still accepted. */
    public static final String CAMPAIGN_HEADER = "campagna,giorno,spesa";
    /** The {@code giorno} of a row that applies to every day without a dated row of its own. */
    public static final String EVERY_DAY = "*";
    /** Spend not in the table: CPA is unknown (not zero). */
    public static final long UNKNOWN = -1L;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("uuuu-MM-dd")
        .withResolverStyle(ResolverStyle.STRICT);
    private static final long MAX_SPEND_CENTS = 1_000_000_000_000L;

    private final View canali;
    private final View campagne;
    private final int rows;

    private CostTable(final View canali, final View campagne, final int rows) {
        this.canali = canali;
        this.campagne = campagne;
        this.rows = rows;
    }

    public static CostTable empty() {
        return new CostTable(new View(), new View(), 0);
    }

    public static CostTable load(final Path path) {
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            return parse(reader, path.toString(), null);
        } catch (final IOException e) {
            throw new UncheckedIOException("cost_table_unreadable " + path + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #parse(Reader, String, Collection)} with any canale name accepted. */
    public static CostTable parse(final Reader reader, final String source) throws IOException {
        return parse(reader, source, null);
    }

    /**
     * @param knownCanali the schema's canale values a row may name, or null to accept any
     * @throws CostTableException naming the source, line and column of the first bad row
     */
    public static CostTable parse(final Reader reader, final String source, final Collection<String> knownCanali)
        throws IOException {
        final BufferedReader lines = reader instanceof BufferedReader ? (BufferedReader) reader : new BufferedReader(reader);
        String line = lines.readLine();
        final String header = line == null ? "" : stripBom(line).trim();
        final boolean withCanale = header.equals(HEADER);
        if (!withCanale && !header.equals(CAMPAIGN_HEADER)) {
            throw new CostTableException("cost_table_bad_header", source, 1, 0,
                "the first line must be '" + HEADER + "' (or '" + CAMPAIGN_HEADER + "'), found '" + header + "'");
        }
        final List<String> columns = List.of((withCanale ? HEADER : CAMPAIGN_HEADER).split(","));
        final View byCanale = new View();
        final View byCampagna = new View();
        final Map<String, Integer> firstLine = new HashMap<>();
        int number = 1;
        int rows = 0;
        while ((line = lines.readLine()) != null) {
            number++;
            final String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            final String[] fields = trimmed.split(",", -1);
            if (fields.length != columns.size()) {
                throw new CostTableException("cost_table_bad_line", source, number, 0, "expected "
                    + columns.size() + " fields " + String.join(",", columns) + " but found " + fields.length
                    + " in '" + trimmed + "'");
            }
            final String canale = withCanale ? fields[0].trim() : "";
            final String campagna = fields[withCanale ? 1 : 0].trim();
            final int dayColumn = columns.size() - 1;
            if (withCanale && canale.isEmpty() == campagna.isEmpty()) {
                throw new CostTableException("cost_table_bad_line", source, number, 1, canale.isEmpty()
                    ? "canale and campagna are both empty; write the spend of one canale or of one campagna"
                    : "canale '" + canale + "' and campagna '" + campagna + "' are both set; a row holds the spend"
                    + " of one canale or of one campagna (leave the other empty)");
            }
            if (!withCanale && campagna.isEmpty()) {
                throw new CostTableException("cost_table_bad_campaign", source, number, 1, "campagna is empty");
            }
            if (!canale.isEmpty() && knownCanali != null && !knownCanali.contains(canale)) {
                throw new CostTableException("cost_table_bad_canale", source, number, 1, "canale '" + canale
                    + "' is not one of the schema's canali " + knownCanali);
            }
            final String dayText = fields[dayColumn - 1].trim();
            final long epochDay = dayText.equals(EVERY_DAY) ? View.EVERY_DAY
                : parseDay(dayText, source, number, dayColumn);
            final long cents = parseEuroCents(fields[dayColumn].trim(), source, number, dayColumn + 1);
            final String what = canale.isEmpty() ? "campagna '" + campagna + "'" : "canale '" + canale + "'";
            final Integer previous = firstLine.putIfAbsent(what + '\n' + epochDay, number);
            if (previous != null) {
                throw new CostTableException("cost_table_duplicate_row", source, number, dayColumn, what
                    + (epochDay == View.EVERY_DAY ? " already has an every-day spend (*)" : " on " + dayText
                    + " already has a spend") + " on line " + previous + "; keep one row");
            }
            (canale.isEmpty() ? byCampagna : byCanale).put(canale.isEmpty() ? campagna : canale, epochDay, cents);
            rows++;
        }
        byCanale.sumTotals();
        byCampagna.sumTotals();
        return new CostTable(byCanale, byCampagna, rows);
    }

    /** Exact spend in cents of a campaign on a UTC day ({@code LocalDate.toEpochDay()}), or {@link #UNKNOWN}. */
    public long spendCents(final String campagna, final long epochDay) {
        return campagne.spendCents(campagna, epochDay);
    }

    /** Exact spend in cents of a canale on a UTC day, or {@link #UNKNOWN}. */
    public long canaleSpendCents(final String canale, final long epochDay) {
        return canali.spendCents(canale, epochDay);
    }

    /**
     * The day's spend: of every canale when the table knows any canale's spend that day, else of every campaign,
     * else {@link #UNKNOWN}.
     */
    public long totalSpendCents(final long epochDay) {
        final long byCanale = canali.totalCents(epochDay);
        return byCanale != UNKNOWN ? byCanale : campagne.totalCents(epochDay);
    }

    /** Spend of a campaign in the window starting at {@code windowStartMillis}, prorated to its length. */
    public long proratedSpendCents(final String campagna, final long windowStartMillis, final long windowLengthMs) {
        return WindowMetrics.proratedSpendCents(spendCents(campagna, day(windowStartMillis)), windowLengthMs);
    }

    /** CPA in cents of a campaign in one window, or {@link WindowMetrics#NONE}. */
    public long cpaCents(
        final String campagna, final long windowStartMillis, final long windowLengthMs, final long conversions) {
        return WindowMetrics.cpaCents(spendCents(campagna, day(windowStartMillis)), windowLengthMs, conversions);
    }

    /** CPA in cents of a canale in one window, or {@link WindowMetrics#NONE}. */
    public long canaleCpaCents(
        final String canale, final long windowStartMillis, final long windowLengthMs, final long conversions) {
        return WindowMetrics.cpaCents(canaleSpendCents(canale, day(windowStartMillis)), windowLengthMs, conversions);
    }

    /** Campaigns with at least one row. */
    public int campaignCount() {
        return campagne.keyCount();
    }

    /** Canali with at least one row. */
    public int canaleCount() {
        return canali.keyCount();
    }

    /** Rows loaded; 0 when there is no cost table (every CPA is null). */
    public int rowCount() {
        return rows;
    }

    private static long day(final long millis) {
        return Math.floorDiv(millis, WindowConfig.DAY_MS);
    }

    static long parseDay(final String text, final String source, final int line, final int column) {
        try {
            return LocalDate.parse(text, DAY).toEpochDay();
        } catch (final DateTimeException e) {
            throw new CostTableException("cost_table_bad_day", source, line, column, "giorno '" + text
                + "' is not a UTC day written YYYY-MM-DD, e.g. 2024-07-15, nor * for every day");
        }
    }

    static long parseEuroCents(final String text, final String source, final int line, final int column) {
        final int dot = text.indexOf('.');
        final boolean shaped = dot > 0 && dot == text.length() - 3 && dot <= 13 && allDigits(text, 0, dot)
            && allDigits(text, dot + 1, text.length());
        if (!shaped) {
            throw new CostTableException("cost_table_bad_spend", source, line, column, "spesa '" + text
                + "' must be euros with a dot and exactly 2 decimals, no sign or thousands separator, e.g. 1250.00");
        }
        final long cents = Long.parseLong(text.substring(0, dot)) * 100 + Long.parseLong(text.substring(dot + 1));
        if (cents > MAX_SPEND_CENTS) {
            throw new CostTableException("cost_table_bad_spend", source, line, column,
                "spesa '" + text + "' is over 10000000000.00 euros a day");
        }
        return cents;
    }

    private static boolean allDigits(final String text, final int from, final int to) {
        for (int i = from; i < to; i++) {
            final char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static String stripBom(final String line) {
        return !line.isEmpty() && line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
    }

    /**
     * The spend of one kind of key (canali or campagne): dated rows, every-day rows, and the day totals that
     * follow from them, summed once at load.
     */
    private static final class View {
        static final long EVERY_DAY = Long.MIN_VALUE;

        private final Map<String, Map<Long, Long>> centsByKeyDay = new HashMap<>();
        private Map<Long, Long> totalCentsByDatedDay = Collections.emptyMap();
        private long everyDayTotalCents = UNKNOWN;

        void put(final String key, final long epochDay, final long cents) {
            centsByKeyDay.computeIfAbsent(key, k -> new HashMap<>()).put(epochDay, cents);
        }

        /** A day with a dated row: the every-day total with each dated key's every-day spend replaced. */
        void sumTotals() {
            final Map<Long, Long> totals = new HashMap<>();
            long everyDay = UNKNOWN;
            for (Map<Long, Long> days : centsByKeyDay.values()) {
                final Long fallback = days.get(EVERY_DAY);
                if (fallback != null) {
                    everyDay = (everyDay == UNKNOWN ? 0 : everyDay) + fallback;
                }
            }
            for (Map<Long, Long> days : centsByKeyDay.values()) {
                final long fallback = days.getOrDefault(EVERY_DAY, 0L);
                for (Map.Entry<Long, Long> e : days.entrySet()) {
                    if (e.getKey() != EVERY_DAY) {
                        totals.merge(e.getKey(), e.getValue() - fallback, Long::sum);
                    }
                }
            }
            final long base = everyDay == UNKNOWN ? 0 : everyDay;
            totals.replaceAll((day, delta) -> base + delta);
            totalCentsByDatedDay = totals;
            everyDayTotalCents = everyDay;
        }

        long spendCents(final String key, final long epochDay) {
            final Map<Long, Long> days = centsByKeyDay.get(key);
            if (days == null) {
                return UNKNOWN;
            }
            final Long cents = days.get(epochDay);
            if (cents != null) {
                return cents;
            }
            final Long everyDay = days.get(EVERY_DAY);
            return everyDay == null ? UNKNOWN : everyDay;
        }

        long totalCents(final long epochDay) {
            final Long cents = totalCentsByDatedDay.get(epochDay);
            return cents != null ? cents : everyDayTotalCents;
        }

        int keyCount() {
            return centsByKeyDay.size();
        }
    }
}
