package io.conversioni.reconcile;

/**
 * The CRM's side could not be read: a malformed export (the message names file and line), an endpoint that
 * failed or answered something unexpected. {@link #code()} is stable, for logs and job status.
 */
public final class CrmSourceException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String code;

    public CrmSourceException(final String code, final String message) {
        super(message);
        this.code = code;
    }

    public CrmSourceException(final String code, final String message, final Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** {@code csv_intestazione}, {@code csv_riga}, {@code csv_lettura}, {@code crm_http}, {@code crm_risposta}. */
    public String code() {
        return code;
    }
}
