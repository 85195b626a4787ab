package io.conversioni.ingress;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** NDJSON bodies split into their non-blank lines, trimmed, wherever the line ends fall against eight-byte words. */
class BatchSplitterTest {
    private static List<String> reference(final String body) {
        final List<String> lines = new ArrayList<>();
        for (final String line : body.split("\n", -1)) {
            final String trimmed = line.replaceAll("^[ \t\r\n]+|[ \t\r\n]+$", "");
            if (!trimmed.isEmpty()) {
                lines.add(trimmed);
            }
        }
        return lines;
    }

    private static List<String> split(final String body) {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        final BatchSplitter.Items items = BatchSplitter.split(bytes, true, 100_000);
        assertNull(items.error());
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < items.count(); i++) {
            lines.add(new String(bytes, items.start(i), items.length(i), StandardCharsets.UTF_8));
        }
        return lines;
    }

    @Test
    void shouldFindEveryLineEndAtEveryOffsetWithinAWord() {
        for (int pad = 0; pad < 24; pad++) {
            final String line = "{\"a\":\"" + "x".repeat(pad) + "\"}";
            final String body = line + "\n" + line + "\r\n\n  \n" + line;
            assertEquals(List.of(line, line, line), split(body), "lines of " + line.length() + " bytes");
            for (int end = 0; end <= body.length(); end++) {
                final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                final int expected = body.indexOf('\n', end) < 0 ? bytes.length : body.indexOf('\n', end);
                assertEquals(expected, BatchSplitter.newline(bytes, end), "from " + end + " in " + body);
            }
        }
    }

    @Test
    void shouldSplitRandomBodiesAsTheReferenceDoes() {
        final SplittableRandom random = new SplittableRandom(26);
        final String alphabet = "{}\":,abcè0123456789 \t\r\n\n\n";
        for (int round = 0; round < 2_000; round++) {
            final StringBuilder body = new StringBuilder();
            final int length = random.nextInt(200);
            for (int i = 0; i < length; i++) {
                body.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            assertEquals(reference(body.toString()), split(body.toString()), body.toString());
        }
    }

    @Test
    void shouldFindNoLineEndInBytesThatOnlyLookLikeOne() {
        // bytes one above and one below '\n', and bytes with the high bit set, in every lane of a word
        final byte[] body = {0x0b, 0x09, (byte) 0x8a, 0x0b, 0x09, (byte) 0x8a, 0x0b, 0x09, (byte) 0x8a, 0x0b};
        assertEquals(body.length, BatchSplitter.newline(body, 0));
        body[9] = '\n';
        assertEquals(9, BatchSplitter.newline(body, 0));
    }
}
