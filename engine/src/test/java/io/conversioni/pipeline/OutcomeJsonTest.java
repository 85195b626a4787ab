package io.conversioni.pipeline;

import com.dslplatform.json.DslJson;
import com.dslplatform.json.JsonWriter;
import io.conversioni.event.ConversionEvent;
import io.conversioni.schema.Violations;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The answer object a cluster owner sends back as a verdict is, field for field and in order, the one the HTTP
 * ingress answers with (the strings below are the ingress's, as its tests and the API document them).
 */
class OutcomeJsonTest {
    private static final long WINDOW = Instant.parse("2024-05-20T14:30:00Z").toEpochMilli();
    private static final long FIRST = Instant.parse("2024-05-20T14:32:45.123Z").toEpochMilli();

    /** A fixed view of one decided event, in window {@code windowStartMillis} ({@link #WINDOW} unless named). */
    private record View(int outcome, boolean durable, boolean late, long windowStartMillis) implements EventView {
        View(final int outcome, final boolean durable, final boolean late) {
            this(outcome, durable, late, WINDOW);
        }

        @Override public long sequence() { return 7; }
        @Override public long receiveMillis() { return FIRST + 1000; }
        @Override public long duplicateOfSequence() { return 3; }
        @Override public long duplicateOfReceiveMillis() { return FIRST; }
        @Override public Violations violations() { return new Violations(); }
        @Override public ConversionEvent event() { return new ConversionEvent(); }
        @Override public byte[] body() { return new byte[0]; }
        @Override public int bodyOffset() { return 0; }
        @Override public int bodyLength() { return 0; }
    }

    private static String write(final EventView view) {
        return write(new OutcomeJson(), view);
    }

    @Test
    void shouldWriteEachOutcomeAsTheHttpAnswerDoes() {
        assertEquals("{\"esito\":\"accettato\",\"sequenza\":7,\"finestra\":\"2024-05-20T14:30:00Z\"}",
            write(new View(Outcome.ACCEPTED, true, false)));
        assertEquals("{\"esito\":\"accettato\",\"sequenza\":7,\"finestra\":\"2024-05-20T14:30:00Z\",\"finestra_chiusa\":true}",
            write(new View(Outcome.ACCEPTED, true, true)));
        assertEquals("{\"esito\":\"duplicato\",\"sequenza\":7,\"duplicato_di\":3,\"ricevuto_il\":\"2024-05-20T14:32:45.123Z\","
            + "\"finestra\":\"2024-05-20T14:30:00Z\"}", write(new View(Outcome.DUPLICATE, true, false)));
        assertEquals("{\"esito\":\"rifiutato\",\"sequenza\":7,\"errori\":[]}", write(new View(Outcome.REJECTED, true, false)));
        assertEquals("{\"esito\":\"nel_futuro\",\"sequenza\":7,\"errori\":[{\"campo\":\"/timestamp\",\"codice\":\"nel_futuro\","
            + "\"messaggio\":\"the event is dated further in the future than windows.future_tolerance allows; check the "
            + "sender's clock (NTP)\"}]}", write(new View(Outcome.FUTURE, true, false)));
        assertEquals(422, OutcomeJson.httpStatus(new View(Outcome.TOO_LATE, true, false)));
        assertEquals(202, OutcomeJson.httpStatus(new View(Outcome.DUPLICATE, true, false)));
    }

    @Test
    void shouldNameEachAnswersOwnWindowWhenOneWriterAnswersInTurn() {
        final OutcomeJson answers = new OutcomeJson();
        final long next = WINDOW + 300_000;
        final String first = "\"finestra\":\"2024-05-20T14:30:00Z\"}";
        final String second = "\"finestra\":\"2024-05-20T14:35:00Z\"}";
        assertTrue(write(answers, new View(Outcome.ACCEPTED, true, false, WINDOW)).endsWith(first));
        assertTrue(write(answers, new View(Outcome.ACCEPTED, true, false, WINDOW)).endsWith(first));
        assertEquals("{\"esito\":\"duplicato\",\"sequenza\":7,\"duplicato_di\":3,\"ricevuto_il\":\"2024-05-20T14:32:45.123Z\","
            + first, write(answers, new View(Outcome.DUPLICATE, true, false, WINDOW)));
        assertTrue(write(answers, new View(Outcome.ACCEPTED, true, false, next)).endsWith(second));
        assertTrue(write(answers, new View(Outcome.ACCEPTED, true, false, WINDOW)).endsWith(first));
        assertEquals("{\"esito\":\"duplicato\",\"sequenza\":7,\"duplicato_di\":3,\"ricevuto_il\":\"2024-05-20T14:32:45.123Z\","
            + second, write(answers, new View(Outcome.DUPLICATE, true, false, next)));
    }

    private static String write(final OutcomeJson answers, final EventView view) {
        final JsonWriter out = new DslJson<>().newWriter(256);
        answers.write(out, view);
        return new String(out.getByteBuffer(), 0, out.size(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldAnswerAnEventTheJournalCouldNotMakeDurableAsUnavailable() {
        final View notDurable = new View(Outcome.ACCEPTED, false, false);
        assertEquals("{\"esito\":\"non_disponibile\",\"messaggio\":\"the journal could not store the event durably; retry "
            + "later (a retry of an event that did arrive is answered as a duplicate)\"}", write(notDurable));
        assertEquals(503, OutcomeJson.httpStatus(notDurable));
    }
}
