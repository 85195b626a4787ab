package io.conversioni.ingress.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The test-side format checker must itself catch what it is there to catch. */
class ExpositionFormatTest {
    @Test
    void shouldAcceptAWellFormedExposition() {
        final String text = "# HELP a_total Things, with a \\\\ and a \\n.\n# TYPE a_total counter\n"
            + "a_total{k=\"v \\\" \\\\ \\n\"} 3\n# TYPE s summary\ns{quantile=\"0.5\"} NaN\ns_sum 0.0\ns_count 0\n"
            + "# TYPE g gauge\ng 1.5E-4\ng{x=\"y\"} -Inf\n"
            + "# TYPE h histogram\nh_bucket{k=\"v\",le=\"0.001\"} 1\nh_bucket{k=\"v\",le=\"+Inf\"} 2\nh_sum{k=\"v\"} 0.5\n"
            + "h_count{k=\"v\"} 2\n";
        assertEquals(List.of(), ExpositionFormat.problems(text));
    }

    @Test
    void shouldFlagBadEscapesBadValuesStraySamplesAndCountersWithoutTotal() {
        assertEquals(1, ExpositionFormat.problems("# TYPE g gauge\ng{k=\"\\q\"} 1\n").size());
        assertEquals(1, ExpositionFormat.problems("# TYPE g gauge\ng 1,5\n").size());
        assertEquals(1, ExpositionFormat.problems("# TYPE g gauge\nh 1\n").size());
        assertEquals(1, ExpositionFormat.problems("# TYPE c counter\nc 1\n").size());
        assertEquals(1, ExpositionFormat.problems("# TYPE g gauge\ng 1").size());
        assertEquals(2, ExpositionFormat.problems("# TYPE g gauge\ng 1\n# TYPE h gauge\nh 1\ng 2\n").size());
        assertEquals(2, ExpositionFormat.problems("# TYPE h histogram\nh 1\nh_bucket 1\nh_count 1\n").size());
    }
}
