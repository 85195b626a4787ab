package io.conversioni.bench.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One load run's configuration: parsed once from the command line and validated before anything starts, with
 * errors that name the option and the bad value. Immutable; any thread. Only loopback targets are accepted, so a
 * mistyped URL cannot aim the generator at another machine.
 */
final class LoadSettings {
    static final String USAGE = "usage: LoadGenerator --url http://127.0.0.1:PORT[,http://127.0.0.1:PORT2...] --token TOKEN"
        + " --rate N|max --duration 10s"
        + " [--connections 16] [--batch 0|K] [--seed 42] [--duplicates 0.05] [--invalid 0.02] [--out-of-order 0.1]"
        + " [--insight-samples 200] [--insight-url URL] [--insight-poll 0ms] [--insight-timeout 2s]"
        + " [--json FILE] [--name NAME] [--drain 5s] [--warmup 0s] [--stalls 0ms]\n"
        + "       LoadGenerator --self-test";

    static final long MAX_DURATION_NANOS = 600_000_000_000L;
    static final double MAX_RATE_PER_SECOND = 1_000_000;
    static final long WARMUP_SEED_MIX = 0x5DEECE66DL;
    /** The insight probe's pause between two polls when {@code --insight-poll} is 0 (the default). */
    static final long DEFAULT_INSIGHT_POLL_NANOS = 200_000L;

    /** The first {@code --url}: the insight probe posts there. */
    final InetSocketAddress target;
    /**
     * Every {@code --url} (a comma-separated list: the nodes of a cluster, any of which takes any event); connection
     * i of the load goes to {@code targets[i % targets.length]}.
     */
    final InetSocketAddress[] targets;
    /** {@code --insight-url}: where the probe polls {@code GET /api/v1/metriche} (default the first --url). */
    final InetSocketAddress insightTarget;
    final long insightPollNanos;
    /** {@code --insight-timeout}: a sample not visible this long after its POST counts as "not visible". */
    final long insightTimeoutNanos;
    final String hostHeader;
    final String token;
    /** Requests per second of the open-loop schedule; 0 in closed loop ({@code --rate max}). */
    final double ratePerSecond;
    /**
     * {@code --rate max}: closed loop, the maximum-throughput mode. Each connection sends its next request as
     * soon as the previous answer arrived, for the duration; latency is then service time (from the actual
     * send), not open-loop latency.
     */
    final boolean closedLoop;
    final long durationNanos;
    final long drainNanos;
    /**
     * {@code --warmup}: a first run of this length in the same JVM, same rate and traffic mix, another seed, no
     * insight probe, its numbers thrown away; so the generator's own JIT compilation and the server's first
     * answers are not in the measured tail. 0 = none.
     */
    final long warmupNanos;
    final int connections;
    final int batchEvents;
    final long seed;
    final double duplicateShare;
    final double invalidShare;
    final double outOfOrderShare;
    final int insightSamples;
    /**
     * {@code --stalls}: print one stderr line per stall episode of the measured run, the wall-clock instant its
     * first request was due and its latency, once a request's latency passes this (0: off), so that a tail can
     * be matched with the server's GC log or journal roll by time.
     */
    final long stallNanos;
    final Path jsonFile;
    final String name;

    LoadSettings(final InetSocketAddress[] targets, final InetSocketAddress insightTarget, final long insightPollNanos,
                 final long insightTimeoutNanos, final String token, final double ratePerSecond, final long durationNanos,
                 final long drainNanos, final long warmupNanos, final int connections, final int batchEvents, final long seed,
                 final double duplicateShare, final double invalidShare, final double outOfOrderShare,
                 final int insightSamples, final long stallNanos, final Path jsonFile, final String name) {
        this.targets = targets;
        this.target = targets[0];
        this.insightTarget = insightTarget;
        this.insightPollNanos = insightPollNanos;
        this.insightTimeoutNanos = insightTimeoutNanos;
        this.hostHeader = target.getHostString() + ":" + target.getPort();
        this.token = token;
        this.ratePerSecond = ratePerSecond;
        this.closedLoop = ratePerSecond == 0;
        this.durationNanos = durationNanos;
        this.drainNanos = drainNanos;
        this.warmupNanos = warmupNanos;
        this.connections = connections;
        this.batchEvents = batchEvents;
        this.seed = seed;
        this.duplicateShare = duplicateShare;
        this.invalidShare = invalidShare;
        this.outOfOrderShare = outOfOrderShare;
        this.insightSamples = insightSamples;
        this.stallNanos = stallNanos;
        this.jsonFile = jsonFile;
        this.name = name;
    }

    /** Requests the schedule holds: rate × duration, rounded (0 in closed loop: as many as get answered). */
    long totalRequests() {
        return closedLoop ? 0 : Math.max(1, Math.round(ratePerSecond * durationNanos / 1e9));
    }

    double periodNanos() {
        return 1e9 / ratePerSecond;
    }

    /**
     * The warm-up run's settings: the same target, rate, connections and mix for {@link #warmupNanos}, seed
     * {@code seed ^ WARMUP_SEED_MIX} (so its events are not re-sent as the measured run's and counted as
     * duplicates), no insight probe, no stall lines, no JSON file, no warm-up of its own.
     */
    LoadSettings warmupRun() {
        return new LoadSettings(targets, insightTarget, insightPollNanos, insightTimeoutNanos, token, ratePerSecond, warmupNanos, drainNanos, 0, connections, batchEvents,
            seed ^ WARMUP_SEED_MIX, duplicateShare, invalidShare, outOfOrderShare, 0, 0, null, name + "-warmup");
    }

    /** Parses and validates; throws {@link IllegalArgumentException} naming the option and the value. */
    static LoadSettings parse(final String[] args) {
        String url = null;
        String token = null;
        String rate = null;
        String duration = null;
        String connections = "16";
        String batch = "0";
        String seed = "42";
        String duplicates = "0.05";
        String invalid = "0.02";
        String outOfOrder = "0.1";
        String insight = "200";
        String insightUrl = null;
        String insightPoll = "0ms";
        String insightTimeout = "2s";
        String drain = "5s";
        String warmup = "0s";
        String stalls = "0ms";
        String json = null;
        String name = null;
        for (int i = 0; i < args.length; i++) {
            final String key = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(key + " needs a value");
            }
            final String value = args[++i];
            switch (key) {
                case "--url": url = value; break;
                case "--token": token = value; break;
                case "--rate": rate = value; break;
                case "--duration": duration = value; break;
                case "--connections": connections = value; break;
                case "--batch": batch = value; break;
                case "--seed": seed = value; break;
                case "--duplicates": duplicates = value; break;
                case "--invalid": invalid = value; break;
                case "--out-of-order": outOfOrder = value; break;
                case "--insight-samples": insight = value; break;
                case "--insight-url": insightUrl = value; break;
                case "--insight-poll": insightPoll = value; break;
                case "--insight-timeout": insightTimeout = value; break;
                case "--drain": drain = value; break;
                case "--warmup": warmup = value; break;
                case "--stalls": stalls = value; break;
                case "--json": json = value; break;
                case "--name": name = value; break;
                default: throw new IllegalArgumentException("unknown option " + key);
            }
        }
        require("--url", url);
        require("--token", token);
        require("--rate", rate);
        require("--duration", duration);
        final double ratePerSecond = "max".equals(rate) ? 0 : number("--rate", rate, 0.001, MAX_RATE_PER_SECOND);
        final long durationNanos = durationNanos("--duration", duration);
        final int batchEvents = (int) integer("--batch", batch, 0, 10_000);
        final double dup = number("--duplicates", duplicates, 0, 1);
        final double bad = number("--invalid", invalid, 0, 1);
        if (dup + bad > 1) {
            throw new IllegalArgumentException("--duplicates + --invalid must be at most 1, was " + (dup + bad));
        }
        final String runName = name != null ? name
            : String.format(Locale.ROOT, "http-%s-%s", batchEvents == 0 ? "single" : "batch" + batchEvents,
                ratePerSecond == 0 ? "max" : String.format(Locale.ROOT, "%.0frps", ratePerSecond));
        final String[] urls = url.split(",");
        final InetSocketAddress[] targets = new InetSocketAddress[urls.length];
        for (int i = 0; i < urls.length; i++) {
            targets[i] = loopback(urls[i].strip());
        }
        final long pollNanos = durationNanos("--insight-poll", insightPoll, 0);
        return new LoadSettings(targets, insightUrl == null ? targets[0] : loopback(insightUrl),
            pollNanos == 0 ? DEFAULT_INSIGHT_POLL_NANOS : pollNanos, durationNanos("--insight-timeout", insightTimeout), token, ratePerSecond, durationNanos, durationNanos("--drain", drain),
            durationNanos("--warmup", warmup, 0),
            (int) integer("--connections", connections, 1, 1024), batchEvents, integer("--seed", seed, Long.MIN_VALUE, Long.MAX_VALUE),
            dup, bad, number("--out-of-order", outOfOrder, 0, 1), (int) integer("--insight-samples", insight, 0, 10_000),
            durationNanos("--stalls", stalls, 0), json == null ? null : Path.of(json), runName);
    }

    private static void require(final String key, final String value) {
        if (value == null) {
            throw new IllegalArgumentException(key + " is required");
        }
    }

    private static double number(final String key, final String value, final double min, final double max) {
        final double parsed;
        try {
            parsed = Double.parseDouble(value);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, was '" + value + "'", e);
        }
        if (!(parsed >= min && parsed <= max)) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", was '" + value + "'");
        }
        return parsed;
    }

    private static long integer(final String key, final String value, final long min, final long max) {
        final long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, was '" + value + "'", e);
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", was '" + value + "'");
        }
        return parsed;
    }

    /** 500ms, 10s, 2m; at least 1 unit, at most 10 minutes. */
    static long durationNanos(final String key, final String value) {
        return durationNanos(key, value, 1);
    }

    /** As {@link #durationNanos(String, String)}, at least {@code minAmount} of the unit (0 allows none). */
    static long durationNanos(final String key, final String value, final long minAmount) {
        final long unitNanos;
        final String digits;
        if (value.endsWith("ms")) {
            unitNanos = 1_000_000L;
            digits = value.substring(0, value.length() - 2);
        } else if (value.endsWith("s")) {
            unitNanos = 1_000_000_000L;
            digits = value.substring(0, value.length() - 1);
        } else if (value.endsWith("m")) {
            unitNanos = 60_000_000_000L;
            digits = value.substring(0, value.length() - 1);
        } else {
            throw new IllegalArgumentException(key + " must be a duration like 500ms, 10s or 2m, was '" + value + "'");
        }
        final long amount = integer(key, digits, minAmount, MAX_DURATION_NANOS / unitNanos);
        return amount * unitNanos;
    }

    private static InetSocketAddress loopback(final String url) {
        final URI uri;
        try {
            uri = URI.create(url);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("--url is not a URL, was '" + url + "'", e);
        }
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() <= 0) {
            throw new IllegalArgumentException("--url must be http://HOST:PORT (plain HTTP, explicit port), was '" + url + "'");
        }
        if (uri.getPath() != null && !uri.getPath().isEmpty() && !"/".equals(uri.getPath())) {
            throw new IllegalArgumentException("--url must have no path (the API paths are fixed), was '" + url + "'");
        }
        final InetAddress address;
        try {
            address = InetAddress.getByName(uri.getHost());
        } catch (final UnknownHostException e) {
            throw new IllegalArgumentException("--url host does not resolve, was '" + uri.getHost() + "'", e);
        }
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("--url must be a loopback address (127.0.0.1, localhost, ::1), was '" + url + "'");
        }
        return new InetSocketAddress(address, uri.getPort());
    }
}
