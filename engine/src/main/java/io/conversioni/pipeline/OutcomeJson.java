package io.conversioni.pipeline;

import com.dslplatform.json.JsonWriter;
import com.dslplatform.json.NumberConverter;
import io.conversioni.json.UtcInstant;

/**
 * The JSON object that answers one event: {@code {"esito":"accettato","sequenza":7,"finestra":"..."}},
 * {@code duplicato} with {@code duplicato_di}, {@code rifiutato} with {@code errori}, and so on. A cluster owner
 * sends it back as the verdict of a Kafka record, so that the receiving node answers with exactly the body a
 * single node would; the HTTP ingress's answer ({@code HttpOutcomes}) is this object too. It writes straight to
 * DSL-JSON's {@link JsonWriter} rather than through {@code io.conversioni.json.JsonBuilder}: it runs per event.
 *
 * <p>One instance per writing thread (the respond thread): it keeps a scratch buffer for instants. Allocates
 * nothing per event.
 */
public final class OutcomeJson {
    /** Where instants are formatted before they are copied into the writer. */
    private final byte[] instant = new byte[UtcInstant.MAX_LENGTH];
    /**
     * The instant {@link #instant} holds and its length: consecutive answers mostly name the same window (it changes
     * every windows.size), so the formatting is reused until the instant changes.
     */
    private long formattedMillis = Long.MIN_VALUE;
    private int formattedLength;

    /** The HTTP status of an event's answer: its outcome's, or 503 when the journal could not make it durable. */
    public static int httpStatus(final EventView event) {
        return event.durable() ? Outcome.httpStatus(event.outcome()) : 503;
    }

    /** Writes the answer object of {@code e} to {@code out}. */
    public void write(final JsonWriter out, final EventView e) {
        final int outcome = e.durable() ? e.outcome() : Outcome.JOURNAL_FAILED;
        out.writeAscii("{\"esito\":\"");
        out.writeAscii(Outcome.esito(outcome));
        out.writeAscii("\"");
        if (outcome != Outcome.JOURNAL_FAILED) {
            out.writeAscii(",\"sequenza\":");
            NumberConverter.serialize(e.sequence(), out);
        }
        switch (outcome) {
            case Outcome.ACCEPTED:
                instantField(out, "finestra", e.windowStartMillis());
                if (e.late()) {
                    out.writeAscii(",\"finestra_chiusa\":true");
                }
                break;
            case Outcome.DUPLICATE:
                out.writeAscii(",\"duplicato_di\":");
                NumberConverter.serialize(e.duplicateOfSequence(), out);
                instantField(out, "ricevuto_il", e.duplicateOfReceiveMillis());
                instantField(out, "finestra", e.windowStartMillis());
                break;
            case Outcome.REJECTED:
                out.writeAscii(",\"errori\":");
                e.violations().writeJson(out);
                break;
            case Outcome.FUTURE:
                out.writeAscii(",\"errori\":[{\"campo\":\"/timestamp\",\"codice\":\"nel_futuro\",\"messaggio\":"
                    + "\"the event is dated further in the future than windows.future_tolerance allows; check the "
                    + "sender's clock (NTP)\"}]");
                break;
            case Outcome.TOO_LATE:
                out.writeAscii(",\"errori\":[{\"campo\":\"/timestamp\",\"codice\":\"troppo_vecchio\",\"messaggio\":"
                    + "\"the event is older than the windows kept (windows.horizon): it is journaled but counted in no "
                    + "window; it is not quarantined, so requeue does not offer it; do not retry it, reconcile it offline "
                    + "if needed\"}]");
                break;
            case Outcome.JOURNAL_FAILED:
                out.writeAscii(",\"messaggio\":\"the journal could not store the event durably; retry later (a retry of "
                    + "an event that did arrive is answered as a duplicate)\"");
                break;
            default:
                out.writeAscii(",\"messaggio\":\"the event could not be processed; retry later\"");
        }
        out.writeByte(JsonWriter.OBJECT_END);
    }

    /** {@code ,"name":"2026-11-28T15:25:00Z"}, as {@code Instant.toString()} writes it, without allocating. */
    private void instantField(final JsonWriter out, final String name, final long epochMillis) {
        out.writeAscii(",\"");
        out.writeAscii(name);
        out.writeAscii("\":\"");
        if (epochMillis != formattedMillis) {
            formattedLength = UtcInstant.format(instant, 0, epochMillis);
            formattedMillis = epochMillis;
        }
        out.writeAscii(instant, formattedLength);
        out.writeByte(JsonWriter.QUOTE);
    }
}
