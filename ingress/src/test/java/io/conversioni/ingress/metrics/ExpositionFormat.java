package io.conversioni.ingress.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small checker for the Prometheus text exposition format 0.0.4: each line against the grammar (HELP,
 * TYPE, sample with escaped label values and a float value), then the structure (one TYPE per family,
 * before its samples, samples of a family together, summary, histogram and counter naming). Test code; allocates freely.
 */
final class ExpositionFormat {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private static final String VALUE = "(?:NaN|[+-]Inf|[+-]?[0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (?:[^\\\\\\n]|\\\\[\\\\n])*");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|summary|histogram|untyped)");
    private static final Pattern SAMPLE = Pattern.compile(
        "(" + NAME + ")(\\{" + LABEL + "(?:," + LABEL + ")*\\})? " + VALUE + "(?: -?[0-9]+)?");

    private ExpositionFormat() {
    }

    /** Every problem found, each naming its 1-based line; empty when the text is well formed. */
    static List<String> problems(final String text) {
        final List<String> problems = new ArrayList<>();
        if (!text.endsWith("\n")) {
            problems.add("the exposition must end with a newline");
        }
        final Set<String> typed = new HashSet<>();
        final Set<String> helped = new HashSet<>();
        final Set<String> finished = new HashSet<>();
        String family = null;
        String type = null;
        final String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            final String line = lines[i];
            final String at = "line " + (i + 1) + " [" + line + "]: ";
            final Matcher help = HELP.matcher(line);
            final Matcher typeLine = TYPE.matcher(line);
            final Matcher sample = SAMPLE.matcher(line);
            if (help.matches()) {
                if (!helped.add(help.group(1))) {
                    problems.add(at + "second HELP for " + help.group(1));
                }
            } else if (typeLine.matches()) {
                final String name = typeLine.group(1);
                if (!typed.add(name)) {
                    problems.add(at + "second TYPE for " + name);
                }
                if (family != null) {
                    finished.add(family);
                }
                family = name;
                type = typeLine.group(2);
                if (type.equals("counter") && !name.endsWith("_total")) {
                    problems.add(at + "a counter's name must end in _total");
                }
            } else if (sample.matches()) {
                final String name = sample.group(1);
                final String labels = sample.group(2) == null ? "" : sample.group(2);
                if (family == null || !belongs(name, labels, family, type)) {
                    problems.add(at + "sample outside its family (last TYPE: " + family + ")");
                }
                if (finished.contains(name)) {
                    problems.add(at + "samples of " + name + " are not together");
                }
            } else if (!line.startsWith("#") || line.startsWith("# HELP") || line.startsWith("# TYPE")) {
                problems.add(at + "not a HELP, TYPE, comment or sample line");
            }
        }
        return problems;
    }

    private static boolean belongs(final String name, final String labels, final String family, final String type) {
        if (type.equals("histogram")) {
            return name.equals(family + "_bucket") && labels.contains("le=\"")
                || name.equals(family + "_sum") || name.equals(family + "_count");
        }
        if (!type.equals("summary")) {
            return name.equals(family);
        }
        return name.equals(family) && labels.contains("quantile=\"")
            || name.equals(family + "_sum") || name.equals(family + "_count");
    }
}
