package io.conversioni.schema;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Rewrites the escapes of an ECMA-262 pattern that {@code java.util.regex} reads differently, with the
 * {@code u} flag's semantics that JSON Schema asks for; everything else in the pattern is copied.
 *
 * <ul>
 * <li>Unicode property escapes ({@code \p{Letter}}, {@code \P{Script=Greek}}, {@code \p{gc=Nd}}): names are
 * case-sensitive and only those ECMA-262 lists are valid (General_Category values and their aliases, Script
 * values, the binary properties), and a property matches code points, not UTF-16 units. Java matches code
 * points already; it differs in spelling ({@code \p{Letter}} is unknown to it) and, for {@code Hex_Digit}, in
 * meaning, so that one is spelled out. A name this JVM cannot match exactly (Script_Extensions, Emoji,
 * ID_Start ...) is refused at compile time with its name, never matched approximately.</li>
 * <li>{@code \s} and {@code \S}: ECMA-262 white space and line terminators (no-break space, BOM, U+2028,
 * every Space_Separator), where Java's are ASCII only.</li>
 * <li>A backslash, {@code u} and a hex code point in braces (the {@code u} flag's form): Java's
 * {@code \x{...}}.</li>
 * <li>{@code \v}: ECMA-262's vertical tab alone, where Java's is a class of vertical white space.</li>
 * <li>{@code \c} with a lower-case letter: ECMA-262 takes the letter modulo 32 ({@code \cc} is U+0003);
 * Java only reads the upper-case form that way.</li>
 * </ul>
 *
 * <p>Threading: stateless, any thread. Allocation: at schema compilation only.
 */
final class EcmaEscapes {
    /** ECMA-262 WhiteSpace and LineTerminator code points, as the body of a java.util.regex class. */
    private static final String ECMA_SPACE = "\\t\\n\\x{0B}\\f\\r\\x{FEFF}\\x{2028}\\x{2029}\\p{Zs}";
    /** ECMA-262 General_Category values and aliases (Unicode PropertyValueAliases.txt) to Java's short names. */
    private static final Map<String, String> GENERAL_CATEGORY = new HashMap<>();
    /** Binary properties (ECMA-262 table "Binary Unicode property aliases") Java matches exactly. */
    private static final Map<String, String> BINARY = new HashMap<>();
    /** Binary properties ECMA-262 lists that java.util.regex has no exact equivalent for. */
    private static final String[] UNSUPPORTED_BINARY = {
        "Bidi_Control", "Bidi_C", "Bidi_Mirrored", "Bidi_M", "Case_Ignorable", "CI", "Cased",
        "Changes_When_Casefolded", "CWCF", "Changes_When_Casemapped", "CWCM", "Changes_When_Lowercased", "CWL",
        "Changes_When_NFKC_Casefolded", "CWKCF", "Changes_When_Titlecased", "CWT", "Changes_When_Uppercased", "CWU",
        "Dash", "Default_Ignorable_Code_Point", "DI", "Deprecated", "Dep", "Diacritic", "Dia", "Emoji",
        "Emoji_Component", "EComp", "Emoji_Modifier", "EMod", "Emoji_Modifier_Base", "EBase", "Emoji_Presentation",
        "EPres", "Extended_Pictographic", "ExtPict", "Extender", "Ext", "Grapheme_Base", "Gr_Base",
        "Grapheme_Extend", "Gr_Ext", "IDS_Binary_Operator", "IDSB", "IDS_Trinary_Operator", "IDST", "ID_Continue",
        "IDC", "ID_Start", "IDS", "Logical_Order_Exception", "LOE", "Math", "Pattern_Syntax", "Pat_Syn",
        "Pattern_White_Space", "Pat_WS", "Quotation_Mark", "QMark", "Radical", "Regional_Indicator", "RI",
        "Sentence_Terminal", "STerm", "Soft_Dotted", "SD", "Terminal_Punctuation", "Term", "Unified_Ideograph",
        "UIdeo", "Variation_Selector", "VS", "XID_Continue", "XIDC", "XID_Start", "XIDS"};

    static {
        category("C", "Other");
        category("Cc", "Control", "cntrl");
        category("Cf", "Format");
        category("Cn", "Unassigned");
        category("Co", "Private_Use");
        category("Cs", "Surrogate");
        category("L", "Letter");
        category("LC", "Cased_Letter");
        category("Ll", "Lowercase_Letter");
        category("Lm", "Modifier_Letter");
        category("Lo", "Other_Letter");
        category("Lt", "Titlecase_Letter");
        category("Lu", "Uppercase_Letter");
        category("M", "Mark", "Combining_Mark");
        category("Mc", "Spacing_Mark");
        category("Me", "Enclosing_Mark");
        category("Mn", "Nonspacing_Mark");
        category("N", "Number");
        category("Nd", "Decimal_Number", "digit");
        category("Nl", "Letter_Number");
        category("No", "Other_Number");
        category("P", "Punctuation", "punct");
        category("Pc", "Connector_Punctuation");
        category("Pd", "Dash_Punctuation");
        category("Pe", "Close_Punctuation");
        category("Pf", "Final_Punctuation");
        category("Pi", "Initial_Punctuation");
        category("Po", "Other_Punctuation");
        category("Ps", "Open_Punctuation");
        category("S", "Symbol");
        category("Sc", "Currency_Symbol");
        category("Sk", "Modifier_Symbol");
        category("Sm", "Math_Symbol");
        category("So", "Other_Symbol");
        category("Z", "Separator");
        category("Zl", "Line_Separator");
        category("Zp", "Paragraph_Separator");
        category("Zs", "Space_Separator");

        binary("[\\x{0}-\\x{10FFFF}]", "Any");
        binary("[\\x{0}-\\x{7F}]", "ASCII");
        binary("[0-9A-Fa-f]", "ASCII_Hex_Digit", "AHex");
        // Java's IsHex_Digit also takes every decimal digit (Bengali ones too); Unicode's Hex_Digit is these 44
        binary("[0-9A-Fa-f\\x{FF10}-\\x{FF19}\\x{FF21}-\\x{FF26}\\x{FF41}-\\x{FF46}]", "Hex_Digit", "Hex");
        binary("\\p{IsAlphabetic}", "Alphabetic", "Alpha");
        binary("\\p{IsAssigned}", "Assigned");
        binary("\\p{IsIdeographic}", "Ideographic", "Ideo");
        binary("\\p{IsJoin_Control}", "Join_Control", "Join_C");
        binary("\\p{IsLowercase}", "Lowercase", "Lower");
        binary("\\p{IsNoncharacter_Code_Point}", "Noncharacter_Code_Point", "NChar");
        binary("\\p{IsUppercase}", "Uppercase", "Upper");
        binary("\\p{IsWhite_Space}", "White_Space", "space");
    }

    private EcmaEscapes() {
    }

    private static void category(final String shortName, final String... aliases) {
        GENERAL_CATEGORY.put(shortName, shortName);
        for (String alias : aliases) {
            GENERAL_CATEGORY.put(alias, shortName);
        }
    }

    private static void binary(final String javaClass, final String... names) {
        for (String name : names) {
            BINARY.put(name, javaClass);
        }
    }

    /**
     * The pattern with every escape that java.util.regex reads differently rewritten (see the class comment);
     * other text is copied unchanged.
     *
     * @throws IllegalArgumentException naming the escape when it is not valid ECMA-262 or cannot be matched
     */
    static String toJava(final String pattern) {
        if (pattern.indexOf('\\') < 0) {
            return pattern;
        }
        final StringBuilder out = new StringBuilder(pattern.length() + 16);
        int i = 0;
        while (i < pattern.length()) {
            final char c = pattern.charAt(i);
            if (c != '\\' || i + 1 >= pattern.length()) {
                out.append(c);
                i++;
                continue;
            }
            final char e = pattern.charAt(i + 1);
            switch (e) {
                case 'p':
                case 'P':
                    final int close = pattern.indexOf('}', i + 2);
                    if (i + 2 >= pattern.length() || pattern.charAt(i + 2) != '{' || close < 0) {
                        throw new IllegalArgumentException("\\" + e + " at index " + i
                            + " must be followed by a property in braces, e.g. \\p{Letter} or \\p{Script=Greek}");
                    }
                    out.append(translate(pattern.substring(i + 3, close), e == 'P', i));
                    i = close + 1;
                    continue;
                case 's':
                    out.append('[').append(ECMA_SPACE).append(']');
                    break;
                case 'S':
                    out.append("[^").append(ECMA_SPACE).append(']');
                    break;
                case 'u':
                    final int end = pattern.indexOf('}', i + 2);
                    if (i + 2 < pattern.length() && pattern.charAt(i + 2) == '{' && end > 0) {
                        out.append("\\x{").append(pattern, i + 3, end).append('}');
                        i = end + 1;
                        continue;
                    }
                    out.append(c).append(e);
                    break;
                case 'v':
                    out.append("\\x{0B}");
                    break;
                case 'c':
                    if (i + 2 < pattern.length() && isAsciiLetter(pattern.charAt(i + 2))) {
                        out.append("\\c").append(Character.toUpperCase(pattern.charAt(i + 2)));
                        i += 3;
                        continue;
                    }
                    out.append(c).append(e);
                    break;
                default:
                    out.append(c).append(e);
            }
            i += 2;
        }
        return out.toString();
    }

    private static boolean isAsciiLetter(final char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static String translate(final String property, final boolean negated, final int index) {
        final String javaClass;
        final int eq = property.indexOf('=');
        if (eq < 0) {
            final String category = GENERAL_CATEGORY.get(property);
            if (category != null) {
                javaClass = "\\p{" + category + "}";
            } else if (BINARY.containsKey(property)) {
                javaClass = BINARY.get(property);
            } else {
                throw unknown(property, index, unsupportedBinary(property)
                    ? "a binary property java.util.regex cannot match exactly"
                    : "not a General_Category value nor a binary property ECMA-262 knows (names are case-sensitive:"
                    + " Letter, L, Nd, digit, White_Space ...)");
            }
        } else {
            final String name = property.substring(0, eq);
            final String value = property.substring(eq + 1);
            switch (name) {
                case "General_Category":
                case "gc":
                    final String category = GENERAL_CATEGORY.get(value);
                    if (category == null) {
                        throw unknown(property, index, "'" + value + "' is not a General_Category value");
                    }
                    javaClass = "\\p{" + category + "}";
                    break;
                case "Script":
                case "sc":
                    javaClass = "\\p{script=" + script(value, property, index) + "}";
                    break;
                case "Script_Extensions":
                case "scx":
                    script(value, property, index);
                    throw unknown(property, index, "Script_Extensions cannot be matched by java.util.regex; "
                        + "Script=" + value + " can");
                default:
                    throw unknown(property, index, "ECMA-262 only takes General_Category, gc, Script, sc, "
                        + "Script_Extensions or scx before '='");
            }
        }
        if (!negated) {
            return javaClass;
        }
        if (javaClass.startsWith("\\p")) {
            return "\\P" + javaClass.substring(2);
        }
        return "[^" + javaClass.substring(1);
    }

    /** Java's name of an ECMA-262 Script value: the long name as Unicode spells it, or its 4-letter code. */
    private static String script(final String value, final String property, final int index) {
        final Character.UnicodeScript script;
        try {
            script = Character.UnicodeScript.forName(value);
        } catch (IllegalArgumentException notScript) {
            throw unknown(property, index, "'" + value + "' is not a Unicode script this JVM knows");
        }
        final boolean shortCode = value.length() == 4 && Character.isUpperCase(value.charAt(0))
            && value.substring(1).equals(value.substring(1).toLowerCase(Locale.ROOT));
        if (!shortCode && !value.equals(unicodeSpelling(script))) {
            throw unknown(property, index, "script names are case-sensitive; write " + unicodeSpelling(script));
        }
        return script.name();
    }

    /** OLD_ITALIC as Unicode writes it: Old_Italic. */
    private static String unicodeSpelling(final Character.UnicodeScript script) {
        if (script == Character.UnicodeScript.SIGNWRITING) {
            return "SignWriting";
        }
        final StringBuilder sb = new StringBuilder();
        for (String word : script.name().split("_")) {
            if (sb.length() > 0) {
                sb.append('_');
            }
            sb.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
        }
        return sb.toString();
    }

    private static boolean unsupportedBinary(final String property) {
        for (String name : UNSUPPORTED_BINARY) {
            if (name.equals(property)) {
                return true;
            }
        }
        return false;
    }

    private static IllegalArgumentException unknown(final String property, final int index, final String why) {
        return new IllegalArgumentException("Unicode property \\p{" + property + "} at index " + index + ": " + why);
    }
}
