package io.conversioni.delivery;

import io.conversioni.alert.Alert;
import io.conversioni.jobs.JobStatus;
import io.conversioni.jobs.JobsJson;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The bytes of the records the alert journal, the delivery queue and {@code GET /api/v1/jobs} hold, pinned:
 * field order, instants, numbers without exponent, nulls and escaped text.
 */
class JsonRecordsTest {
    private static final long T = 1_764_343_672_882L;

    private static final String OPEN_ALERT =
        "{\"id\":\"id-1\",\"regola\":\"picco_duplicati\",\"chiave\":\"email/\\\"x\\\"\\n\\u0001\u00e9\\t\\\\\",\"stato\""
        + ":\"aperto\",\"aperto_il\":\"2025-11-28T15:27:52.882Z\",\"risolto_il\":null,\"messaggio\":\"messaggio \\\"q\\\""
        + " \\\\ \u20ac\\r\",\"valore\":12.5,\"soglia\":null}";

    private static final String RESOLVED_ALERT =
        "{\"id\":\"id-2\",\"regola\":\"r\",\"chiave\":\"k\",\"stato\":\"risolto\",\"aperto_il\":\"2025-11-28T15:27:52Z\""
        + ",\"risolto_il\":\"2025-11-28T15:28:53.883Z\",\"messaggio\":\"m\",\"valore\":3,\"soglia\":100000000000000000000"
        + "}";

    private static final String SMALL_ALERT =
        "{\"id\":\"id-3\",\"regola\":\"r\",\"chiave\":\"k\",\"stato\":\"risolto\",\"aperto_il\":\"2025-11-28T15:27:52.8"
        + "82Z\",\"risolto_il\":\"2025-11-28T15:27:52.882Z\",\"messaggio\":\"m\",\"valore\":0.000123,\"soglia\":-7}";

    private static final String INFINITE_ALERT =
        "{\"id\":\"id-4\",\"regola\":\"r\",\"chiave\":\"k\",\"stato\":\"risolto\",\"aperto_il\":\"2025-11-28T15:27:52.8"
        + "82Z\",\"risolto_il\":\"2025-11-28T15:27:52.883Z\",\"messaggio\":\"m\",\"valore\":null,\"soglia\":1000000000000"
        + "000.5}";

    private static final String DELIVERY_ITEM =
        "{\"id\":\"id\",\"sink\":\"sink \\\"s\\\"\",\"regola\":\"regola\",\"titolo\":\"titolo \\\"t\\\"\",\"testo\":\"t"
        + "esto\\nline\",\"creato_il\":\"2025-11-28T15:27:52.882Z\",\"tentativi\":3,\"prossimo_tentativo\":\"2025-11-28T1"
        + "5:27:57.882Z\",\"ultimo_errore\":\"err \\\"x\\\"\",\"corpo\":\"{\\\"id\\\":\\\"id-1\\\",\\\"regola\\\":\\\"pic"
        + "co_duplicati\\\",\\\"chiave\\\":\\\"email/\\\\\\\"x\\\\\\\"\\\\n\\\\u0001\u00e9\\\\t\\\\\\\\\\\",\\\"stato\\\""
        + ":\\\"aperto\\\",\\\"aperto_il\\\":\\\"2025-11-28T15:27:52.882Z\\\",\\\"risolto_il\\\":null,\\\"messaggio\\\":\\\""
        + "messaggio \\\\\\\"q\\\\\\\" \\\\\\\\ \u20ac\\\\r\\\",\\\"valore\\\":12.5,\\\"soglia\\\":null}\"}";

    private static final String JOBS =
        "{\"jobs\":[{\"nome\":\"report\",\"intervallo\":\"2m\",\"ultima_esecuzione\":null,\"prossima_esecuzione\":\"202"
        + "5-11-28T15:27:52.882Z\",\"esito\":\"ok\",\"ultimo_errore\":null},{\"nome\":\"r\\\"x\",\"intervallo\":null,\"ul"
        + "tima_esecuzione\":\"2025-11-28T15:27:52.882Z\",\"prossima_esecuzione\":null,\"esito\":\"errore\",\"ultimo_erro"
        + "re\":\"boom \\\"x\\\"\\n\"},{\"nome\":\"h\",\"intervallo\":\"1h\",\"ultima_esecuzione\":\"1970-01-01T00:00:00Z"
        + "\",\"prossima_esecuzione\":\"1970-01-01T00:00:01Z\",\"esito\":\"\",\"ultimo_errore\":\"\"}]}";

    private static final String NO_JOBS =
        "{\"jobs\":[]}";

    @Test
    void shouldWriteAlertsAsTheJournalAndTheApiReadThem() {
        final Alert open = new Alert("id-1", "picco_duplicati", "email/\"x\"\n\u0001\u00e9\t\\", T, -1,
            "messaggio \"q\" \\ \u20ac\r", 12.5, Double.NaN);
        assertEquals(OPEN_ALERT, open.toJson());
        assertEquals(open, Alert.fromJson(open.toJson()));
        assertEquals(RESOLVED_ALERT, new Alert("id-2", "r", "k", T - 882, T + 61_001, "m", 3.0, 1e20).toJson());
        assertEquals(SMALL_ALERT, new Alert("id-3", "r", "k", T, T, "m", 0.000123, -7.0).toJson());
        assertEquals(INFINITE_ALERT, new Alert("id-4", "r", "k", T, T + 1, "m", Double.POSITIVE_INFINITY, 1e15 + 0.5)
            .toJson());
    }

    @Test
    void shouldWriteADeliveryRecordThatReadsBackAsTheSameItem() {
        final Alert open = new Alert("id-1", "picco_duplicati", "email/\"x\"\n\u0001\u00e9\t\\", T, -1,
            "messaggio \"q\" \\ \u20ac\r", 12.5, Double.NaN);
        final DeliveryItem item = new DeliveryItem("id", "sink \"s\"", "regola", "titolo \"t\"", "testo\nline",
            open.toJson(), T);
        item.attempts = 3;
        item.nextAttemptMillis = T + 5000;
        item.lastError = "err \"x\"";
        assertEquals(DELIVERY_ITEM, item.toJson());
        assertEquals(DELIVERY_ITEM, DeliveryItem.fromJson(item.toJson()).toJson());
    }

    @Test
    void shouldListJobsWithNullForWhatIsNotKnown() {
        assertEquals(JOBS, JobsJson.render(List.of(new JobStatus("report", 120_000, -1, T, "ok", null),
            new JobStatus("r\"x", 0, T, -1, "errore", "boom \"x\"\n"), new JobStatus("h", 3_600_000, 0, 1000, "", ""))));
        assertEquals(NO_JOBS, JobsJson.render(List.of()));
    }
}
