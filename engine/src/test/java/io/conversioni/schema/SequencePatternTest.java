package io.conversioni.schema;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class SequencePatternTest {
    private static final List<String> FAST = List.of("^CLIENTE-[A-Z]{4,}-[0-9]{6}$", "^a+b?c*$", "^\\d{2,3}-\\w+$",
        "^[a-c]{1,2}[d-f]*x$", "^\\$\\.x$", "^é+ü?$", "^[A-Za-z_][A-Za-z0-9_]*$",
        "^[?-A]+[_-a]*~?$", "^ab-é+$", "^abcdefxAZ_09-[0-9]+$");

    @Test
    void shouldCompileOnlyPatternsWhereGreedyMatchingIsExact() {
        FAST.forEach(p -> assertNotNull(SequencePattern.compile(p), p));
        for (String slow : List.of("a+", "^a+$x", "^a*a$", "^(ab)+$", "^a|b$", "^[^a]$", "^.$", "^a+?$", "^[a-z]+[0-9a]$",
            "^\\p{L}$", "^a{2,1}$")) {
            assertNull(SequencePattern.compile(slow), slow);
        }
    }

    @Property(tries = 3000, seed = "20261207")
    void shouldAgreeWithJavaRegexOnEcmaEndSemantics(@ForAll("patterns") final String pattern,
                                                    @ForAll("texts") final String text) {
        final SequencePattern fast = SequencePattern.compile(pattern);
        final boolean expected = Pattern.compile(SequencePattern.ecmaEnd(pattern)).matcher(text).find();
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(expected, fast.matches(bytes, 0, bytes.length), pattern + " on " + text);
    }

    @Test
    void shouldNotLetDollarMatchBeforeATrailingNewline() {
        assertEquals(false, Pattern.compile(SequencePattern.ecmaEnd("^(a)$")).matcher("a\n").find());
        assertEquals(true, Pattern.compile(SequencePattern.ecmaEnd("^[$]$")).matcher("$").find());
        final byte[] bytes = "a\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(false, SequencePattern.compile("^a$").matches(bytes, 0, bytes.length));
    }

    @Provide
    Arbitrary<String> patterns() {
        return Arbitraries.of(FAST);
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.oneOf(
            Arbitraries.strings().withChars("abcdefxAZ_09-$.éü\n?@`{[~\u007f ").ofMaxLength(8),
            Arbitraries.of("CLIENTE-ITALIA-789456", "CLIENTE-ROMA-123456", "CLIENTE-ROM-123456", "CLIENTE-ROMA-1234567",
                "12-abc", "123-a_b", "1-a", "$.x", "aab", "abcc", "éé", "éü", "x_1", "_", "ab-é", "ab-éé", "ab-", "ab",
                "abcdefxAZ_09-1", "abcdefxAZ_09-", "abcdefxAZ_09"));
    }
}
