package io.conversioni.cli;

import com.dslplatform.json.DslJson;
import com.dslplatform.json.JsonWriter;
import io.conversioni.schema.CompiledSchema;
import io.conversioni.schema.SchemaException;
import io.conversioni.schema.SchemaValidator;
import io.conversioni.schema.Violations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code conversioni validate --schema FILE [INPUT]}: validates NDJSON, one line out per value.
 * Contract (outside tools rely on it): {@code valid} or {@code invalid [violations]} per non-blank line;
 * exit 0 all valid, 1 any invalid, 2 bad schema, missing file or bad usage (message on stderr).
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = {"Validate NDJSON events against a JSON Schema.",
        "Prints one line per non-blank input line: 'valid', or 'invalid' and a JSON array of violations",
        "({\"campo\": JSON Pointer, \"codice\": keyword or code, \"messaggio\": text}).",
        "Exit status: 0 all valid, 1 some invalid, 2 bad schema, missing file or bad usage."})
final class ValidateCommand implements Callable<Integer> {
    @Option(names = "--schema", required = true, paramLabel = "FILE", description = "JSON Schema (draft 2020-12 subset).")
    private Path schemaFile;

    @Option(names = "--max-depth", paramLabel = "N", defaultValue = "32",
        description = "Deepest nesting accepted (default: ${DEFAULT-VALUE}).")
    private int maxDepth;

    @Parameters(index = "0", arity = "0..1", paramLabel = "INPUT",
        description = "NDJSON file; stdin when absent or '-'.")
    private String input;

    @Override
    public Integer call() throws IOException {
        final CompiledSchema schema;
        try {
            schema = CompiledSchema.compile(schemaFile);
        } catch (SchemaException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        if (maxDepth < 1 || maxDepth > 1000) {
            System.err.println("error: --max-depth must be between 1 and 1000, was " + maxDepth);
            return 2;
        }
        for (String warning : schema.warnings()) {
            System.err.println("warning: " + warning);
        }
        final byte[] data;
        if (input == null || input.equals("-")) {
            data = readAll(System.in);
        } else {
            try {
                data = Files.readAllBytes(Path.of(input));
            } catch (NoSuchFileException e) {
                System.err.println("error: input file not found: " + input);
                return 2;
            }
        }
        final PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);
        final int status = validateLines(schema.newValidator(maxDepth), data, out);
        out.flush();
        return status;
    }

    /** Validates each non-blank line of {@code data}; returns 0 when all are valid, else 1. */
    static int validateLines(final SchemaValidator validator, final byte[] data, final OutputStream out)
        throws IOException {
        final Violations violations = new Violations();
        final JsonWriter writer = new DslJson<>().newWriter(4096);
        boolean anyInvalid = false;
        int lineStart = 0;
        while (lineStart < data.length) {
            int lineEnd = lineStart;
            while (lineEnd < data.length && data[lineEnd] != '\n') {
                lineEnd++;
            }
            int end = lineEnd;
            if (end > lineStart && data[end - 1] == '\r') {
                end--;
            }
            if (!isBlank(data, lineStart, end)) {
                writer.reset();
                if (validator.validate(data, lineStart, end - lineStart, violations)) {
                    writer.writeAscii("valid");
                } else {
                    anyInvalid = true;
                    writer.writeAscii("invalid ");
                    violations.writeJson(writer);
                }
                writer.writeByte((byte) '\n');
                out.write(writer.getByteBuffer(), 0, writer.size());
            }
            lineStart = lineEnd + 1;
        }
        return anyInvalid ? 1 : 0;
    }

    private static boolean isBlank(final byte[] data, final int from, final int to) {
        for (int i = from; i < to; i++) {
            final byte b = data[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static byte[] readAll(final InputStream in) throws IOException {
        final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        in.transferTo(buffer);
        return buffer.toByteArray();
    }
}
