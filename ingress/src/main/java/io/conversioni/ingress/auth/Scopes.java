package io.conversioni.ingress.auth;

import java.util.List;

/**
 * What a token may do, as bits: {@code eventi:scrivi} (ingest), {@code metriche:leggi} (metriche, the stream,
 * allarmi, the jobs list, {@code /metrics} when protected) and {@code admin} (run jobs). A token lists its scopes
 * in the {@code scope} claim, space-separated (RFC 8693 §4.2); names this server does not know are ignored (the
 * token may also serve other services). Each scope is granted only by its own name: {@code admin} does not
 * imply the others.
 *
 * <p>Threading: stateless. Allocation: {@link #parse} a substring per name (on a verified-token cache miss only);
 * {@link #names} a string.
 */
public final class Scopes {
    /** {@code eventi:scrivi}: send events. */
    public static final int EVENTI_SCRIVI = 1;
    /** {@code metriche:leggi}: read metrics, the live stream, alerts and the jobs list. */
    public static final int METRICHE_LEGGI = 1 << 1;
    /** {@code admin}: run jobs now. */
    public static final int ADMIN = 1 << 2;
    /** The scopes of a token without a {@code scope} claim unless {@code auth.default_scopes} says otherwise. */
    public static final int DEFAULT = EVENTI_SCRIVI | METRICHE_LEGGI;

    private static final List<String> NAMES = List.of("eventi:scrivi", "metriche:leggi", "admin");

    private Scopes() {
    }

    /** The bit of one scope name, or 0 when it is not one of this server's. */
    public static int of(final String name) {
        final int index = NAMES.indexOf(name);
        return index < 0 ? 0 : 1 << index;
    }

    /** The bits of a space-separated list; unknown names add nothing. */
    public static int parse(final String spaceSeparated) {
        int bits = 0;
        int start = 0;
        final int length = spaceSeparated.length();
        while (start < length) {
            int end = spaceSeparated.indexOf(' ', start);
            end = end < 0 ? length : end;
            if (end > start) {
                bits |= of(spaceSeparated.substring(start, end));
            }
            start = end + 1;
        }
        return bits;
    }

    /** The first name of a space-separated list that is not one of this server's, or {@code null}. */
    public static String firstUnknown(final String spaceSeparated) {
        for (final String name : spaceSeparated.trim().split(" +")) {
            if (!name.isEmpty() && of(name) == 0) {
                return name;
            }
        }
        return null;
    }

    /** The names of {@code bits}, space-separated, in a fixed order. */
    public static String names(final int bits) {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < NAMES.size(); i++) {
            if ((bits & (1 << i)) != 0) {
                out.append(out.length() == 0 ? "" : " ").append(NAMES.get(i));
            }
        }
        return out.toString();
    }

    /** Every scope name this server knows, for messages. */
    public static List<String> known() {
        return NAMES;
    }
}
