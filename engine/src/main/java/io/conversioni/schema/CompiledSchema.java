package io.conversioni.schema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A JSON Schema compiled once at start-up. Immutable and safe to share between threads; each thread
 * validates through its own {@link SchemaValidator} from {@link #newValidator()}.
 */
public final class CompiledSchema {
    private final SchemaNode root;
    private final List<String> warnings;
    private final int patternCount;
    private final int seenCount;
    private final String source;

    private CompiledSchema(final SchemaNode root, final SchemaCompiler compiler, final String source) {
        this.root = root;
        this.warnings = List.copyOf(compiler.warnings());
        this.patternCount = compiler.patternCount();
        this.seenCount = compiler.seenCount();
        this.source = source;
    }

    /** Compiles a schema document (UTF-8 JSON). */
    public static CompiledSchema compile(final byte[] document) throws SchemaException {
        return compile(document, Map.of(), "<inline>");
    }

    /**
     * Compiles a schema whose data locations in {@code bindings} (JSON Pointers such as {@code /valore})
     * report their values to a {@link ValueBinding} under the given slot numbers. A location the schema
     * does not declare is simply never reported.
     */
    public static CompiledSchema compile(final byte[] document, final Map<String, Integer> bindings,
                                         final String source) throws SchemaException {
        final SchemaCompiler compiler = new SchemaCompiler(bindings);
        final SchemaNode root = compiler.compileRoot(SchemaCompiler.parse(document));
        return new CompiledSchema(root, compiler, source);
    }

    /** Reads and compiles a schema file; a missing or unreadable file is a {@link SchemaException}. */
    public static CompiledSchema compile(final Path file) throws SchemaException {
        return compile(file, Map.of());
    }

    public static CompiledSchema compile(final Path file, final Map<String, Integer> bindings)
        throws SchemaException {
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SchemaException("schema file not found: " + file);
        } catch (IOException e) {
            throw new SchemaException("cannot read schema file " + file + ": " + e.getMessage());
        }
        try {
            return compile(bytes, bindings, file.toString());
        } catch (SchemaException e) {
            throw new SchemaException(file + ": " + e.getMessage());
        }
    }

    /** Unknown keywords and other things worth a look; the schema works regardless. */
    public List<String> warnings() {
        return warnings;
    }

    /** Where the schema came from (a path, or {@code <inline>}). */
    public String source() {
        return source;
    }

    /** A new single-threaded validator; allocate one per thread at start-up. */
    public SchemaValidator newValidator() {
        return newValidator(SchemaValidator.DEFAULT_MAX_DEPTH);
    }

    public SchemaValidator newValidator(final int maxDepth) {
        return new SchemaValidator(this, maxDepth);
    }

    /** The allowed strings of the {@code enum} at a property of the root, in declared order (for ordinals). */
    public List<String> enumStrings(final String property) {
        final SchemaNode node = property(property);
        if (node == null || node.enumSet == null) {
            return List.of();
        }
        final String[] out = new String[node.enumSet.strings.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = new String(node.enumSet.strings[i]);
        }
        return List.of(out);
    }

    /**
     * What the schema says of a property of the root object, for callers that bind fields (the event
     * codec checks at start-up that the schema gives it what it needs); null when not declared.
     */
    public FieldInfo field(final String name) {
        final int i = List.of(root.propertyNames).indexOf(name);
        if (i < 0 || root.propertyNodes[i] == null) {
            return null;
        }
        final SchemaNode n = root.propertyNodes[i];
        boolean required = false;
        for (int r : root.required) {
            required |= r == i;
        }
        final boolean onlyStrings = n.enumSet != null && n.enumSet.strings.length > 0
            && n.enumSet.numberUnscaled.length == 0 && n.enumSet.structured.length == 0
            && !n.enumSet.allowsNull && !n.enumSet.allowsTrue && !n.enumSet.allowsFalse;
        final java.math.BigDecimal multipleOf = n.multipleOf == null ? null
            : new java.math.BigDecimal(java.math.BigInteger.valueOf(n.multipleOf[0]), (int) -n.multipleOf[1]);
        return new FieldInfo(required, n.typeMask == 0 ? "any" : n.typeText, onlyStrings ? enumStrings(name) : List.of(),
            n.dateTime, multipleOf);
    }

    /**
     * A root property as compiled.
     *
     * @param types       the {@code type} keyword as text ("string", "number or integer", "any")
     * @param enumStrings its {@code enum} when that lists only strings, else empty
     * @param multipleOf  its {@code multipleOf}, or null
     */
    public record FieldInfo(boolean required, String types, List<String> enumStrings, boolean dateTime,
                            java.math.BigDecimal multipleOf) {
    }

    /** The compiled node of a property of the root, or null. */
    SchemaNode property(final String name) {
        final int i = List.of(root.propertyNames).indexOf(name);
        return i < 0 ? null : root.propertyNodes[i];
    }

    SchemaNode root() {
        return root;
    }

    int patternCount() {
        return patternCount;
    }

    int seenCount() {
        return seenCount;
    }

    /** Collects every node, depth first (for per-validator state). */
    static void forEach(final SchemaNode node, final java.util.function.Consumer<SchemaNode> action) {
        if (node == null) {
            return;
        }
        action.accept(node);
        for (SchemaNode child : node.propertyNodes) {
            forEach(child, action);
        }
        forEach(node.additional, action);
    }
}
