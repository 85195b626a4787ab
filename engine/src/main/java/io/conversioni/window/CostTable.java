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
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Daily advertising spend per campaign, loaded from a CSV ({@code config/costi.csv}) with the header
 * {@code campagna,giorno,spesa}: campaign name, UTC day {@code YYYY-MM-DD}, spend in euros with exactly two
 * decimals ({@code 1250.00}). Spend is kept as exact cents; the CPA of a window prorates the day's spend by
 * window length / one day (see {@link WindowMetrics#cpaCents}). Blank lines and lines starting with
 * {@code #} are skipped; a repeated campaign and day is an error.
 *
 * <p>Threading: immutable once loaded; any thread. Allocation: at load only; lookups box the day (reader side).
 */
public final class CostTable {
    public static final String HEADER = "campagna,giorno,spesa";
    /** Spend not in the table: CPA is unknown (not zero). */
    public static final long UNKNOWN = -1L;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("uuuu-MM-dd")
        .withResolverStyle(ResolverStyle.STRICT);
    private static final long MAX_SPEND_CENTS = 1_000_000_000_000L;

    private final Map<String, Map<Long, Long>> spendCentsByCampaignDay;
    private final Map<Long, Long> totalCentsByDay;

    private CostTable(final Map<String, Map<Long, Long>> byCampaign, final Map<Long, Long> byDay) {
        spendCentsByCampaignDay = byCampaign;
        totalCentsByDay = byDay;
    }

    public static CostTable empty() {
        return new CostTable(Collections.emptyMap(), Collections.emptyMap());
    }

    public static CostTable load(final Path path) {
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            return parse(reader, path.toString());
        } catch (final IOException e) {
            throw new UncheckedIOException("COST_TABLE_UNREADABLE " + path + ": " + e.getMessage(), e);
        }
    }

    public static CostTable parse(final Reader reader, final String source) throws IOException {
        final BufferedReader lines = reader instanceof BufferedReader ? (BufferedReader) reader : new BufferedReader(reader);
        final Map<String, Map<Long, Long>> byCampaign = new HashMap<>();
        final Map<String, Integer> firstLine = new HashMap<>();
        final Map<Long, Long> byDay = new HashMap<>();
        String line = lines.readLine();
        int number = 1;
        if (line == null || !stripBom(line).trim().equals(HEADER)) {
            throw new CostTableException("COST_TABLE_BAD_HEADER", source, 1,
                "the first line must be '" + HEADER + "', found '" + (line == null ? "" : line.trim()) + "'");
        }
        while ((line = lines.readLine()) != null) {
            number++;
            final String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            final String[] fields = trimmed.split(",", -1);
            if (fields.length != 3) {
                throw new CostTableException("COST_TABLE_BAD_LINE", source, number, "expected 3 fields "
                    + "campagna,giorno,spesa but found " + fields.length + " in '" + trimmed + "'");
            }
            final String campagna = fields[0].trim();
            if (campagna.isEmpty()) {
                throw new CostTableException("COST_TABLE_BAD_CAMPAIGN", source, number, "campagna is empty");
            }
            final long epochDay = parseDay(fields[1].trim(), source, number);
            final long cents = parseEuroCents(fields[2].trim(), source, number);
            final String key = campagna + '\n' + epochDay;
            final Integer previous = firstLine.putIfAbsent(key, number);
            if (previous != null) {
                throw new CostTableException("COST_TABLE_DUPLICATE_ROW", source, number, "campagna '" + campagna
                    + "' on " + fields[1].trim() + " already has a spend on line " + previous + "; keep one row");
            }
            byCampaign.computeIfAbsent(campagna, k -> new HashMap<>()).put(epochDay, cents);
            byDay.merge(epochDay, cents, Long::sum);
        }
        return new CostTable(byCampaign, byDay);
    }

    /** Exact spend in cents of a campaign on a UTC day ({@code LocalDate.toEpochDay()}), or {@link #UNKNOWN}. */
    public long spendCents(final String campagna, final long epochDay) {
        final Map<Long, Long> days = spendCentsByCampaignDay.get(campagna);
        final Long cents = days == null ? null : days.get(epochDay);
        return cents == null ? UNKNOWN : cents;
    }

    /** Spend of every campaign on a UTC day, or {@link #UNKNOWN} when the table has no row for that day. */
    public long totalSpendCents(final long epochDay) {
        final Long cents = totalCentsByDay.get(epochDay);
        return cents == null ? UNKNOWN : cents;
    }

    /** Spend of a campaign in the window starting at {@code windowStartMillis}, prorated to its length. */
    public long proratedSpendCents(final String campagna, final long windowStartMillis, final long windowLengthMs) {
        return WindowMetrics.proratedSpendCents(
            spendCents(campagna, Math.floorDiv(windowStartMillis, WindowConfig.DAY_MS)), windowLengthMs);
    }

    /** CPA in cents of a campaign in one window, or {@link WindowMetrics#NONE}. */
    public long cpaCents(
        final String campagna, final long windowStartMillis, final long windowLengthMs, final long conversions) {
        return WindowMetrics.cpaCents(spendCents(campagna, Math.floorDiv(windowStartMillis, WindowConfig.DAY_MS)),
            windowLengthMs, conversions);
    }

    public int campaignCount() {
        return spendCentsByCampaignDay.size();
    }

    static long parseDay(final String text, final String source, final int line) {
        try {
            return LocalDate.parse(text, DAY).toEpochDay();
        } catch (final DateTimeException e) {
            throw new CostTableException("COST_TABLE_BAD_DAY", source, line,
                "giorno '" + text + "' is not a UTC day written YYYY-MM-DD, e.g. 2024-07-15");
        }
    }

    static long parseEuroCents(final String text, final String source, final int line) {
        final int dot = text.indexOf('.');
        final boolean shaped = dot > 0 && dot == text.length() - 3 && dot <= 13 && allDigits(text, 0, dot)
            && allDigits(text, dot + 1, text.length());
        if (!shaped) {
            throw new CostTableException("COST_TABLE_BAD_SPEND", source, line, "spesa '" + text
                + "' must be euros with a dot and exactly 2 decimals, no sign or thousands separator, e.g. 1250.00");
        }
        final long cents = Long.parseLong(text.substring(0, dot)) * 100 + Long.parseLong(text.substring(dot + 1));
        if (cents > MAX_SPEND_CENTS) {
            throw new CostTableException("COST_TABLE_BAD_SPEND", source, line,
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
}
