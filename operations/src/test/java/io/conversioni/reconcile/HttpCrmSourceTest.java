package io.conversioni.reconcile;

import io.conversioni.config.EngineConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CRM endpoint source against a real HTTP server on 127.0.0.1. */
@Timeout(60)
class HttpCrmSourceTest {
    private static final long FROM = Instant.parse("2024-05-20T14:00:00Z").toEpochMilli();
    private static final long TO = Instant.parse("2024-05-20T15:00:00Z").toEpochMilli();

    private LoopbackCrm crm;

    @BeforeEach
    void start() throws Exception {
        crm = new LoopbackCrm();
    }

    @AfterEach
    void stop() throws Exception {
        crm.close();
    }

    private HttpCrmSource source(final String extraYaml) throws Exception {
        final EngineConfig config = EngineConfig.parse("reconciliation:\n  source: http\n  http:\n    url: \"" + crm.url()
            + "\"\n    auth_header: X-Crm-Token\n    timeout: 500ms\n" + extraYaml, RecordedJournal.CONFIG_DIR);
        return new HttpCrmSource(ReconciliationSettings.read(config.reconciliation(), Path.of("data")).http(), "segreto");
    }

    @Test
    void shouldFetchTheRangeWithTheAuthHeaderAndMapTheCrmsFieldNames() throws Exception {
        crm.body = "{\"data\":{\"items\":[{\"cliente\":{\"id\":\"CLIENTE-ROMA-000001\"},\"tipo\":\"acquisto_concluso\","
            + "\"fonte\":\"email\",\"quando\":\"2024-05-20T14:31:00Z\",\"importo\":19.99},"
            + "{\"cliente\":{\"id\":\"CLIENTE-ROMA-000002\"},\"tipo\":\"richiesta_demo\",\"fonte\":\"sms\","
            + "\"quando\":1716215460000,\"importo\":\"0\"}]}}";
        final List<LedgerEvent> events = source("    events: /data/items\n    fields:\n      id_cliente: /cliente/id\n"
            + "      evento: tipo\n      canale: fonte\n      timestamp: quando\n      valore: importo\n").fetch(FROM, TO);
        assertEquals(2, events.size());
        assertEquals(LedgerEvent.of("CLIENTE-ROMA-000001", "acquisto_concluso", "email",
            Instant.parse("2024-05-20T14:31:00Z").toEpochMilli(), 1999, events.get(0).origine()), events.get(0));
        assertEquals(1716215460000L, events.get(1).timestampMillis());
        assertEquals("da=2024-05-20T14%3A00%3A00Z&a=2024-05-20T15%3A00%3A00Z", crm.queries.get(0));
        assertEquals("segreto", crm.authHeaders.get(0));
    }

    @Test
    void shouldFailClearlyOnAnErrorStatusATimeoutAndAnUnexpectedAnswer() throws Exception {
        final HttpCrmSource source = source("");
        crm.status = 503;
        CrmSourceException e = assertThrows(CrmSourceException.class, () -> source.fetch(FROM, TO));
        assertEquals("crm_http", e.code());
        assertTrue(e.getMessage().endsWith("/conversioni answered HTTP 503 (expected 200)"), e.getMessage());
        crm.status = 200;
        crm.delayMillis = 2_000;
        e = assertThrows(CrmSourceException.class, () -> source.fetch(FROM, TO));
        assertTrue(e.getMessage().endsWith("did not answer within 500 ms"), e.getMessage());
        crm.delayMillis = 0;
        crm.body = "{\"eventi\":{}}";
        e = assertThrows(CrmSourceException.class, () -> source.fetch(FROM, TO));
        assertEquals("crm_risposta", e.code());
        assertTrue(e.getMessage().contains("no array at '/eventi'"), e.getMessage());
        crm.body = "{\"eventi\":[{\"id_cliente\":\"CLIENTE-ROMA-000001\",\"evento\":\"acquisto_concluso\","
            + "\"canale\":\"email\",\"timestamp\":\"2024-05-20T14:31:00Z\",\"valore\":1.001}]}";
        e = assertThrows(CrmSourceException.class, () -> source.fetch(FROM, TO));
        assertTrue(e.getMessage().endsWith("item 0: valore '1.001' has more than two decimals (money is exact cents) "
            + "(check reconciliation.http.fields)"), e.getMessage());
        crm.body = "{\"eventi\":[";
        e = assertThrows(CrmSourceException.class, () -> source.fetch(FROM, TO));
        assertTrue(e.getMessage().contains("answered malformed JSON"), e.getMessage());
    }

    @Test
    void shouldRefuseAnHttpSourceWithoutAUsableUrl() {
        final Exception e = assertThrows(io.conversioni.config.ConfigException.class, () -> ReconciliationSettings.read(
            EngineConfig.parse("reconciliation:\n  source: http\n  http:\n    url: ftp://crm/x\n", RecordedJournal.CONFIG_DIR)
                .reconciliation(), Path.of("data")));
        assertTrue(e.getMessage().contains("reconciliation.http.url must be an http(s) URL"), e.getMessage());
    }
}
