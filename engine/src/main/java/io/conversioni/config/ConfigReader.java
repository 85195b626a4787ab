package io.conversioni.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, path-aware access to a parsed YAML document: {@code duration("windows.size", "5m")} returns
 * millis or fails naming {@code windows.size} and the bad value. Every key read is remembered so that
 * {@link #rejectUnknownKeys()} can refuse typos instead of silently ignoring them. Start-up only;
 * single-threaded; allocates freely.
 */
public final class ConfigReader {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]i?b?|b)?", Pattern.CASE_INSENSITIVE);

    private final Map<String, Object> root;
    private final String source;
    /** Prefix of this reader's keys in messages ("server." for a section), empty at the top. */
    private final String prefix;
    private final Set<String> known = new LinkedHashSet<>();

    private ConfigReader(final Map<String, Object> root, final String source) {
        this(root, source, "");
    }

    private ConfigReader(final Map<String, Object> root, final String source, final String prefix) {
        this.root = root;
        this.source = source;
        this.prefix = prefix;
    }

    /** Parses YAML text; an empty document is an empty configuration (all defaults). */
    public static ConfigReader parse(final String yaml, final String source) throws ConfigException {
        final Object doc;
        try {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getMessage());
        }
        if (doc == null) {
            return new ConfigReader(Collections.emptyMap(), source);
        }
        if (!(doc instanceof Map)) {
            throw new ConfigException(source + ": the top level must be a mapping of settings");
        }
        @SuppressWarnings("unchecked")
        final Map<String, Object> map = (Map<String, Object>) doc;
        return new ConfigReader(map, source);
    }

    public String source() {
        return source;
    }

    /**
     * The settings under {@code key} (a mapping) as a reader of their own, for a module that owns them
     * (the server reads {@code server.*}); marks the whole section as known here. Empty when absent.
     */
    public ConfigReader section(final String key) throws ConfigException {
        final Object v = raw(key);
        if (v != null && !(v instanceof Map)) {
            throw error(key, v, "a mapping of settings");
        }
        @SuppressWarnings("unchecked")
        final Map<String, Object> map = v == null ? Collections.emptyMap() : (Map<String, Object>) v;
        return new ConfigReader(map, source, prefix + key + ".");
    }

    /** The raw value at a dotted path, or null. */
    Object raw(final String path) {
        known.add(path);
        Object node = root;
        for (String part : path.split("\\.")) {
            if (!(node instanceof Map)) {
                return null;
            }
            node = ((Map<?, ?>) node).get(part);
        }
        return node;
    }

    public boolean has(final String path) {
        return raw(path) != null;
    }

    public String string(final String path, final String defaultValue) throws ConfigException {
        final Object v = raw(path);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Map || v instanceof List) {
            throw error(path, v, "a single value");
        }
        return String.valueOf(v);
    }

    public boolean bool(final String path, final boolean defaultValue) throws ConfigException {
        final Object v = raw(path);
        if (v == null) {
            return defaultValue;
        }
        if (!(v instanceof Boolean)) {
            throw error(path, v, "true or false");
        }
        return (Boolean) v;
    }

    public long integer(final String path, final long defaultValue, final long min, final long max)
        throws ConfigException {
        final Object v = raw(path);
        if (v == null) {
            return defaultValue;
        }
        final long value;
        if (v instanceof Integer || v instanceof Long) {
            value = ((Number) v).longValue();
        } else {
            try {
                value = Long.parseLong(String.valueOf(v).replace("_", ""));
            } catch (NumberFormatException e) {
                throw error(path, v, "a whole number between " + min + " and " + max);
            }
        }
        if (value < min || value > max) {
            throw error(path, v, "a whole number between " + min + " and " + max);
        }
        return value;
    }

    /** A decimal number such as {@code 0.05} (a share, a ratio) within {@code [min, max]}. */
    public double decimal(final String path, final double defaultValue, final double min, final double max)
        throws ConfigException {
        final Object v = raw(path);
        if (v == null) {
            return defaultValue;
        }
        final double value;
        if (v instanceof Number n) {
            value = n.doubleValue();
        } else {
            try {
                value = Double.parseDouble(String.valueOf(v).trim());
            } catch (NumberFormatException e) {
                throw error(path, v, "a number between " + min + " and " + max);
            }
        }
        if (!(value >= min && value <= max)) {
            throw error(path, v, "a number between " + min + " and " + max);
        }
        return value;
    }

    /** A duration such as {@code 500ms}, {@code 15s}, {@code 5m}, {@code 1h}, {@code 1d}; returns millis. */
    public long durationMillis(final String path, final String defaultValue, final long minMillis, final long maxMillis)
        throws ConfigException {
        final Object v = raw(path);
        final String text = v == null ? defaultValue : String.valueOf(v).trim().toLowerCase(Locale.ROOT);
        final Matcher m = DURATION.matcher(text);
        final String range = "a duration like 500ms, 15s, 5m, 1h or 1d, between " + formatMillis(minMillis)
            + " and " + formatMillis(maxMillis);
        if (!m.matches()) {
            throw error(path, v, range);
        }
        final long n = Long.parseLong(m.group(1));
        final long unit;
        switch (m.group(2)) {
            case "ms": unit = 1; break;
            case "s": unit = 1000; break;
            case "m": unit = 60_000; break;
            case "h": unit = 3_600_000; break;
            default: unit = 86_400_000; break;
        }
        final long millis = n * unit;
        if (n > Long.MAX_VALUE / unit || millis < minMillis || millis > maxMillis) {
            throw error(path, v, range);
        }
        return millis;
    }

    /** A size such as {@code 64KiB}, {@code 1MiB} or a plain byte count; returns bytes. */
    public long sizeBytes(final String path, final String defaultValue, final long min, final long max)
        throws ConfigException {
        final Object v = raw(path);
        final String text = v == null ? defaultValue : String.valueOf(v).trim();
        final Matcher m = SIZE.matcher(text);
        final String range = "a size like 65536, 64KiB or 1MiB, between " + min + " and " + max + " bytes";
        if (!m.matches()) {
            throw error(path, v, range);
        }
        long unit = 1;
        if (m.group(2) != null) {
            switch (Character.toLowerCase(m.group(2).charAt(0))) {
                case 'k': unit = 1024; break;
                case 'm': unit = 1024 * 1024; break;
                case 'g': unit = 1024 * 1024 * 1024; break;
                default: unit = 1;
            }
        }
        final long bytes = Long.parseLong(m.group(1)) * unit;
        if (bytes < min || bytes > max) {
            throw error(path, v, range);
        }
        return bytes;
    }

    /** One of {@code allowed} (case-insensitive); returns it as written in {@code allowed}. */
    public String oneOf(final String path, final String defaultValue, final List<String> allowed) throws ConfigException {
        final String v = string(path, defaultValue);
        for (String a : allowed) {
            if (a.equalsIgnoreCase(v)) {
                return a;
            }
        }
        throw error(path, v, "one of " + String.join(", ", allowed));
    }

    public List<String> stringList(final String path, final List<String> defaultValue) throws ConfigException {
        final Object v = raw(path);
        if (v == null) {
            return defaultValue;
        }
        if (!(v instanceof List)) {
            throw error(path, v, "a list, like [a, b]");
        }
        final List<String> out = new ArrayList<>();
        for (Object o : (List<?>) v) {
            if (o == null || o instanceof Map || o instanceof List) {
                throw error(path, v, "a list of plain values");
            }
            out.add(String.valueOf(o));
        }
        return List.copyOf(out);
    }

    /** Fails on any key that no reader asked for: a typo must not silently fall back to a default. */
    public void rejectUnknownKeys() throws ConfigException {
        final List<String> unknown = new ArrayList<>();
        collect("", root, unknown);
        if (!unknown.isEmpty()) {
            final List<String> named = new ArrayList<>();
            unknown.forEach(u -> named.add(prefix + u));
            throw new ConfigException(source + ": unknown setting" + (named.size() > 1 ? "s " : " ")
                + String.join(", ", named) + " (see config/conversioni.yaml for every setting)");
        }
    }

    private void collect(final String prefix, final Map<?, ?> map, final List<String> unknown) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            final String path = prefix + e.getKey();
            if (known.contains(path)) {
                continue;
            }
            if (e.getValue() instanceof Map && known.stream().anyMatch(k -> k.startsWith(path + "."))) {
                collect(path + ".", (Map<?, ?>) e.getValue(), unknown);
            } else {
                unknown.add(path);
            }
        }
    }

    private ConfigException error(final String path, final Object value, final String expected) {
        return new ConfigException(source + ": " + prefix + path + " must be " + expected + ", was '" + value + "'");
    }

    /** A duration as this file's settings write it (1d, 2h, 5m, 15s, 500ms): the largest exact unit. */
    public static String formatMillis(final long millis) {
        if (millis % 86_400_000 == 0) {
            return millis / 86_400_000 + "d";
        }
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    /** A read-only view of the top-level document (for tools that print the effective configuration). */
    public Map<String, Object> document() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(root));
    }
}
