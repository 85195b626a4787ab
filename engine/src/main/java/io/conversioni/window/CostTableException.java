package io.conversioni.window;

/**
 * A cost table that cannot be loaded. The message names the source, the line, the column and what to write
 * instead; {@link #code()} is stable for tooling.
 *
 * <p>Threading: immutable.
 */
public final class CostTableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final int lineNumber;
    private final int columnNumber;

    /** @param columnNumber 1-based field of the row, 0 when the whole line is at fault */
    CostTableException(final String code, final String source, final int lineNumber, final int columnNumber,
                       final String message) {
        super(code + " " + source + (lineNumber > 0 ? " line " + lineNumber : "")
            + (columnNumber > 0 ? " column " + columnNumber : "") + ": " + message);
        this.code = code;
        this.lineNumber = lineNumber;
        this.columnNumber = columnNumber;
    }

    /** Stable error code, e.g. {@code cost_table_bad_spend}. */
    public String code() {
        return code;
    }

    /** 1-based line of the offending row, 0 when the whole file is at fault. */
    public int lineNumber() {
        return lineNumber;
    }

    /** 1-based column (field) of the offending value, 0 when the whole line is at fault. */
    public int columnNumber() {
        return columnNumber;
    }
}
