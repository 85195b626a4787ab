package io.conversioni.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dslplatform.json.DslJson;
import com.dslplatform.json.JsonWriter;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

class ViolationsTest {
    private static String json(final Violations v) {
        final JsonWriter w = new DslJson<>().newWriter(256);
        v.writeJson(w);
        return new String(Arrays.copyOf(w.getByteBuffer(), w.size()), StandardCharsets.UTF_8);
    }

    /**
     * A slot's first violation must not allocate: a builder made then is a young object held by an old ring
     * slot, which every young collection copies until it promotes (the GC pauses this doubled under 2 %
     * invalid traffic). Many fresh instances each take one violation, as a cold ring's slots do.
     */
    @Test
    void theFirstViolationOfAFreshInstanceAllocatesNothing() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        final int n = 2_000;
        final Violations[] fresh = new Violations[n];
        for (int round = 0; round < 3; round++) { // the last round measures, after the first two warmed the code
            for (int i = 0; i < n; i++) {
                fresh[i] = new Violations();
            }
            final long baseline = threads.getThreadAllocatedBytes(thread);
            final long baselineAgain = threads.getThreadAllocatedBytes(thread);
            final long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < n; i++) {
                final int at = fresh[i].add("enum");
                fresh[i].campoBuilder(at).append("/canale");
                fresh[i].messageBuilder(at).append("must be one of [email, sms]");
            }
            final long allocated = threads.getThreadAllocatedBytes(thread) - before - (baselineAgain - baseline);
            if (round == 2) {
                // two lazily made builders would be 2000 × ~250 bytes
                assertTrue(allocated < 20_000, "bytes allocated by 2000 first violations: " + allocated);
            }
        }
        assertEquals("/canale", fresh[n - 1].campo(0).toString());
    }

    @Test
    void reusedIndexesStartEmptyAfterClearAndUnusedOnesStayOutOfTheAnswer() {
        final Violations v = new Violations();
        assertEquals("[]", json(v));
        v.add("enum", "/canale", "must be one of [email, sms]");
        v.add("maxLength", "/metadati/localita", "longer than 128 characters");
        v.clear();
        v.add("required", "/stato", "missing");

        assertEquals(1, v.size());
        assertEquals("/stato", v.campo(0).toString());
        assertEquals("missing", v.messaggio(0).toString());
        assertEquals("[{\"campo\":\"/stato\",\"codice\":\"required\",\"messaggio\":\"missing\"}]", json(v));
    }

    @Test
    void countsBeyondCapacityWithoutStoringThem() {
        final Violations v = new Violations();
        for (int i = 0; i < Violations.CAPACITY + 3; i++) {
            v.add("type", "/a/" + i, "wrong type " + i);
        }
        assertEquals(Violations.CAPACITY, v.size());
        assertEquals(Violations.CAPACITY + 3, v.total());
        assertEquals("/a/" + (Violations.CAPACITY - 1), v.campo(Violations.CAPACITY - 1).toString());
        assertTrue(json(v).endsWith("{\"campo\":\"\",\"codice\":\"too_many_violations\",\"messaggio\":\"3 more violations not listed\"}]"));
    }
}
