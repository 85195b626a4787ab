package io.conversioni.json;

/**
 * JSON string literals for the text answers and files written off the hot path (alerts, error bodies,
 * reports): quotes, backslashes and control characters escaped. Stateless; any thread; allocates only
 * what the caller's builder grows by.
 */
public final class JsonText {
    private JsonText() {
    }

    /** Appends {@code s} as a JSON string literal. */
    public static void quote(final StringBuilder sb, final String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    /** {@code s} as a JSON string literal. */
    public static String quote(final String s) {
        final StringBuilder sb = new StringBuilder(s.length() + 2);
        quote(sb, s);
        return sb.toString();
    }
}
