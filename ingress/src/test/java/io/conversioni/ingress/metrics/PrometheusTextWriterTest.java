package io.conversioni.ingress.metrics;

import io.conversioni.metrics.PrometheusTextWriter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PrometheusTextWriterTest {
    private final StringBuilder out = new StringBuilder();
    private final PrometheusTextWriter w = new PrometheusTextWriter(out);

    @Test
    void shouldEscapeBackslashDoubleQuoteAndNewlineInLabelValues() {
        w.family("m", PrometheusTextWriter.GAUGE, "help");
        w.sample("m").label("a", "C:\\dir \"quoted\"\nnext").label("b", "plain").value(1);
        assertEquals("m{a=\"C:\\\\dir \\\"quoted\\\"\\nnext\",b=\"plain\"} 1\n", out.toString().split("\n", 3)[2]);
        assertEquals(List.of(), ExpositionFormat.problems(out.toString()));
    }

    @Test
    void shouldEscapeBackslashAndNewlineButNotQuotesInHelpText() {
        w.family("m", PrometheusTextWriter.COUNTER, "a \\ b\n\"c\"");
        assertEquals("# HELP m a \\\\ b\\n\"c\"\n# TYPE m counter\n", out.toString());
    }

    @Test
    void shouldSpellSpecialFloatsAsPrometheusDoesAndOthersWithoutLocale() {
        w.family("g", PrometheusTextWriter.GAUGE, "h");
        w.sample("g").label("k", "nan").value(Double.NaN);
        w.sample("g").label("k", "inf").value(Double.POSITIVE_INFINITY);
        w.sample("g").label("k", "-inf").value(Double.NEGATIVE_INFINITY);
        w.sample("g").label("k", "small").value(1.5e-4);
        w.sample("g").label("k", "big").value(1716215565.123);
        w.sample("g", "").value(-2L);
        assertEquals(List.of("g{k=\"nan\"} NaN", "g{k=\"inf\"} +Inf", "g{k=\"-inf\"} -Inf", "g{k=\"small\"} 1.5E-4",
            "g{k=\"big\"} 1.716215565123E9", "g -2"), List.of(out.toString().split("\n")).subList(2, 8));
        assertEquals(List.of(), ExpositionFormat.problems(out.toString()));
    }
}
