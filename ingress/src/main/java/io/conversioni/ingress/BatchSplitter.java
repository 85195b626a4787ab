package io.conversioni.ingress;

/**
 * Finds the events of a batch body without decoding them: NDJSON lines (blank lines skipped), or the
 * top-level elements of a JSON array (strings and nesting tracked, so commas inside values do not
 * split). Each event is then validated on its own by the engine. Stateless; allocates two int arrays.
 */
final class BatchSplitter {
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
                int end = lineStart;
                while (end < body.length && body[end] != '\n') {
                    end++;
                }
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
