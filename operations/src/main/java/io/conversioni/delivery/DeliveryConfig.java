package io.conversioni.delivery;

import io.conversioni.alert.AlertConfig;
import io.conversioni.config.ConfigException;
import io.conversioni.config.ConfigReader;
import jakarta.mail.internet.AddressException;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The {@code delivery:} section: retry policy and the sinks, validated once (errors name the key and the
 * value). Secrets (an auth header's value, the SMTP password) come from environment variables named in
 * the configuration, never from the file. Immutable after {@link #read}; the sinks it builds are not
 * (each is used by its own lane thread).
 */
public final class DeliveryConfig {
    final long firstRetryMillis;
    final int maxAttempts;
    final long maxBackoffMillis;
    final double jitter;
    final long timeoutMillis;
    final List<Sink> sinks;
    /** Sink of closed windows' results ({@code finestre_webhook}), or null. */
    final Sink windowSink;
    /** The reserved name of the window-results sink. */
    static final String WINDOW_SINK = "finestre";

    private DeliveryConfig(final ConfigReader r, final UnaryOperator<String> env) throws ConfigException {
        firstRetryMillis = r.durationMillis("first_retry", "30s", 1, 86_400_000);
        maxAttempts = (int) r.integer("max_attempts", 5, 1, 100);
        maxBackoffMillis = r.durationMillis("max_backoff", "1h", firstRetryMillis, 7 * 86_400_000L);
        jitter = r.decimal("jitter", 0.2, 0.0, 1.0);
        timeoutMillis = r.durationMillis("timeout", "10s", 10, 600_000);
        final ConfigReader sinksSection = r.section("sinks");
        final List<Sink> built = new ArrayList<>();
        for (String name : sinksSection.document().keySet()) {
            if (name.equals(WINDOW_SINK)) {
                throw new ConfigException(r.source() + ": delivery.sinks." + WINDOW_SINK + " is reserved for "
                    + "delivery.finestre_webhook; give this sink another name");
            }
            if (!name.matches("[a-z0-9_\\-]{1,40}")) {
                throw new ConfigException(r.source() + ": delivery.sinks names must be 1-40 of a-z 0-9 _ -, was '"
                    + name + "'");
            }
            built.add(sink(name, sinksSection.section(name), env));
        }
        sinksSection.rejectUnknownKeys();
        sinks = List.copyOf(built);
        final String windowsUrl = r.string("finestre_webhook", "");
        windowSink = windowsUrl.isEmpty() ? null : new HttpSink(WINDOW_SINK, false, url(r.source()
            + ": delivery.finestre_webhook", windowsUrl, ""), "", null, Duration.ofMillis(timeoutMillis),
            Set.of(DeliveryItem.FINESTRA));
        r.rejectUnknownKeys();
    }

    private Sink sink(final String name, final ConfigReader s, final UnaryOperator<String> env) throws ConfigException {
        final String where = s.source() + ": delivery.sinks." + name;
        final String type = s.oneOf("type", "webhook", List.of("slack", "webhook", "email"));
        final Set<String> rules = new LinkedHashSet<>(s.stringList("rules", List.of()));
        for (String rule : rules) {
            if (!AlertConfig.RULES.contains(rule)) {
                throw new ConfigException(where + ".rules must list rules among " + AlertConfig.RULES + ", was '" + rule + "'");
            }
        }
        final Sink sink;
        if (type.equals("email")) {
            final String host = s.string("host", "");
            final List<String> to = s.stringList("to", List.of());
            if (host.isEmpty() || to.isEmpty()) {
                throw new ConfigException(where + " (email) needs host and to");
            }
            final String passwordEnv = s.string("password_env", "");
            try {
                sink = new EmailSink(name, host, (int) s.integer("port", 25, 1, 65535), s.bool("starttls", false),
                    s.string("username", ""), passwordEnv.isEmpty() ? "" : nullToEmpty(env.apply(passwordEnv)),
                    s.string("from", "conversioni@localhost"), to, timeoutMillis, Set.copyOf(rules));
            } catch (AddressException e) {
                throw new ConfigException(where + ": bad e-mail address: " + e.getMessage());
            }
        } else {
            final String urlEnv = s.string("url_env", "");
            final String url = urlEnv.isEmpty() ? s.string("url", "") : nullToEmpty(env.apply(urlEnv));
            final URI uri = url(where + ".url", url, urlEnv);
            final String header = type.equals("webhook") ? s.string("header", "") : "";
            final String headerEnv = type.equals("webhook") ? s.string("header_env", "") : "";
            if (!header.isEmpty() && headerEnv.isEmpty()) {
                throw new ConfigException(where + ".header needs header_env, the environment variable holding its value");
            }
            sink = new HttpSink(name, type.equals("slack"), uri, header, headerEnv.isEmpty() ? null : env.apply(headerEnv),
                Duration.ofMillis(timeoutMillis), Set.copyOf(rules));
        }
        s.rejectUnknownKeys();
        return sink;
    }

    private static URI url(final String where, final String url, final String fromEnv) throws ConfigException {
        final String problem = where + " must be an http(s) URL" + (fromEnv.isEmpty() ? "" : " (from $" + fromEnv + ")")
            + ", was '" + url + "'";
        try {
            final URI uri = new URI(url);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new ConfigException(problem);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException(problem);
        }
    }

    private static String nullToEmpty(final String s) {
        return s == null ? "" : s;
    }

    /** Reads {@code delivery:} with secrets from the process environment. */
    public static DeliveryConfig read(final ConfigReader section) throws ConfigException {
        return new DeliveryConfig(section, System::getenv);
    }

    /** As {@link #read(ConfigReader)}, with environment variables looked up through {@code env} (tests). */
    public static DeliveryConfig read(final ConfigReader section, final UnaryOperator<String> env) throws ConfigException {
        return new DeliveryConfig(section, env);
    }

    Sink sink(final String name) {
        for (Sink s : sinks) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** Delay before the retry that follows {@code failedAttempts} failures: exponential, capped, jittered. */
    long backoffMillis(final int failedAttempts, final double random01) {
        final int doublings = Math.min(40, Math.max(0, failedAttempts - 1));
        final double base = Math.min((double) maxBackoffMillis, firstRetryMillis * Math.pow(2, doublings));
        return (long) Math.min(maxBackoffMillis, base * (1 + jitter * random01));
    }
}
