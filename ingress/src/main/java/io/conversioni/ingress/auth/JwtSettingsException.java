package io.conversioni.ingress.auth;

/**
 * JWT settings that cannot be used: a missing or too-short secret, an unreadable or unsuitable key file, an
 * invalid JWKS or an out-of-range setting. {@link #code()} is stable for tooling; the message names the setting
 * or file and says what to do, and never contains secret material.
 *
 * <p>Threading: immutable.
 */
public final class JwtSettingsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The secret (environment variable or file) is absent or empty. */
    public static final String SECRET_MISSING = "jwt_secret_missing";
    /** The HS256 secret has fewer than {@value JwtSettings#MIN_SECRET_BYTES} bytes. */
    public static final String SECRET_TOO_SHORT = "jwt_secret_too_short";
    /** A key, secret or JWKS file cannot be read. */
    public static final String KEY_UNREADABLE = "jwt_key_unreadable";
    /** A PEM key is not a usable public key for its algorithm (wrong type, weak, wrong curve, private key). */
    public static final String KEY_INVALID = "jwt_key_invalid";
    /** A JWKS file is not a usable JSON Web Key Set. */
    public static final String JWKS_INVALID = "jwt_jwks_invalid";
    /** A setting (algorithms, leeway, issuer, audience, cache size) is out of range. */
    public static final String SETTING_INVALID = "jwt_setting_invalid";
    /** The development secret file cannot be created or written. */
    public static final String SECRET_FILE_UNWRITABLE = "jwt_secret_file_unwritable";

    private final String code;

    JwtSettingsException(final String code, final String message) {
        super(code + ": " + message);
        this.code = code;
    }

    JwtSettingsException(final String code, final String message, final Throwable cause) {
        super(code + ": " + message, cause);
        this.code = code;
    }

    /** Stable error code, e.g. {@code jwt_secret_too_short}. */
    public String code() {
        return code;
    }
}
