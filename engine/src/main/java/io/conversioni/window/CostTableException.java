package io.conversioni.window;

/**
 * A cost table that cannot be loaded. The message names the source, the line and what to write instead;
 * {@link #code()} is stable for tooling.
 *
 * <p>Threading: immutable.
 */
public final class CostTableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final int lineNumber;

    CostTableException(final String code, final String source, final int lineNumber, final String message) {
        super(code + " " + source + (lineNumber > 0 ? " line " + lineNumber : "") + ": " + message);
        this.code = code;
        this.lineNumber = lineNumber;
    }

    /** Stable error code, e.g. {@code COST_TABLE_BAD_SPEND}. */
    public String code() {
        return code;
    }

    /** 1-based line of the offending row, 0 when the whole file is at fault. */
    public int lineNumber() {
        return lineNumber;
    }
}
