package io.conversioni.schema;

import io.conversioni.json.JsonCursor;
import java.util.regex.Pattern;

/**
 * One compiled schema location. Written only by {@link SchemaCompiler}, then read-only and shared by all
 * validator threads; per-thread state (regex matchers, seen-property marks) lives in
 * {@link SchemaValidator}, indexed by the ids stored here.
 */
final class SchemaNode {
    static final int T_NULL = 1;
    static final int T_BOOLEAN = 2;
    static final int T_OBJECT = 4;
    static final int T_ARRAY = 8;
    static final int T_NUMBER = 16;
    static final int T_INTEGER = 32;
    static final int T_STRING = 64;

    /** Where this node is in the schema document (JSON Pointer), for start-up errors. */
    final String location;

    /** The boolean schema {@code false}: every value fails, with this code. Null otherwise. */
    String falseCode;

    /** Allowed types as T_* bits; 0 means any. */
    int typeMask;
    String typeText;

    ConstSet enumSet;
    ConstSet constSet;

    int minLength = -1;
    int maxLength = -1;
    /** The pattern as written in the schema, for messages. */
    String patternText;
    /** Fast matcher for fixed-shape patterns; when null, {@link #pattern} (java.util.regex) is used. */
    SequencePattern sequence;
    Pattern pattern;
    int patternId = -1;
    boolean dateTime;

    long[] minimum;
    String minimumText;
    long[] maximum;
    String maximumText;
    long[] exclusiveMinimum;
    String exclusiveMinimumText;
    long[] exclusiveMaximum;
    String exclusiveMaximumText;
    long[] multipleOf;
    String multipleOfText;

    /** Declared or required property names, their UTF-8 bytes and key hashes, and their nodes (null: unconstrained). */
    String[] propertyNames = new String[0];
    byte[][] propertyBytes = new byte[0][];
    /**
     * Each name as it appears in a document that does not escape it: {@code "name"} with its quotes, or null
     * when the name holds a byte JSON must escape or one above ASCII (then only the general path finds it).
     */
    byte[][] quotedPropertyBytes = new byte[0][];
    int[] propertyHashes = new int[0];
    SchemaNode[] propertyNodes = new SchemaNode[0];
    /** Open-addressing index over property hashes: slot holds property index + 1, 0 when empty. */
    int[] propertyTable = new int[0];
    /** Indexes (into the property arrays) of required properties. */
    int[] required = new int[0];
    /** Offset of this node's properties in the validator's seen-marks array. */
    int seenBase;
    /** Schema for properties not listed; null allows anything. */
    SchemaNode additional;

    /** Binding slot for {@link ValueBinding}, or -1. */
    int bindingSlot = -1;

    SchemaNode(final String location) {
        this.location = location;
    }

    /** Index of the property named by UTF-8 {@code bytes[offset, offset + length)} with its {@code keyHash}, or -1. */
    int propertyIndex(final byte[] bytes, final int offset, final int length, final int hash) {
        final int[] table = propertyTable;
        if (table.length == 0) {
            return -1;
        }
        final int mask = table.length - 1;
        int slot = hash & mask;
        while (true) {
            final int entry = table[slot];
            if (entry == 0) {
                return -1;
            }
            final int index = entry - 1;
            final byte[] name = propertyBytes[index];
            if (propertyHashes[index] == hash && name.length == length
                && JsonCursor.sameBytes(name, 0, bytes, offset, length)) {
                return index;
            }
            slot = (slot + 1) & mask;
        }
    }
}
