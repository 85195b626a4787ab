package io.conversioni.config;

/** A configuration that cannot be used; the message names the key, the bad value and what is allowed. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(final String message) {
        super(message);
    }
}
