package io.conversioni.schema;

/**
 * A schema that cannot be compiled: malformed, an unsupported keyword, or a keyword with a bad value.
 * The message names the location in the schema (a JSON Pointer) and what to do.
 */
public final class SchemaException extends Exception {
    private static final long serialVersionUID = 1L;

    public SchemaException(final String message) {
        super(message);
    }
}
