package io.conversioni.ingress;

import org.agrona.UnsafeApi;

/**
 * Finds the events of a batch body without decoding them: NDJSON lines (blank lines skipped), or the
 * top-level elements of a JSON array (strings and nesting tracked, so commas inside values do not
 * split). Each event is then validated on its own by the engine. Stateless; allocates two int arrays.
 * The IO thread runs it over every byte of a batch, so NDJSON's line ends are looked for eight bytes at a time.
 */
final class BatchSplitter {
    private static final long BYTES_BASE = org.agrona.BufferUtil.ARRAY_BASE_OFFSET;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long NEWLINES = ONES * '\n';

    private BatchSplitter() {
    }

    /** Byte ranges of the events, or an error for a body that cannot be split. */
    record Items(int[] starts, int[] lengths, int count, String error, boolean tooMany) {
        int start(final int i) {
            return starts[i];
        }

        int length(final int i) {
            return lengths[i];
        }
    }

    static Items split(final byte[] body, final boolean ndjson, final int maxEvents) {
        int[] starts = new int[16];
        int[] lengths = new int[16];
        int n = 0;
        if (ndjson) {
            int lineStart = 0;
            while (lineStart <= body.length) {
                final int end = newline(body, lineStart);
                int s = lineStart;
                int e = end;
                while (s < e && isSpace(body[s])) {
                    s++;
                }
                while (e > s && isSpace(body[e - 1])) {
                    e--;
                }
                if (e > s) {
                    if (n == maxEvents) {
                        return new Items(null, null, 0, "more than " + maxEvents + " events (server.max_batch_events)", true);
                    }
                    if (n == starts.length) {
                        starts = java.util.Arrays.copyOf(starts, n * 2);
                        lengths = java.util.Arrays.copyOf(lengths, n * 2);
                    }
                    starts[n] = s;
                    lengths[n] = e - s;
                    n++;
                }
                lineStart = end + 1;
            }
            return new Items(starts, lengths, n, null, false);
        }
        int p = skipSpace(body, 0);
        if (p >= body.length || body[p] != '[') {
            return new Items(null, null, 0, "a JSON batch must be an array of events: [ {...}, {...} ]", false);
        }
        p = skipSpace(body, p + 1);
        if (p < body.length && body[p] == ']') {
            return new Items(starts, lengths, 0, skipSpace(body, p + 1) == body.length ? null
                : "unexpected data after the array", false);
        }
        while (true) {
            final int start = p;
            int depth = 0;
            boolean inString = false;
            while (p < body.length) {
                final byte b = body[p];
                if (inString) {
                    if (b == '\\') {
                        p++;
                    } else if (b == '"') {
                        inString = false;
                    }
                } else if (b == '"') {
                    inString = true;
                } else if (b == '{' || b == '[') {
                    depth++;
                } else if (b == '}' || b == ']') {
                    if (depth == 0) {
                        break;
                    }
                    depth--;
                } else if (b == ',' && depth == 0) {
                    break;
                }
                p++;
            }
            if (p >= body.length || inString) {
                return new Items(null, null, 0, "the array is not terminated (missing ']')", false);
            }
            if (body[p] != ',' && body[p] != ']') {
                return new Items(null, null, 0, "unbalanced '" + (char) body[p] + "' at byte " + p, false);
            }
            int end = p;
            while (end > start && isSpace(body[end - 1])) {
                end--;
            }
            if (end == start) {
                return new Items(null, null, 0, "an array element is empty (stray comma at byte " + p + ")", false);
            }
            if (n == maxEvents) {
                return new Items(null, null, 0, "more than " + maxEvents + " events (server.max_batch_events)", true);
            }
            if (n == starts.length) {
                starts = java.util.Arrays.copyOf(starts, n * 2);
                lengths = java.util.Arrays.copyOf(lengths, n * 2);
            }
            starts[n] = start;
            lengths[n] = end - start;
            n++;
            if (body[p] == ']') {
                if (skipSpace(body, p + 1) != body.length) {
                    return new Items(null, null, 0, "unexpected data after the array", false);
                }
                return new Items(starts, lengths, n, null, false);
            }
            p = skipSpace(body, p + 1);
        }
    }

    /** The index of the first '\n' at or after {@code from}, or {@code body.length}. */
    static int newline(final byte[] body, final int from) {
        int p = from;
        while (p + 8 <= body.length) {
            final long word = UnsafeApi.getLong(body, BYTES_BASE + p) ^ NEWLINES;
            if (((word - ONES) & ~word & HIGHS) != 0) {   // a zero byte: a '\n' in these eight
                break;
            }
            p += 8;
        }
        while (p < body.length && body[p] != '\n') {
            p++;
        }
        return p;
    }

    private static boolean isSpace(final byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    private static int skipSpace(final byte[] b, final int from) {
        int p = from;
        while (p < b.length && isSpace(b[p])) {
            p++;
        }
        return p;
    }
}
