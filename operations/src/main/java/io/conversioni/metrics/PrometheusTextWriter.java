package io.conversioni.metrics;

/**
 * Appends Prometheus text-format (0.0.4) lines to a caller's {@link StringBuilder}: {@code # HELP} and
 * {@code # TYPE} headers, then samples built as {@code sample(name).label(k, v)...value(x)}. Label values
 * and help text are escaped on the way in, character by character, so nothing is allocated per line.
 *
 * <p>Threading: one thread at a time (the owner of the builder). Allocation: none; the builder grows as
 * needed and may be reused after {@code setLength(0)}. The caller keeps names valid
 * ({@code [a-zA-Z_:][a-zA-Z0-9_:]*}); they are written as given.
 */
public final class PrometheusTextWriter {
    public static final String COUNTER = "counter";
    public static final String GAUGE = "gauge";
    public static final String SUMMARY = "summary";
    public static final String HISTOGRAM = "histogram";

    private final StringBuilder out;
    private boolean labelsOpen;

    public PrometheusTextWriter(final StringBuilder out) {
        this.out = out;
    }

    /** Starts a metric family: its help line (backslash and newline escaped) and its type line. */
    public PrometheusTextWriter family(final String name, final String type, final String help) {
        out.append("# HELP ").append(name).append(' ');
        for (int i = 0; i < help.length(); i++) {
            final char c = help.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (c == '\n') {
                out.append("\\n");
            } else {
                out.append(c);
            }
        }
        out.append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** Starts one sample line; follow with any {@link #label} calls and exactly one {@code value}. */
    public PrometheusTextWriter sample(final String name) {
        out.append(name);
        labelsOpen = false;
        return this;
    }

    /** Starts one sample line whose name is {@code family + suffix} (a histogram's _bucket, _sum and _count). */
    public PrometheusTextWriter sample(final String family, final String suffix) {
        out.append(family).append(suffix);
        labelsOpen = false;
        return this;
    }

    /** Adds {@code name="value"} with backslash, double quote and newline escaped as the format requires. */
    public PrometheusTextWriter label(final String name, final CharSequence value) {
        out.append(labelsOpen ? ',' : '{').append(name).append("=\"");
        labelsOpen = true;
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (c == '"') {
                out.append("\\\"");
            } else if (c == '\n') {
                out.append("\\n");
            } else {
                out.append(c);
            }
        }
        out.append('"');
        return this;
    }

    /** Ends the sample line with an integer value. */
    public void value(final long value) {
        closeLabels();
        out.append(value).append('\n');
    }

    /** Ends the sample line with a float value: {@code NaN}, {@code +Inf}, {@code -Inf} or Java's decimal form. */
    public void value(final double value) {
        closeLabels();
        if (Double.isNaN(value)) {
            out.append("NaN");
        } else if (value == Double.POSITIVE_INFINITY) {
            out.append("+Inf");
        } else if (value == Double.NEGATIVE_INFINITY) {
            out.append("-Inf");
        } else {
            out.append(value); // Double.toString: locale-free, e.g. 0.5, 1.0E-4, 1.716215565123E9
        }
        out.append('\n');
    }

    private void closeLabels() {
        if (labelsOpen) {
            out.append('}');
            labelsOpen = false;
        }
        out.append(' ');
    }
}
