package io.conversioni.reconcile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CsvCrmExportTest {
    private static final String HEADER = "id_cliente,evento,canale,timestamp,valore\n";
    private static final String GOOD = "CLIENTE-ROMA-000001,acquisto_concluso,email,2024-05-20T14:31:00Z,10.00\n";

    @TempDir
    Path dir;

    private String refusal(final String text) throws Exception {
        final Path file = Files.writeString(dir.resolve("export.csv"), text);
        return assertThrows(CrmSourceException.class, () -> CsvCrmExport.read(file)).getMessage();
    }

    @Test
    void shouldReadQuotedFieldsABomAndExtraColumns() throws Exception {
        final Path file = Files.writeString(dir.resolve("export.csv"), "\uFEFFnote,id_cliente,evento,canale,timestamp,valore\n"
            + "\"detto \"\"ciao\"\", poi\",CLIENTE-ROMA-000001,acquisto_concluso,email,2024-05-20T14:31:00.5Z,19.99\n");
        final List<LedgerEvent> events = CsvCrmExport.read(file);
        assertEquals(1, events.size());
        assertEquals(1999, events.get(0).valoreCents());
        assertEquals("2024-05-20T14:31:00.500Z", events.get(0).timestamp());
        assertEquals("export.csv:2", events.get(0).origine());
    }

    @Test
    void shouldRefuseEachMalformedLineNamingFileAndLine() throws Exception {
        assertEquals("export.csv:3: valore '12.345' has more than two decimals (money is exact cents)",
            refusal(HEADER + GOOD + "CLIENTE-ROMA-000002,acquisto_concluso,email,2024-05-20T14:31:00Z,12.345\n"));
        assertEquals("export.csv:2: timestamp 'ieri' is not an RFC 3339 instant such as 2024-05-20T14:32:45.123Z",
            refusal(HEADER + "CLIENTE-ROMA-000002,acquisto_concluso,email,ieri,1\n"));
        assertEquals("export.csv:4: 4 fields, the header has 5",
            refusal(HEADER + GOOD + "\n" + "CLIENTE-ROMA-000002,acquisto_concluso,email,2024-05-20T14:31:00Z\n"));
        assertEquals("export.csv:2: a quoted field is not closed", refusal(HEADER + "\"CLIENTE,x,y,z,1\n"));
        assertEquals("export.csv:2: valore '-1' must be between 0 and 1000000000",
            refusal(HEADER + "CLIENTE-ROMA-000002,acquisto_concluso,email,2024-05-20T14:31:00Z,-1\n"));
        assertEquals("export.csv:2: evento is empty", refusal(HEADER + "CLIENTE-ROMA-000002,,email,2024-05-20T14:31:00Z,1\n"));
        assertEquals("export.csv:2: valore 'dieci' is not a number such as 19.99",
            refusal(HEADER + "CLIENTE-ROMA-000002,acquisto_concluso,email,2024-05-20T14:31:00Z,dieci\n"));
    }

    @Test
    void shouldRefuseAMissingOrIncompleteHeader() throws Exception {
        assertEquals("export.csv:1: no header line; the first line must name the columns "
            + "id_cliente,evento,canale,timestamp,valore", refusal("\n# nothing\n"));
        assertEquals("export.csv:1: the header lacks valore (required: id_cliente,evento,canale,timestamp,valore; "
            + "was 'id_cliente,evento,canale,timestamp')", refusal("id_cliente,evento,canale,timestamp\n"));
        assertEquals("export.csv:2: the header lacks id_cliente, evento, canale, timestamp, valore (required: "
            + "id_cliente,evento,canale,timestamp,valore; was 'CLIENTE-ROMA-000001,acquisto_concluso,email,"
            + "2024-05-20T14:31:00Z,10.00')", refusal("# no header, data first\n" + GOOD));
    }

    @Test
    void shouldRefuseTextThatIsNotUtf8() throws Exception {
        final Path file = dir.resolve("latin1.csv");
        Files.write(file, (HEADER + "CLIENTE-CITT\u00C0-000001,acquisto_concluso,email,2024-05-20T14:31:00Z,1\n")
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertEquals("latin1.csv: not UTF-8 text",
            assertThrows(CrmSourceException.class, () -> CsvCrmExport.read(file)).getMessage());
    }
}
