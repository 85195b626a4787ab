package io.conversioni.schema;

import io.conversioni.json.JsonCursor;
import io.conversioni.json.Utf8;

import java.util.Arrays;

/**
 * Where the validator is inside the document: one level per open object or array, each with its
 * array index or current key, and the keys seen so far in each object (for duplicate detection of
 * undeclared keys) in a byte arena. Builds the JSON Pointer of a violation on demand. One per
 * validator (single-threaded); allocates only when the arena or entry arrays grow to a larger input.
 */
final class ContainerStack {
    private final boolean[] isArray;
    private final int[] arrayIndex;
    /**
     * Current key of an object level: property {@code keyProperty} (when at least 0) of {@code keyNode}, or
     * else arena entry {@code keyEntry} (when at least 0). {@code keyNode} keeps its last node while unused
     * and is stored only when the node changes: a reference store costs G1's card-mark fence, and a level
     * meets the same node for every key of every document.
     */
    private final SchemaNode[] keyNode;
    private final int[] keyProperty;
    private final int[] keyEntry;
    private final int[] entryBase;
    private int levels;

    private byte[] arena = new byte[1024];
    private int arenaTop;
    private int[] entryHash = new int[64];
    private int[] entryStart = new int[64];
    private int[] entryLength = new int[64];
    private int entryTop;

    ContainerStack(final int maxDepth) {
        isArray = new boolean[maxDepth + 1];
        arrayIndex = new int[maxDepth + 1];
        keyNode = new SchemaNode[maxDepth + 1];
        keyProperty = new int[maxDepth + 1];
        keyEntry = new int[maxDepth + 1];
        entryBase = new int[maxDepth + 1];
    }

    void reset() {
        levels = 0;
        arenaTop = 0;
        entryTop = 0;
    }

    /** Opens a container; returns its level. */
    int push(final boolean array) {
        isArray[levels] = array;
        arrayIndex[levels] = 0;
        keyEntry[levels] = -1;
        keyProperty[levels] = -1;
        entryBase[levels] = entryTop;
        return levels++;
    }

    void pop() {
        levels--;
        entryTop = entryBase[levels];
        arenaTop = entryTop == 0 ? 0 : entryStart[entryTop - 1] + entryLength[entryTop - 1];
    }

    void nextIndex(final int level) {
        arrayIndex[level]++;
    }

    /** The current key of {@code level} is declared property {@code property} of {@code node}. */
    void declaredKey(final int level, final SchemaNode node, final int property) {
        if (keyNode[level] != node) {
            keyNode[level] = node;
        }
        keyProperty[level] = property;
        keyEntry[level] = -1;
    }

    /**
     * The current key of {@code level} is the cursor's string, which the schema does not declare:
     * remembers it and returns true when the same object already had it.
     */
    boolean undeclaredKey(final int level, final JsonCursor cursor, final int keyHash) {
        final int len = cursor.stringLength();
        final byte[] b = cursor.stringBytes();
        final int off = cursor.stringOffset();
        boolean duplicate = false;
        for (int e = entryBase[level]; e < entryTop; e++) {
            if (entryHash[e] == keyHash && entryLength[e] == len
                && JsonCursor.sameBytes(arena, entryStart[e], b, off, len)) {
                duplicate = true;
                break;
            }
        }
        if (arenaTop + len > arena.length) {
            arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaTop + len));
        }
        System.arraycopy(b, off, arena, arenaTop, len);
        if (entryTop == entryHash.length) {
            entryHash = Arrays.copyOf(entryHash, entryTop * 2);
            entryStart = Arrays.copyOf(entryStart, entryTop * 2);
            entryLength = Arrays.copyOf(entryLength, entryTop * 2);
        }
        final int e = entryTop++;
        entryHash[e] = keyHash;
        entryStart[e] = arenaTop;
        entryLength[e] = len;
        arenaTop += len;
        keyProperty[level] = -1;
        keyEntry[level] = e;
        return duplicate;
    }

    /** After the last member of an object: the pointer no longer names a key at this level. */
    void clearKey(final int level) {
        keyEntry[level] = -1;
        keyProperty[level] = -1;
    }

    /** Appends the JSON Pointer of the current location (plus {@code extraSegment} when not null). */
    void appendPointer(final StringBuilder sb, final String extraSegment) {
        for (int l = 0; l < levels; l++) {
            if (isArray[l]) {
                sb.append('/').append(arrayIndex[l]);
            } else if (keyProperty[l] >= 0) {
                sb.append('/');
                final String name = keyNode[l].propertyNames[keyProperty[l]];
                for (int k = 0; k < name.length(); k++) {
                    appendEscapedChar(sb, name.charAt(k));
                }
            } else if (keyEntry[l] >= 0) {
                sb.append('/');
                final int e = keyEntry[l];
                final int end = entryStart[e] + entryLength[e];
                for (int p = entryStart[e]; p < end; ) {
                    final int before = sb.length();
                    p = Utf8.appendCodePoint(sb, arena, p);
                    final char c = sb.charAt(before);
                    if (c == '~' || c == '/') {
                        sb.setLength(before);
                        appendEscapedChar(sb, c);
                    }
                }
            }
        }
        if (extraSegment != null) {
            sb.append('/');
            for (int k = 0; k < extraSegment.length(); k++) {
                appendEscapedChar(sb, extraSegment.charAt(k));
            }
        }
    }

    private static void appendEscapedChar(final StringBuilder sb, final char c) {
        if (c == '~') {
            sb.append("~0");
        } else if (c == '/') {
            sb.append("~1");
        } else {
            sb.append(c);
        }
    }
}
