package io.conversioni.schema;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code \p{...}}, {@code \P{...}}, {@code \s}, {@code \v}, {@code \c} and code point escapes in {@code pattern}
 * with ECMA-262's {@code u}-flag meaning, checked through the compiled validator on real UTF-8 input (so code
 * points beyond the BMP go through the same path as events).
 */
class EcmaEscapesTest {
    private final Violations violations = new Violations();

    private static SchemaValidator validator(final String pattern) {
        final String schema = "{\"type\":\"string\",\"pattern\":\"" + pattern.replace("\\", "\\\\") + "\"}";
        try {
            return CompiledSchema.compile(schema.getBytes(StandardCharsets.UTF_8)).newValidator();
        } catch (SchemaException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private boolean matches(final String pattern, final String text) {
        final StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            quoted.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        final byte[] json = quoted.append('"').toString().getBytes(StandardCharsets.UTF_8);
        return validator(pattern).validate(json, 0, json.length, violations);
    }

    private static String codePoint(final int cp) {
        return new String(Character.toChars(cp));
    }

    @ParameterizedTest
    @ValueSource(strings = {"^\\p{Letter}+$", "^\\p{L}+$", "^\\p{gc=L}+$", "^\\p{General_Category=Letter}+$"})
    void shouldMatchLettersOfEveryScriptWhateverTheSpellingOfTheCategory(final String pattern) {
        assertTrue(matches(pattern, "Hello"));
        assertTrue(matches(pattern, "π"));
        assertTrue(matches(pattern, "école"));
        assertTrue(matches(pattern, codePoint(0x1D400)), "MATHEMATICAL BOLD CAPITAL A, beyond the BMP, is one letter");
        assertTrue(matches(pattern, codePoint(0x20000)), "a CJK ideograph beyond the BMP");
        assertFalse(matches(pattern, "123"));
        assertFalse(matches(pattern, "a b"));
        assertFalse(matches(pattern, codePoint(0x1F600)), "an emoji is not a letter");
    }

    @Test
    void shouldMatchOneCodePointBeyondTheBmpAsOneCharacterNotTwo() {
        assertTrue(matches("^\\p{L}$", codePoint(0x1D400)));
        assertFalse(matches("^\\p{L}{2}$", codePoint(0x1D400)));
        assertTrue(matches("^\\P{L}$", codePoint(0x1F600)));
        assertTrue(matches("^[\\p{So}]$", codePoint(0x1F600)));
    }

    @Test
    void shouldNegateWithCapitalPAndInsideClasses() {
        assertTrue(matches("^\\P{Letter}+$", "123 !"));
        assertFalse(matches("^\\P{Letter}+$", "12a"));
        assertTrue(matches("^[\\p{Lu}\\d]+$", "AB12"));
        assertFalse(matches("^[\\p{Lu}\\d]+$", "Ab12"));
        assertTrue(matches("^[^\\p{Nd}]+$", "abc"));
        assertFalse(matches("^[^\\p{Nd}]+$", "a" + "\u09ea"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "^\\p{digit}+$|42|true", "^\\p{digit}+$|\u09ea\u09e8|true", "^\\p{Nd}+$|\u09ea|true", "^\\d+$|\u09ea|false",
        "^\\p{Hex_Digit}+$|09afAF\uff10|true", "^\\p{Hex_Digit}$|\u09ea|false", "^\\p{AHex}+$|09afAF|true",
        "^\\p{AHex}$|\uff10|false", "^\\p{ASCII}+$|abc~|true", "^\\p{ASCII}$|é|false", "^\\P{ASCII}$|é|true",
        "^\\p{Any}$|\u2028|true", "^\\P{Any}$|a|false", "^[a\\P{Any}]$|a|true",
        "^\\p{White_Space}+$|\u00a0\u2003|true", "^\\p{Uppercase}+$|ÀB|true", "^\\p{Lower}$|B|false",
        "^\\p{Script=Greek}+$|αβγ|true", "^\\p{sc=Grek}+$|αβγ|true", "^\\p{sc=Greek}$|a|false",
        "^\\p{Script=Old_Italic}$|\uD800\uDF00|true", "^\\P{sc=Latn}$|α|true", "^\\p{Cased_Letter}$|ǅ|true",
        "^\\p{punct}$|!|true", "^\\p{Zs}$|\u2003|true"})
    void shouldGiveEachEcmaPropertyItsUnicodeMeaning(final String pattern, final String text, final boolean valid) {
        assertEquals(valid, matches(pattern, text), pattern + " on " + text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\p{letter}", "\\p{IsLetter}", "\\p{Latin}", "\\p{IsLatin}", "\\pL", "\\p{L", "\\p{}",
        "\\p{Script=greek}", "\\p{Script=Elvish}", "\\p{sc=L}", "\\p{Block=Greek}", "\\p{gc=Letters}",
        "\\p{javaLowerCase}", "\\p{Emoji}", "\\p{scx=Greek}", "\\p{Script_Extensions=Latin}"})
    void shouldRefuseAtCompileTimeWhatEcmaRejectsOrJavaCannotMatch(final String pattern) {
        final String schema = "{\"pattern\":\"" + pattern.replace("\\", "\\\\") + "\"}";
        final SchemaException e = assertThrows(SchemaException.class,
            () -> CompiledSchema.compile(schema.getBytes(StandardCharsets.UTF_8)), pattern);
        assertTrue(e.getMessage().contains("/pattern") && e.getMessage().contains("invalid regular expression"),
            e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "^\\s$|'\u00a0'|true", "^\\s$|'\ufeff'|true", "^\\s$|'\u2029'|true", "^\\s$|'\u2003'|true", "^\\s$|'\t'|true",
        "^\\s$|'\u0085'|false", "^\\s$|'\u200b'|false", "^\\S$|'\u00a0'|false", "^\\S$|'x'|true",
        "^[\\s]$|'\u3000'|true", "^[^\\s]$|'\u3000'|false", "^[^\\s]$|'x'|true", "^[x\\S]$|'\u00a0'|false",
        "^[\\S]$|'\u00a0'|false", "^\\v$|'\u000b'|true", "^\\v$|'\u2028'|false",
        "^\\cc$|'\u0003'|true", "^\\cC$|'\u0003'|true"})
    void shouldGiveWhiteSpaceVerticalTabAndControlEscapesTheirEcmaMeaning(final String pattern, final String text,
                                                                         final boolean valid) {
        assertEquals(valid, matches(pattern, text), pattern + " on U+" + Integer.toHexString(text.codePointAt(0)));
    }

    @Test
    void shouldReadACodePointInBracesAsOneCharacter() {
        assertTrue(matches("^\\u{1F600}$", codePoint(0x1F600)));
        assertTrue(matches("^[\\u{1F600}-\\u{1F64F}]+$", codePoint(0x1F600) + codePoint(0x1F64F)));
        assertFalse(matches("^\\u{1F600}$", "a"));
        assertTrue(matches("^\\u00e9$", "é"), "the four-digit form is Java's too");
    }

    @Test
    void shouldNameTheRightSpellingOfAMisspelledScript() {
        final SchemaException e = assertThrows(SchemaException.class, () -> CompiledSchema.compile(
            "{\"pattern\":\"\\\\p{Script=old_italic}\"}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("write Old_Italic"), e.getMessage());
    }

    @Test
    void shouldLeaveEscapedBackslashesBeforeAPAlone() {
        assertTrue(matches("^\\\\pL$", "\\\\pL"), "an escaped backslash followed by pL is literal text");
    }

    @Test
    void shouldNotAllocateWhenMatchingAPropertyEscape() {
        final SchemaValidator v = validator("^\\p{Letter}+ \\p{Nd}$");
        final byte[] doc = ("\"école " + "\u09ea\"").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 20_000; i++) {
            v.validate(doc, 0, doc.length, violations);
        }
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        final long before = threads.getCurrentThreadAllocatedBytes();
        boolean all = true;
        for (int i = 0; i < 10_000; i++) {
            all &= v.validate(doc, 0, doc.length, violations);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(all);
        assertFalse(allocated >= 10_000, "allocated " + allocated + " bytes over 10,000 validations");
    }
}
