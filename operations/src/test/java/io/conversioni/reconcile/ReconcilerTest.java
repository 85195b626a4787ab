package io.conversioni.reconcile;

import io.conversioni.config.EngineConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real journal with a seeded mismatch, replayed read-only, against a CRM export read from a real file. */
@Timeout(60)
class ReconcilerTest {
    @TempDir
    static Path data;

    private static EngineConfig config;

    @BeforeAll
    static void record() throws Exception {
        config = RecordedJournal.config();
        RecordedJournal.record(data);
    }

    private static ReconciliationResult reconcile(final String csv) throws Exception {
        final Path file = Files.writeString(data.resolveSibling(data.getFileName() + "-crm.csv"), csv);
        final List<LedgerEvent> crm = CsvCrmExport.read(file);
        return Reconciler.compare(EngineLedger.replay(config, data, RecordedJournal.WINDOW, RecordedJournal.WINDOW_END),
            crm, file.getFileName().toString());
    }

    @Test
    void shouldNameTheMissingTheExtraAndTheValueChangedEventAndNotCountTheDuplicate() throws Exception {
        final ReconciliationResult r = reconcile(RecordedJournal.crmExport());
        assertFalse(r.agrees());
        assertEquals(1, r.windowsCompared());
        assertEquals(List.of(new PairKey(RecordedJournal.WINDOW, "richiesta_demo", "sms")), r.matched());
        assertEquals(1, r.mismatches().size(), ReconciliationFormat.table(r));
        final Mismatch m = r.mismatches().get(0);
        assertEquals("2024-05-20T14:30:00Z/acquisto_concluso/email", m.key().alertKey());
        assertEquals(4, m.motore().count());
        assertEquals(10_000, m.motore().valueCents());
        assertEquals(4, m.crm().count());
        assertEquals(13_500, m.crm().valueCents());
        assertEquals(1, m.mancanti().size());
        assertEquals("CLIENTE-ROMA-000006", m.mancanti().get(0).event().idCliente());
        assertNull(m.mancanti().get(0).esitoMotore(), "the engine never received it");
        assertEquals(1, m.inPiu().size(), "the re-delivered duplicate of A is not an extra event");
        assertEquals("CLIENTE-ROMA-000003", m.inPiu().get(0).idCliente());
        assertEquals(1, m.valoreDiverso().size());
        assertEquals("CLIENTE-ROMA-000004", m.valoreDiverso().get(0).crm().idCliente());
        assertEquals(4_000, m.valoreDiverso().get(0).motore().valoreCents());
        assertEquals(4_500, m.valoreDiverso().get(0).crm().valoreCents());
        assertTrue(m.valoreDiverso().get(0).crm().origine().endsWith("-crm.csv:4"), m.valoreDiverso().get(0).crm().origine());
        final String json = ReconciliationFormat.json(r);
        assertTrue(json.contains("\"esito\":\"discorda\""), json);
        assertTrue(json.contains("\"mancanti\":[{\"id_cliente\":\"CLIENTE-ROMA-000006\",\"evento\":\"acquisto_concluso\","
            + "\"canale\":\"email\",\"timestamp\":\"2024-05-20T14:33:00Z\",\"valore\":60.00,"), json);
        assertTrue(json.contains("\"valore_motore\":40.00,\"valore_crm\":45.00"), json);
        final String table = ReconciliationFormat.table(r);
        assertTrue(table.contains("in più    CLIENTE-ROMA-000003"), table);
    }

    @Test
    void shouldAgreeWhenTheCrmListsWhatTheEngineCountedInAnotherOrderAndTimeZone() throws Exception {
        final ReconciliationResult r = reconcile("valore;timestamp;canale;evento;id_cliente\n"
            + "0;2024-05-20T16:32:00+02:00;sms;richiesta_demo;CLIENTE-ROMA-000005\n"
            + "40.00;2024-05-20T14:31:30Z;email;acquisto_concluso;CLIENTE-ROMA-000004\n"
            + "\"30.00\";2024-05-20T14:31:20Z;email;acquisto_concluso;CLIENTE-ROMA-000003\n"
            + "# a comment\n\n"
            + "20;2024-05-20T14:31:10Z;email;acquisto_concluso;CLIENTE-ROMA-000002\n"
            + "10.0;2024-05-20T14:31:00Z;email;acquisto_concluso;CLIENTE-ROMA-000001\n");
        assertTrue(r.agrees(), ReconciliationFormat.table(r));
        assertEquals(2, r.matched().size());
    }

    @Test
    void shouldSayWhenTheEngineJudgedACrmEventADuplicate() throws Exception {
        final ReconciliationResult r = reconcile(RecordedJournal.crmExport()
            + "CLIENTE-ROMA-000001,acquisto_concluso,email,2024-05-20T14:32:00Z,15.00,completato\n");
        final Mismatch m = r.mismatches().get(0);
        assertEquals(2, m.mancanti().size());
        final Mismatch.Missing h = m.mancanti().get(1);
        assertEquals("2024-05-20T14:32:00Z", h.event().timestamp());
        assertTrue(h.esitoMotore() != null && h.esitoMotore().startsWith("duplicato (sequenza "), h.esitoMotore());
    }

    @Test
    void shouldSkipWindowsThatAreNotClosedYet() throws Exception {
        final ReconciliationResult r = Reconciler.compare(EngineLedger.replay(config, data, RecordedJournal.WINDOW,
            RecordedJournal.WINDOW + 3_600_000), List.of(), "vuoto");
        // 14:30 .. 15:30: the watermark (14:48:45) closed 14:30 .. 14:45, not 14:45 .. 15:30
        assertEquals(3, r.windowsCompared());
        assertEquals(9, r.openWindows());
        assertEquals(2, r.mismatches().size(), "the 14:30 window's purchases and its sms demo, none at the CRM");
        assertEquals(4, r.mismatches().get(0).inPiu().size());
    }
}
