package io.conversioni.ingress;

import io.conversioni.config.ConfigException;
import io.conversioni.config.ConfigReader;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The {@code server:} section of {@code conversioni.yaml}, validated once (errors name the key and
 * value). Command-line options override the ports. Immutable.
 */
public final class ServerSettings {
    final String bind;
    final String httpBind;
    final int httpsPort;
    final int httpPort;
    final String keystore;
    final String keystorePasswordEnv;
    final int ioThreads;
    final int maxBatchBytes;
    final int maxBatchEvents;
    final long idleTimeoutMillis;
    final long requestTimeoutMillis;
    final boolean metricsPublic;
    final double rateLimitPerSecond;
    final long rateBurst;
    final long retryAfterSeconds;
    final long shutdownGraceMillis;
    final long hstsMaxAgeSeconds;
    final int maxConnections;
    final long maxQueueWaitNanos;
    final long bodyTimeoutMillis;
    final int maxHeaderBytes;

    private ServerSettings(final ConfigReader r, final Integer httpsOverride, final Integer httpOverride)
        throws ConfigException {
        bind = r.string("bind", "0.0.0.0");
        httpBind = address(r, "http_bind", "127.0.0.1");
        final int configuredHttps = (int) r.integer("https_port", 8443, -1, 65535);
        final int configuredHttp = (int) r.integer("http_port", -1, -1, 65535);
        httpsPort = httpsOverride != null ? checkPort("--port", httpsOverride) : configuredHttps;
        httpPort = httpOverride != null ? checkPort("--http-port", httpOverride) : configuredHttp;
        keystore = r.string("keystore", "");
        keystorePasswordEnv = r.string("keystore_password_env", "CONVERSIONI_KEYSTORE_PASSWORD");
        ioThreads = (int) r.integer("io_threads", Math.max(1, Runtime.getRuntime().availableProcessors() / 2), 1, 256);
        maxBatchBytes = (int) r.sizeBytes("max_batch_size", "16MiB", 1024, 1024L * 1024 * 1024);
        maxBatchEvents = (int) r.integer("max_batch_events", 10_000, 1, 1_000_000);
        idleTimeoutMillis = r.durationMillis("idle_timeout", "30s", 1000, 3_600_000);
        requestTimeoutMillis = r.durationMillis("request_timeout", "10s", 100, 600_000);
        metricsPublic = r.bool("metrics_public", false);
        rateLimitPerSecond = r.integer("rate_limit", 0, 0, 100_000_000);
        rateBurst = r.integer("rate_burst", Math.max(1, (long) rateLimitPerSecond * 2), 1, 1_000_000_000);
        retryAfterSeconds = r.durationMillis("retry_after", "1s", 1000, 3_600_000) / 1000;
        shutdownGraceMillis = r.durationMillis("shutdown_grace", "30s", 0, 600_000);
        hstsMaxAgeSeconds = r.durationMillis("hsts_max_age", "365d", 0, 2 * 365 * 86_400_000L) / 1000;
        maxConnections = (int) r.integer("max_connections", 10_000, 16, 1_000_000);
        maxQueueWaitNanos = r.durationMillis("max_queue_wait", "250ms", 1, 60_000) * 1_000_000L;
        bodyTimeoutMillis = r.durationMillis("body_timeout", "10s", 100, 600_000);
        maxHeaderBytes = (int) r.sizeBytes("max_header_size", "32KiB", 1024, 1024L * 1024);
        if (httpsPort < 0 && httpPort < 0) {
            throw new ConfigException(r.source() + ": no listener: set server.https_port or server.http_port");
        }
        r.rejectUnknownKeys();
    }

    /** A literal IP address or a host name that resolves, for a listener to bind. */
    private static String address(final ConfigReader r, final String key, final String defaultValue)
        throws ConfigException {
        final String value = r.string(key, defaultValue);
        try {
            if (value.isBlank()) {
                throw new UnknownHostException(value);
            }
            InetAddress.getByName(value);
            return value;
        } catch (UnknownHostException e) {
            throw new ConfigException(r.source() + ": server." + key + " must be an IP address or a host name of "
                + "this machine, such as 127.0.0.1 or 0.0.0.0; was '" + value + "'");
        }
    }

    private static int checkPort(final String option, final int port) throws ConfigException {
        if (port < -1 || port > 65535) {
            throw new ConfigException(option + " must be a port between 0 and 65535 (or -1 for none), was '" + port + "'");
        }
        return port;
    }

    public boolean httpsEnabled() {
        return httpsPort >= 0;
    }

    public boolean httpEnabled() {
        return httpPort >= 0;
    }

    public String keystore() {
        return keystore;
    }

    public String keystorePasswordEnv() {
        return keystorePasswordEnv;
    }

    public long shutdownGraceMillis() {
        return shutdownGraceMillis;
    }

    /**
     * @param httpsPort from {@code --port}, or null for the configured one (-1 disables HTTPS)
     * @param httpPort  from {@code --http-port}, or null for the configured one (-1: no plain HTTP)
     */
    public static ServerSettings read(final ConfigReader section, final Integer httpsPort, final Integer httpPort)
        throws ConfigException {
        return new ServerSettings(section, httpsPort, httpPort);
    }
}
