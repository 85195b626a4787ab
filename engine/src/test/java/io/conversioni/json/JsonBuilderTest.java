package io.conversioni.json;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonBuilderTest {
    @Test
    void shouldPlaceCommasBetweenMembersAndElementsAtEveryDepth() {
        final String json = new JsonBuilder().beginObject().field("a", 1).name("b").beginArray().value(true)
            .beginObject().endObject().beginArray().endArray().nullValue().endArray().field("c", "x")
            .nullField("d").rawField("e", "{\"f\":2}").endObject().toString();
        assertEquals("{\"a\":1,\"b\":[true,{},[],null],\"c\":\"x\",\"d\":null,\"e\":{\"f\":2}}", json);
    }

    @Test
    void shouldWriteMoneyWithTwoDecimalsAndInstantsAsInstantDoes() {
        final JsonBuilder b = new JsonBuilder(4).beginArray();
        for (final long cents : new long[] {0, 5, 10, 99, 100, 1205, -5, -1205, 123_456_789_01L}) {
            b.money(cents);
        }
        b.instant(0).instant(1_764_343_672_882L).instant(-1).endArray();
        assertEquals("[0.00,0.05,0.10,0.99,1.00,12.05,-0.05,-12.05,123456789.01,\"" + Instant.ofEpochMilli(0) + "\",\""
            + Instant.ofEpochMilli(1_764_343_672_882L) + "\",\"" + Instant.ofEpochMilli(-1) + "\"]", b.toString());
    }

    @Test
    void shouldWriteDoublesAsDoubleToStringAndNullWhenNotFinite() {
        final String json = new JsonBuilder().beginArray().value(0.5).value(1e-4).value(12.0).value(Double.NaN)
            .value(Double.POSITIVE_INFINITY).endArray().toString();
        assertEquals("[0.5,1.0E-4,12.0,null,null]", json);
    }

    @Test
    void shouldEscapeStringsSoThatAReaderGetsThemBack() {
        final Random random = new Random(24);
        for (int round = 0; round < 2000; round++) {
            final StringBuilder s = new StringBuilder();
            for (int i = random.nextInt(12); i > 0; i--) {
                final int kind = random.nextInt(4);
                s.appendCodePoint(kind == 0 ? random.nextInt(0x20) : kind == 1 ? "\"\\/é€".charAt(random.nextInt(5))
                    : kind == 2 ? 0x1F600 + random.nextInt(40) : 0x20 + random.nextInt(0x60));
            }
            final String json = new JsonBuilder().beginObject().field(s.toString(), s.toString()).endObject().toString();
            assertEquals(Map.of(s.toString(), s.toString()), JsonTree.parse(json), json);
        }
    }

    @Test
    void shouldEscapeOnlyQuoteAndBackslashAmongPrintableCharactersAndWriteTheRestAsUtf8() {
        for (char c = 0x20; c < 0xFFFF; c++) {
            if (Character.isSurrogate(c)) {
                continue;
            }
            final String expected = c == '"' ? "\"\\\"\"" : c == '\\' ? "\"\\\\\"" : "\"" + c + "\"";
            assertEquals(expected, new JsonBuilder(8).value(String.valueOf(c)).toString(), "U+" + Integer.toHexString(c));
        }
        assertEquals("\"\\n\\r\\t\\b\\f\\u0000\\u001F\"",
            new JsonBuilder().value("\n\r\t\b\f\u0000\u001f").toString());
    }

    @Test
    void shouldWriteAQuestionMarkForAnUnpairedSurrogateAsGetBytesDoes() {
        assertEquals("[\"a?b\",\"?\",\"x\uD83D\uDE00\"]",
            new JsonBuilder().beginArray().value("a\uD800b").value("\uDC00").value("x\uD83D\uDE00").endArray().toString());
    }

    @Test
    void shouldStartAfreshAfterReset() {
        final JsonBuilder b = new JsonBuilder();
        b.beginObject().field("a", 1);
        b.reset().beginArray().value("x").endArray();
        assertEquals("[\"x\"]", b.toString());
        assertEquals(List.of("x"), JsonTree.parse(new String(b.toBytes(), java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void shouldRefuseAValueWithoutItsNameAndUnbalancedEnds() {
        assertThrows(IllegalStateException.class, () -> new JsonBuilder().beginObject().value(1));
        assertThrows(IllegalStateException.class, () -> new JsonBuilder().beginArray().name("a"));
        assertThrows(IllegalStateException.class, () -> new JsonBuilder().beginArray().endObject());
        assertThrows(IllegalStateException.class, () -> new JsonBuilder().endArray());
        assertThrows(IllegalStateException.class, () -> new JsonBuilder().beginObject().name("a").endObject());
        final JsonBuilder deep = new JsonBuilder();
        for (int i = 0; i < JsonBuilder.MAX_DEPTH; i++) {
            deep.beginArray();
        }
        assertThrows(IllegalStateException.class, deep::beginArray);
        for (int i = 0; i < JsonBuilder.MAX_DEPTH; i++) {
            deep.endArray();
        }
        assertEquals("[".repeat(JsonBuilder.MAX_DEPTH) + "]".repeat(JsonBuilder.MAX_DEPTH), deep.toString());
    }

    @Test
    void shouldQuoteOneString() {
        assertEquals("\"a \\\"b\\\" \\\\ \\n\"", JsonBuilder.quote("a \"b\" \\ \n"));
        assertEquals(new BigDecimal("1.5"), JsonTree.parse(new JsonBuilder().raw("1.5").toString()));
    }
}
