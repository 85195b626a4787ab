package io.conversioni.json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonCursorTest {
    private final JsonCursor cursor = new JsonCursor();

    private void on(final byte[] bytes) {
        cursor.reset(bytes, 0, bytes.length);
    }

    private void on(final String text) {
        on(text.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0, 0", "-0, 0, 0", "19.99, 1999, -2", "1.50, 15, -1", "100, 1, 2", "0.0, 0, 0",
        "1e2, 1, 2", "1.0E+2, 1, 2", "-2.5e-3, -25, -4", "0.010, 1, -2", "123456789012345678, 123456789012345678, 0",
        "1000000000000000000000, 1, 21", "0.000001, 1, -6", "10.01, 1001, -2"})
    void shouldReadNumbersExactly(final String text, final long unscaled, final int exponent) {
        on(text);
        cursor.peek();
        cursor.readNumber();
        cursor.expectEnd();
        assertTrue(cursor.numberInRange(), text);
        assertEquals(unscaled, cursor.unscaled(), text);
        assertEquals(exponent, cursor.exponent(), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1234567890123456789", "1e400", "-1e-400", "0.1234567890123456789"})
    void shouldFlagNumbersThatCannotBeHeldExactly(final String text) {
        on(text);
        cursor.peek();
        cursor.readNumber();
        assertFalse(cursor.numberInRange(), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"01", "-", "1.", ".5", "1e", "1e+", "-a", "--1"})
    void shouldRejectMalformedNumbers(final String text) {
        on(text);
        assertThrows(JsonSyntaxException.class, () -> {
            cursor.peek();
            if (cursor.peek() == '-' || Character.isDigit(cursor.peek())) {
                cursor.readNumber();
            } else {
                throw cursor.fail("not a number");
            }
            cursor.expectEnd();
        }, text);
    }

    @Test
    void shouldDecodeEscapesAndCountCodePoints() {
        on("\"a\\n\\u00e8\\ud83d\\ude00\\/\u00e9\uD83D\uDE00\"");
        cursor.peek();
        cursor.readString();
        assertEquals("a\n\u00e8\uD83D\uDE00/\u00e9\uD83D\uDE00", cursor.stringValue());
        assertEquals(7, cursor.codePoints());
    }

    @Test
    void shouldHashTheSameTextTheSameWhetherEscapedOrNot() {
        on("\"\\u0052oma\"");
        cursor.peek();
        cursor.readString();
        final long escaped = cursor.hash();
        on("\"Roma\"");
        cursor.peek();
        cursor.readString();
        assertEquals(cursor.hash(), escaped);
    }

    @ParameterizedTest
    @ValueSource(strings = {"C0 80", "ED A0 80", "F5 80 80 80", "E2 82", "80", "F0 8F BF BF", "FF"})
    void shouldRejectInvalidUtf8(final String hex) {
        final String[] parts = hex.split(" ");
        final byte[] bytes = new byte[parts.length + 2];
        bytes[0] = '"';
        for (int i = 0; i < parts.length; i++) {
            bytes[i + 1] = (byte) Integer.parseInt(parts[i], 16);
        }
        bytes[bytes.length - 1] = '"';
        on(bytes);
        cursor.peek();
        assertThrows(JsonSyntaxException.class, cursor::readString, hex);
        assertTrue(cursor.errorMessage().contains("UTF-8"), cursor.errorMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\x\"", "\"\\u12g4\"", "\"abc", "\"a\tb\""})
    void shouldRejectBadEscapesControlCharactersAndUnterminatedStrings(final String text) {
        on(text);
        cursor.peek();
        assertThrows(JsonSyntaxException.class, cursor::readString, text);
    }

    @Test
    void shouldViewStringsWithoutEscapesInPlace() {
        final byte[] input = "[\"Roma \u00e8 bella\", \"plain ascii text longer than eight\"]".getBytes(StandardCharsets.UTF_8);
        on(input);
        cursor.peek();
        cursor.advance();
        cursor.peek();
        cursor.readString();
        assertTrue(cursor.stringBytes() == input, "non-ASCII without escapes is not copied");
        assertEquals("Roma \u00e8 bella", cursor.stringValue());
        assertEquals(12, cursor.codePoints());
        assertFalse(cursor.isAscii());
        cursor.expect(',', "comma");
        cursor.peek();
        cursor.readString();
        assertTrue(cursor.stringBytes() == input && cursor.isAscii());
        assertEquals("plain ascii text longer than eight", cursor.stringValue());
    }

    @Test
    void shouldReadLiteralsAndRejectLookalikes() {
        on("true");
        assertEquals('t', cursor.readLiteral());
        on("nul");
        assertThrows(JsonSyntaxException.class, cursor::readLiteral);
        on("falsey");
        assertThrows(JsonSyntaxException.class, cursor::readLiteral);
    }

    @Test
    void shouldSkipALeadingByteOrderMark() {
        on(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'n', 'u', 'l', 'l'});
        assertEquals('n', cursor.readLiteral());
        cursor.expectEnd();
    }

    @Test
    void shouldReportTheByteOffsetOfAnError() {
        on("  [1,x");
        cursor.peek();
        cursor.advance();
        cursor.peek();
        cursor.readNumber();
        cursor.expect(',', "comma");
        final JsonSyntaxException e = assertThrows(JsonSyntaxException.class, cursor::expectEnd);
        assertEquals(cursor.errorOffset(), 5);
        assertTrue(e.getStackTrace().length == 0, "control-flow exception has no stack trace");
    }

    @Test
    void sameBytesAgreesWithArraysEqualsForEveryLengthOffsetAndDifferingPosition() {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int length = 0; length <= 40; length++) {
            for (int trial = 0; trial < 20; trial++) {
                final int aFrom = random.nextInt(9);
                final int bFrom = random.nextInt(9);
                final byte[] a = new byte[aFrom + length + random.nextInt(3)];
                random.nextBytes(a);
                final byte[] b = new byte[bFrom + length + random.nextInt(3)];
                random.nextBytes(b);
                System.arraycopy(a, aFrom, b, bFrom, length);
                assertTrue(JsonCursor.sameBytes(a, aFrom, b, bFrom, length), "equal, length " + length);
                for (int at = 0; at < length; at++) {
                    final byte saved = b[bFrom + at];
                    b[bFrom + at] ^= (byte) (1 << random.nextInt(8));
                    assertFalse(JsonCursor.sameBytes(a, aFrom, b, bFrom, length), "differs at " + at + " of " + length);
                    assertEquals(java.util.Arrays.equals(a, aFrom, aFrom + length, b, bFrom, bFrom + length),
                        JsonCursor.sameBytes(a, aFrom, b, bFrom, length));
                    b[bFrom + at] = saved;
                }
            }
        }
    }

    @Test
    void peekSkipsEveryKindOfWhiteSpaceAndStopsAtBytesBelowASpace() {
        final byte[] json = " \t\r\n x\u0001".getBytes(StandardCharsets.ISO_8859_1);
        final JsonCursor cursor = new JsonCursor();
        cursor.reset(json, 0, json.length);
        assertEquals('x', cursor.peek());
        cursor.advance();
        assertEquals(1, cursor.peek(), "a control byte is not white space: the parser must see it and refuse it");
    }

    @Test
    void hashPairGivesTheTwoHashesOfOnePassEachLengthAndOffset() {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(26);
        final byte[] bytes = new byte[64];
        final long[] pair = new long[2];
        for (int round = 0; round < 2000; round++) {
            random.nextBytes(bytes);
            final int from = random.nextInt(16);
            final int length = random.nextInt(bytes.length - from + 1);
            final long seedA = random.nextLong();
            final long seedB = random.nextLong();
            JsonCursor.hashPair(bytes, from, length, seedA, seedB, pair);
            assertEquals(JsonCursor.hash(bytes, from, length, seedA), pair[0], "seed A, from " + from + ", length " + length);
            assertEquals(JsonCursor.hash(bytes, from, length, seedB), pair[1], "seed B, from " + from + ", length " + length);
        }
    }

    /**
     * The hashes are stored: dedupe keys in snapshots and the campaign dictionary's. Their values may never change
     * between versions (pinned from the code of 2026-12-07, before hashPair).
     */
    @Test
    void theHashesOfKnownTextsDoNotChange() {
        final byte[] text = "CRM-000123richiesta_demo".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xee6b49bf647fc682L, JsonCursor.hash(text, 0, text.length));
        assertEquals(0x7a5ca06229101804L, JsonCursor.hash(text, 4, 6, 0x243F6A8885A308D3L));
        final long[] pair = new long[2];
        JsonCursor.hashPair(text, 0, text.length, 0x243F6A8885A308D3L, 0x13198A2E03707344L, pair);
        assertEquals(0xa909250a1345cd36L, pair[0]);
        assertEquals(0x89d1cf55029de90aL, pair[1]);
    }
}
