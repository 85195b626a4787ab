package io.conversioni.reconcile;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a CRM export in CSV: UTF-8 (a BOM is skipped), a header line naming the columns, one conversion per
 * line. Required columns, in any order: {@code id_cliente, evento, canale, timestamp, valore}; others (stato,
 * campagna, ...) are ignored. Separator {@code ,} or {@code ;} (taken from the header); fields may be quoted
 * with {@code "} ({@code ""} inside is a quote); blank lines and lines starting with {@code #} are skipped.
 * A malformed line refuses the whole file with {@code file:line} and the reason, so a half-read export is
 * never reconciled. Any thread; allocates per line.
 */
public final class CsvCrmExport {
    public static final List<String> REQUIRED = List.of("id_cliente", "evento", "canale", "timestamp", "valore");

    private CsvCrmExport() {
    }

    public static List<LedgerEvent> read(final Path file) throws CrmSourceException {
        final String name = file.getFileName().toString();
        final List<LedgerEvent> out = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file),
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)))) {
            int lineNumber = 0;
            int[] columns = null;
            char separator = ',';
            int width = 0;
            String line;
            while ((line = in.readLine()) != null) {
                lineNumber++;
                if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                final String where = name + ":" + lineNumber;
                if (columns == null) {
                    separator = line.indexOf(';') >= 0 && line.indexOf(',') < 0 ? ';' : ',';
                    final List<String> header = split(line, separator, where);
                    width = header.size();
                    columns = header(header, where);
                    continue;
                }
                final List<String> cells = split(line, separator, where);
                if (cells.size() != width) {
                    throw new CrmSourceException("csv_riga", where + ": " + cells.size() + " fields, the header has "
                        + width);
                }
                try {
                    out.add(LedgerEvent.of(CrmValues.required("id_cliente", cells.get(columns[0])),
                        CrmValues.required("evento", cells.get(columns[1])),
                        CrmValues.required("canale", cells.get(columns[2])),
                        CrmValues.timestampMillis(cells.get(columns[3])), CrmValues.cents(cells.get(columns[4])), where));
                } catch (IllegalArgumentException e) {
                    throw new CrmSourceException("csv_riga", where + ": " + e.getMessage());
                }
            }
            if (columns == null) {
                throw new CrmSourceException("csv_intestazione", name + ":1: no header line; the first line must name "
                    + "the columns " + String.join(",", REQUIRED));
            }
        } catch (CharacterCodingException e) {
            throw new CrmSourceException("csv_lettura", name + ": not UTF-8 text");
        } catch (IOException e) {
            throw new CrmSourceException("csv_lettura", "cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static int[] header(final List<String> header, final String where) throws CrmSourceException {
        final int[] columns = new int[REQUIRED.size()];
        final List<String> names = new ArrayList<>();
        header.forEach(h -> names.add(h.trim().toLowerCase(Locale.ROOT)));
        final List<String> missing = new ArrayList<>();
        for (int i = 0; i < columns.length; i++) {
            columns[i] = names.indexOf(REQUIRED.get(i));
            if (columns[i] < 0) {
                missing.add(REQUIRED.get(i));
            } else if (names.lastIndexOf(REQUIRED.get(i)) != columns[i]) {
                throw new CrmSourceException("csv_intestazione", where + ": column " + REQUIRED.get(i) + " appears twice");
            }
        }
        if (!missing.isEmpty()) {
            throw new CrmSourceException("csv_intestazione", where + ": the header lacks " + String.join(", ", missing)
                + " (required: " + String.join(",", REQUIRED) + "; was '" + String.join(",", header) + "')");
        }
        return columns;
    }

    /** Splits one line: RFC 4180 quoting, no line breaks inside fields. */
    static List<String> split(final String line, final char separator, final String where) throws CrmSourceException {
        final List<String> out = new ArrayList<>();
        final StringBuilder cell = new StringBuilder();
        int i = 0;
        while (true) {
            cell.setLength(0);
            if (i < line.length() && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= line.length()) {
                        throw new CrmSourceException("csv_riga", where + ": a quoted field is not closed");
                    }
                    final char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < line.length() && line.charAt(i) == '"') {
                            cell.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        cell.append(c);
                    }
                }
                if (i < line.length() && line.charAt(i) != separator) {
                    throw new CrmSourceException("csv_riga", where + ": text after a closing quote at column " + (i + 1));
                }
            } else {
                while (i < line.length() && line.charAt(i) != separator) {
                    cell.append(line.charAt(i++));
                }
            }
            out.add(cell.toString());
            if (i >= line.length()) {
                return out;
            }
            i++; // the separator
        }
    }
}
