package io.conversioni.schema;

import io.conversioni.json.JsonCursor;

import java.util.ArrayList;
import java.util.List;

/**
 * A regular expression of the common "fixed shape" kind ({@code ^CLIENTE-[A-Z]{4,}-[0-9]{6}$}) compiled
 * to a sequence of character classes with repeat counts, matched greedily over UTF-8 code points with no
 * backtracking, no allocation and no {@code java.util.regex} call.
 *
 * <p>Only patterns anchored at both ends, made of literals, {@code [...]} classes (no negation),
 * {@code \d}, {@code \w} and the quantifiers {@code ? * + {n} {n,} {n,m}} are taken, and only when greedy
 * matching is exact: a repeat of varying length must be followed by atoms it cannot match. Anything else
 * returns null from {@link #compile(String)} and the caller uses {@code java.util.regex}. Immutable.
 */
final class SequencePattern {
    /** Per atom: sorted, disjoint code point ranges [lo0, hi0, lo1, hi1, ...]. */
    private final int[][] ranges;
    private final int[] min;
    private final int[] max;
    /** The leading atoms that are one ASCII literal each ({@code CLIENTE-}), compared as bytes in one go. */
    private final byte[] literalPrefix;

    private SequencePattern(final int[][] ranges, final int[] min, final int[] max) {
        this.ranges = ranges;
        this.min = min;
        this.max = max;
        int n = 0;
        while (n < ranges.length && min[n] == 1 && max[n] == 1 && ranges[n].length == 2 && ranges[n][0] == ranges[n][1]
            && ranges[n][0] < 0x80) {
            n++;
        }
        literalPrefix = new byte[n];
        for (int k = 0; k < n; k++) {
            literalPrefix[k] = (byte) ranges[k][0];
        }
    }

    /** The compiled pattern, or null when it is outside the supported shape. */
    static SequencePattern compile(final String pattern) {
        if (pattern.length() < 2 || pattern.charAt(0) != '^' || !pattern.endsWith("$") || pattern.endsWith("\\$")) {
            return null;
        }
        final String body = pattern.substring(1, pattern.length() - 1);
        final List<int[]> classes = new ArrayList<>();
        final List<int[]> counts = new ArrayList<>();
        int i = 0;
        while (i < body.length()) {
            final char c = body.charAt(i);
            final int[] cls;
            if (c == '[') {
                final int close = classEnd(body, i);
                if (close < 0) {
                    return null;
                }
                cls = parseClass(body.substring(i + 1, close));
                i = close + 1;
            } else if (c == '\\') {
                if (i + 1 >= body.length()) {
                    return null;
                }
                cls = escape(body.charAt(i + 1));
                i += 2;
            } else if ("^$.|?*+(){}]".indexOf(c) >= 0 || Character.isSurrogate(c)) {
                return null;
            } else {
                cls = new int[] {c, c};
                i++;
            }
            if (cls == null) {
                return null;
            }
            int lo = 1;
            int hi = 1;
            if (i < body.length()) {
                final char q = body.charAt(i);
                if (q == '?' || q == '*' || q == '+') {
                    lo = q == '+' ? 1 : 0;
                    hi = q == '?' ? 1 : Integer.MAX_VALUE;
                    i++;
                } else if (q == '{') {
                    final int close = body.indexOf('}', i);
                    if (close < 0) {
                        return null;
                    }
                    final String spec = body.substring(i + 1, close);
                    try {
                        final int comma = spec.indexOf(',');
                        if (comma < 0) {
                            lo = Integer.parseInt(spec);
                            hi = lo;
                        } else {
                            lo = Integer.parseInt(spec.substring(0, comma));
                            hi = comma == spec.length() - 1 ? Integer.MAX_VALUE : Integer.parseInt(spec.substring(comma + 1));
                        }
                    } catch (NumberFormatException notCount) {
                        return null;
                    }
                    if (lo < 0 || hi < lo) {
                        return null;
                    }
                    i = close + 1;
                }
                if (i < body.length() && "?+*{".indexOf(body.charAt(i)) >= 0) {
                    return null; // lazy, possessive or stacked quantifiers
                }
            }
            classes.add(cls);
            counts.add(new int[] {lo, hi});
        }
        final int n = classes.size();
        final int[] mins = new int[n];
        final int[] maxs = new int[n];
        for (int k = 0; k < n; k++) {
            mins[k] = counts.get(k)[0];
            maxs[k] = counts.get(k)[1];
            if (mins[k] != maxs[k]) {
                // greedy is exact only if nothing this atom could take is needed by what follows it
                for (int f = k + 1; f < n; f++) {
                    if (overlaps(classes.get(k), classes.get(f))) {
                        return null;
                    }
                    if (counts.get(f)[0] > 0) {
                        break;
                    }
                }
            }
        }
        return new SequencePattern(classes.toArray(new int[0][]), mins, maxs);
    }

    /** True when the UTF-8 text {@code b[offset, offset + length)} matches the whole pattern. */
    boolean matches(final byte[] b, final int offset, final int length) {
        final int prefix = literalPrefix.length;
        if (length < prefix || !JsonCursor.sameBytes(b, offset, literalPrefix, 0, prefix)) {
            return false;
        }
        int p = offset + prefix;
        final int end = offset + length;
        for (int a = prefix; a < ranges.length; a++) {
            final int[] r = ranges[a];
            final int limit = max[a];
            int count = 0;
            while (count < limit && p < end) {
                final int c = b[p];
                final int cp;
                final int size;
                if (c >= 0) {
                    cp = c;
                    size = 1;
                } else {
                    cp = decode(b, p);
                    size = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
                }
                if (!contains(r, cp)) {
                    break;
                }
                p += size;
                count++;
            }
            if (count < min[a]) {
                return false;
            }
        }
        return p == end;
    }

    private static boolean contains(final int[] r, final int cp) {
        for (int k = 0; k < r.length; k += 2) {
            if (cp >= r[k] && cp <= r[k + 1]) {
                return true;
            }
        }
        return false;
    }

    private static int decode(final byte[] b, final int p) {
        final int c = b[p] & 0xFF;
        if (c < 0xE0) {
            return ((c & 0x1F) << 6) | (b[p + 1] & 0x3F);
        } else if (c < 0xF0) {
            return ((c & 0x0F) << 12) | ((b[p + 1] & 0x3F) << 6) | (b[p + 2] & 0x3F);
        }
        return ((c & 0x07) << 18) | ((b[p + 1] & 0x3F) << 12) | ((b[p + 2] & 0x3F) << 6) | (b[p + 3] & 0x3F);
    }

    private static boolean overlaps(final int[] a, final int[] b) {
        for (int i = 0; i < a.length; i += 2) {
            for (int j = 0; j < b.length; j += 2) {
                if (a[i] <= b[j + 1] && b[j] <= a[i + 1]) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int classEnd(final String s, final int open) {
        for (int i = open + 1; i < s.length(); i++) {
            if (s.charAt(i) == '\\') {
                i++;
            } else if (s.charAt(i) == ']') {
                return i;
            }
        }
        return -1;
    }

    /** Ranges of a class body such as {@code A-Z0-9_}; null for negation, nested syntax or anything unusual. */
    private static int[] parseClass(final String s) {
        if (s.isEmpty() || s.charAt(0) == '^' || s.contains("[") || s.contains("&&")) {
            return null;
        }
        final List<Integer> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            int lo;
            char c = s.charAt(i);
            if (c == '\\') {
                if (i + 1 >= s.length()) {
                    return null;
                }
                final int[] e = escape(s.charAt(i + 1));
                if (e == null) {
                    return null;
                }
                i += 2;
                if (e.length > 2 || e[0] != e[1]) {
                    for (int v : e) {
                        out.add(v);
                    }
                    continue;
                }
                lo = e[0];
            } else if (Character.isSurrogate(c)) {
                return null;
            } else {
                lo = c;
                i++;
            }
            if (i + 1 < s.length() && s.charAt(i) == '-') {
                c = s.charAt(i + 1);
                if (c == '\\' || Character.isSurrogate(c) || c < lo) {
                    return null;
                }
                out.add(lo);
                out.add((int) c);
                i += 2;
            } else {
                out.add(lo);
                out.add(lo);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] escape(final char e) {
        switch (e) {
            case 'd':
                return new int[] {'0', '9'};
            case 'w':
                return new int[] {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'};
            default:
                if ("\\^$.|?*+()[]{}/-".indexOf(e) >= 0) {
                    return new int[] {e, e};
                }
                return null;
        }
    }

    /**
     * Rewrites {@code $} outside classes to {@code \z} for {@code java.util.regex}, where {@code $} would
     * also match before a final line terminator; JSON Schema's ECMA-262 dialect means end of input.
     */
    static String ecmaEnd(final String pattern) {
        final StringBuilder out = new StringBuilder(pattern.length() + 4);
        boolean inClass = false;
        for (int i = 0; i < pattern.length(); i++) {
            final char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                out.append(c).append(pattern.charAt(++i));
            } else if (c == '[') {
                inClass = true;
                out.append(c);
            } else if (c == ']') {
                inClass = false;
                out.append(c);
            } else if (c == '$' && !inClass) {
                out.append("\\z");
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
