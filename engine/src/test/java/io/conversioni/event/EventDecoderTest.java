package io.conversioni.event;

import io.conversioni.schema.SchemaException;
import io.conversioni.schema.Violations;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventDecoderTest {
    static final Path SHIPPED_SCHEMA = Path.of("..", "config", "schema", "conversione.schema.json");

    /** The seed article's example event, byte for byte as published. */
    static final String ARTICLE_EVENT = "{  \n"
        + "  \"id_cliente\": \"CLIENTE-ITALIA-789456\",  \n"
        + "  \"evento\": \"richiesta_demo\",  \n"
        + "  \"timestamp\": \"2024-05-20T14:32:45.123Z\",  \n"
        + "  \"valore\": 0.0,  \n"
        + "  \"canale\": \"email\",  \n"
        + "  \"stato\": \"completato\",  \n"
        + "  \"metadati\": { \"campagna\": \"Campagna_Email_Verano2024\", \"dispositivo\": \"iPad_pro\", \"localita\": \"Roma\" }  \n"
        + "}";

    private final ConversionEvent event = new ConversionEvent();
    private final Violations violations = new Violations();

    private boolean decode(final EventDecoder decoder, final String json) {
        final byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return decoder.decode(body, 0, body.length, event, violations);
    }

    @Test
    void shouldAcceptTheArticleExampleAndBindEveryField() throws SchemaException {
        final EventSchema schema = EventSchema.compile(SHIPPED_SCHEMA);
        assertTrue(schema.compiled().warnings().isEmpty(), schema.compiled().warnings().toString());
        assertTrue(decode(schema.newDecoder(), ARTICLE_EVENT), violations.toString());
        assertEquals("CLIENTE-ITALIA-789456", event.text(ConversionEvent.ID_CLIENTE));
        assertEquals("richiesta_demo", schema.eventi().get(event.eventoOrdinal()));
        assertEquals("email", schema.canali().get(event.canaleOrdinal()));
        assertEquals("completato", schema.stati().get(event.statoOrdinal()));
        assertEquals(Instant.parse("2024-05-20T14:32:45.123Z").toEpochMilli(), event.timestampMillis());
        assertEquals(0, event.valoreCents());
        assertEquals("Campagna_Email_Verano2024", event.text(ConversionEvent.CAMPAGNA));
        assertEquals("iPad_pro", event.text(ConversionEvent.DISPOSITIVO));
        assertEquals("Roma", event.text(ConversionEvent.LOCALITA));
    }

    @Test
    void shouldKeepMoneyAsExactCentsAndNormaliseOffsets() throws SchemaException {
        final EventDecoder decoder = EventSchema.compile(SHIPPED_SCHEMA).newDecoder();
        assertTrue(decode(decoder, "{\"id_cliente\":\"CLIENTE-ROMA-123456\",\"evento\":\"acquisto_concluso\","
            + "\"timestamp\":\"2024-05-20T16:32:45+02:00\",\"valore\":19.99,\"canale\":\"sms\",\"stato\":\"completato\"}"),
            violations.toString());
        assertEquals(1999, event.valoreCents());
        assertEquals(Instant.parse("2024-05-20T14:32:45Z").toEpochMilli(), event.timestampMillis());
        assertFalse(event.has(ConversionEvent.CAMPAGNA));
        assertEquals(3, event.canaleOrdinal());
    }

    @Test
    void shouldRejectWhatTheArticleSchemaLetThrough() throws SchemaException {
        final EventDecoder decoder = EventSchema.compile(SHIPPED_SCHEMA).newDecoder();
        assertFalse(decode(decoder, ARTICLE_EVENT.replace("\"Roma\"", "42")));
        assertEquals("/metadati/localita", violations.campo(0).toString());
        assertFalse(decode(decoder, ARTICLE_EVENT.replace("0.0", "19.999")));
        assertEquals("multipleOf", violations.codice(0));
        assertFalse(decode(decoder, ARTICLE_EVENT.replace("\"Roma\"", "\"Roma\", \"x\": 1")));
        assertEquals("/metadati/x", violations.campo(0).toString());
    }

    @Test
    void shouldRefuseASchemaThatCannotFeedTheEngine() {
        final String noCents = "{\"type\":\"object\",\"required\":[\"id_cliente\",\"evento\",\"timestamp\",\"valore\",\"canale\",\"stato\"],"
            + "\"properties\":{\"id_cliente\":{\"type\":\"string\"},\"evento\":{\"enum\":[\"a\"]},\"canale\":{\"enum\":[\"c\"]},"
            + "\"stato\":{\"enum\":[\"s\"]},\"timestamp\":{\"format\":\"date-time\"},\"valore\":{\"type\":\"number\"},"
            + "\"metadati\":{\"properties\":{\"campagna\":{},\"dispositivo\":{},\"localita\":{}}}}}";
        final SchemaException e = assertThrows(SchemaException.class,
            () -> EventSchema.compile(noCents.getBytes(StandardCharsets.UTF_8), "test"));
        assertTrue(e.getMessage().contains("valore") && e.getMessage().contains("multipleOf"), e.getMessage());
        final String fixed = noCents.replace("\"valore\":{\"type\":\"number\"}", "\"valore\":{\"type\":\"number\",\"multipleOf\":0.05}");
        final SchemaException noEnum = assertThrows(SchemaException.class, () -> EventSchema.compile(
            fixed.replace("\"evento\":{\"enum\":[\"a\"]}", "\"evento\":{\"type\":\"string\"}").getBytes(StandardCharsets.UTF_8), "t"));
        assertTrue(noEnum.getMessage().contains("\"evento\""), noEnum.getMessage());
    }

    /**
     * One holder reused for events of other bodies, in turn (the pipeline's shared holders): a field read from its
     * body, a field copied because it had escapes, then the same field plain again, and a field that went absent.
     */
    @Test
    void aReusedHolderReadsEachFieldFromItsOwnBodyOrCopy() throws SchemaException {
        final EventDecoder decoder = EventSchema.compile(SHIPPED_SCHEMA).newDecoder();
        final String escaped = "{\"id_cliente\":\"CLIENTE-\\u0052OMA-123456\",\"evento\":\"acquisto_concluso\","
            + "\"timestamp\":\"2024-05-20T16:32:45+02:00\",\"valore\":19.99,\"canale\":\"sms\",\"stato\":\"completato\","
            + "\"metadati\":{\"campagna\":\"Primavera\"}}";
        assertTrue(decode(decoder, escaped), violations.toString());
        assertEquals("CLIENTE-ROMA-123456", event.text(ConversionEvent.ID_CLIENTE));
        assertEquals("Primavera", event.text(ConversionEvent.CAMPAGNA));
        final long copiedHash = event.hash(ConversionEvent.ID_CLIENTE);

        assertTrue(decode(decoder, ARTICLE_EVENT), violations.toString());
        assertEquals("CLIENTE-ITALIA-789456", event.text(ConversionEvent.ID_CLIENTE));
        assertEquals("Campagna_Email_Verano2024", event.text(ConversionEvent.CAMPAGNA));

        final byte[] plain = ("{\"id_cliente\":\"CLIENTE-ROMA-123456\",\"evento\":\"acquisto_concluso\","
            + "\"timestamp\":\"2024-05-20T16:32:45+02:00\",\"valore\":19.99,\"canale\":\"sms\","
            + "\"stato\":\"completato\"}").getBytes(StandardCharsets.UTF_8);
        assertTrue(decoder.decode(plain, 0, plain.length, event, violations), violations.toString());
        assertEquals("CLIENTE-ROMA-123456", event.text(ConversionEvent.ID_CLIENTE));
        assertTrue(event.bytes(ConversionEvent.ID_CLIENTE) == plain, "a plain field is a range of its body");
        assertEquals(copiedHash, event.hash(ConversionEvent.ID_CLIENTE), "the same text, copied or not");
        assertFalse(event.has(ConversionEvent.CAMPAGNA));
        assertEquals(0, event.length(ConversionEvent.CAMPAGNA));
        assertEquals(null, event.text(ConversionEvent.CAMPAGNA));
    }
}
