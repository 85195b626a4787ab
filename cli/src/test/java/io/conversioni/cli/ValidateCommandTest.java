package io.conversioni.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValidateCommandTest {
    private static final String SCHEMA = Path.of("..", "config", "schema", "conversione.schema.json").toString();
    private static final String ARTICLE = "{\"id_cliente\": \"CLIENTE-ITALIA-789456\", \"evento\": \"richiesta_demo\", "
        + "\"timestamp\": \"2024-05-20T14:32:45.123Z\", \"valore\": 0.0, \"canale\": \"email\", \"stato\": \"completato\", "
        + "\"metadati\": { \"campagna\": \"Campagna_Email_Verano2024\", \"dispositivo\": \"iPad_pro\", \"localita\": \"Roma\" }}";

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static synchronized Run run(final String stdin, final String... args) {
        final InputStream in = System.in;
        final PrintStream out = System.out;
        final PrintStream err = System.err;
        final ByteArrayOutputStream o = new ByteArrayOutputStream();
        final ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            final int exit = ConversioniCommand.execute(args);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(in);
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void shouldPrintValidForEachValidLineSkipBlankLinesAndExitZero() {
        final Run r = run(ARTICLE + "\n\n   \r\n" + ARTICLE + "\r\n", "validate", "--schema", SCHEMA);
        assertEquals(0, r.exit, r.err);
        assertEquals("valid\nvalid\n", r.out);
    }

    @Test
    void shouldPrintInvalidWithTheViolationsAndExitOne() throws Exception {
        final Path input = dir.resolve("in.ndjson");
        Files.writeString(input, ARTICLE + "\n" + ARTICLE.replace("\"email\"", "\"fax\"") + "\n{\"id_cliente\": \n");
        final Run r = run("", "validate", "--schema", SCHEMA, input.toString());
        assertEquals(1, r.exit, r.err);
        final String[] lines = r.out.split("\n");
        assertEquals(3, lines.length, r.out);
        assertEquals("valid", lines[0]);
        assertEquals("invalid [{\"campo\":\"/canale\",\"codice\":\"enum\",\"messaggio\":\"must be one of "
            + "[\\\"email\\\",\\\"social_media\\\",\\\"webform\\\",\\\"sms\\\"]\"}]", lines[1]);
        assertTrue(lines[2].startsWith("invalid [{\"campo\":\"/id_cliente\",\"codice\":\"json\""), lines[2]);
    }

    @Test
    void shouldReadStdinWhenInputIsDash() {
        final Run r = run("{}\n", "validate", "--schema", SCHEMA, "-");
        assertEquals(1, r.exit);
        assertTrue(r.out.startsWith("invalid [{\"campo\":\"/id_cliente\",\"codice\":\"required\""), r.out);
    }

    @Test
    void shouldExitTwoForABadSchemaAMissingFileOrBadUsage() throws Exception {
        final Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"type\":\"object\",\"oneOf\":[]}");
        final Run badSchema = run("", "validate", "--schema", bad.toString());
        assertEquals(2, badSchema.exit);
        assertTrue(badSchema.err.contains("\"oneOf\" is not supported"), badSchema.err);
        assertEquals("", badSchema.out);

        final Run missingSchema = run("", "validate", "--schema", dir.resolve("nope.json").toString());
        assertEquals(2, missingSchema.exit);
        assertTrue(missingSchema.err.contains("schema file not found"), missingSchema.err);

        final Run missingInput = run("", "validate", "--schema", SCHEMA, dir.resolve("nope.ndjson").toString());
        assertEquals(2, missingInput.exit);
        assertTrue(missingInput.err.contains("input file not found"), missingInput.err);

        assertEquals(2, run("", "validate").exit);
        assertEquals(2, run("", "validate", "--schema", SCHEMA, "--bogus").exit);
        assertEquals(2, run("", "validate", "--schema", SCHEMA, "--max-depth", "0").exit);
    }

    @Test
    void shouldWarnOnStderrAboutUnknownKeywordsButStillValidate() throws Exception {
        final Path schema = dir.resolve("article.json");
        Files.writeString(schema, "{\"type\":\"object\",\"properties\":{\"valore\":{\"type\":\"number\",\"precision\":2}}}");
        final Run r = run("{\"valore\": 1.234}\n", "validate", "--schema", schema.toString());
        assertEquals(0, r.exit);
        assertEquals("valid\n", r.out);
        assertTrue(r.err.contains("unknown keyword \"precision\""), r.err);
    }
}
