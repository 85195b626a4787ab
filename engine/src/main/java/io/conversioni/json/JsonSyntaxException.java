package io.conversioni.json;

/**
 * Thrown by {@link JsonCursor} when the input is not well-formed JSON. One preallocated, stackless
 * instance per cursor: it carries no message of its own; {@link JsonCursor#errorMessage()} and
 * {@link JsonCursor#errorOffset()} say what and where. Allocates nothing when thrown.
 */
public final class JsonSyntaxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    JsonSyntaxException() {
        super(null, null, false, false);
    }
}
