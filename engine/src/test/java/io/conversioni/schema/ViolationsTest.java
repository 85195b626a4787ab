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
