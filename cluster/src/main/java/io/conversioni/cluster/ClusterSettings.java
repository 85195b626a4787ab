package io.conversioni.cluster;

import io.conversioni.config.ConfigException;
import io.conversioni.config.ConfigReader;

import java.util.Arrays;
import java.util.BitSet;
import java.util.regex.Pattern;

/**
 * The {@code cluster:} section of {@code conversioni.yaml}, read once and validated as a whole before
 * anything connects: the five keys of the contract ({@code bootstrap_servers}, {@code topic},
 * {@code partitions}, {@code node}, {@code owns}) and the optional ones documented beside them in
 * config/conversioni.yaml. Errors name the key as the user wrote it ({@code cluster.owns: partition 7 is
 * outside 0-5}). What one file cannot check (two nodes with the same name, a partition nobody owns) is
 * for the cluster view, not for this class.
 *
 * <p>Start-up only, single-threaded, allocates freely; immutable once built, so any thread may read it.
 */
public final class ClusterSettings {
    /** The section's name at the top of the file; every message names keys under it. */
    public static final String SECTION = "cluster";
    public static final String DEFAULT_TOPIC = "conversioni_eventi";
    public static final String DEFAULT_REPLY_TOPIC = "conversioni_esiti";
    public static final String DEFAULT_CELLS_TOPIC = "conversioni_finestre";
    public static final String DEFAULT_ALERTS_TOPIC = "conversioni_allarmi";
    public static final String DEFAULT_REPORTS_TOPIC = "conversioni_rapporti";
    /** {@link #replicationFactor()} and {@link #minInsyncReplicas()} when the broker's own default applies. */
    public static final int BROKER_DEFAULT = -1;
    /** Kafka allows more; past this a typo is likelier than a real topic. */
    public static final int MAX_PARTITIONS = 10_000;

    private static final String KEY = SECTION + ".";
    /** Kafka's legal topic characters (and client.id's, so a node name can be both). */
    private static final Pattern KAFKA_NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final int MAX_TOPIC_LENGTH = 249;
    private static final int MAX_NODE_LENGTH = 64;
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+):(\\d{1,5})");

    private final String bootstrapServers;
    private final String topic;
    private final int partitions;
    private final String node;
    private final String ownsAsWritten;
    private final int[] owned;
    private final int replicationFactor;
    private final int minInsyncReplicas;
    private final String replyTopic;
    private final String cellsTopic;
    private final String alertsTopic;
    private final String reportsTopic;
    private final long verdictTimeoutMs;
    private final long producerBufferBytes;
    private final long lingerMs;
    private final long brokerTimeoutMs;

    private ClusterSettings(final ConfigReader r) throws ConfigException {
        final String source = r.source();
        this.bootstrapServers = bootstrapServers(required(r, "bootstrap_servers", "127.0.0.1:9092"), source);
        this.topic = topicName(r, "topic", DEFAULT_TOPIC);
        if (!r.has("partitions")) {
            throw missing(source, "partitions", "6", "the events topic's partition count, the same on every node");
        }
        this.partitions = (int) r.integer("partitions", 1, 1, MAX_PARTITIONS);
        this.node = required(r, "node", "a");
        if (node.length() > MAX_NODE_LENGTH || !KAFKA_NAME.matcher(node).matches()) {
            throw new ConfigException(source + ": " + KEY + "node must be 1 to " + MAX_NODE_LENGTH
                + " letters, digits, '.', '_' or '-', was '" + node + "'");
        }
        if (!r.has("owns")) {
            throw missing(source, "owns", "\"0-2\"", "the partitions this node owns (\"\" for none)");
        }
        this.ownsAsWritten = r.string("owns", "").trim();
        this.owned = parseOwns(ownsAsWritten, partitions, source);
        this.replicationFactor = r.has("replication_factor")
            ? (int) r.integer("replication_factor", 1, 1, Short.MAX_VALUE) : BROKER_DEFAULT;
        this.minInsyncReplicas = r.has("min_insync_replicas")
            ? (int) r.integer("min_insync_replicas", 1, 1, Short.MAX_VALUE) : BROKER_DEFAULT;
        if (replicationFactor != BROKER_DEFAULT && minInsyncReplicas > replicationFactor) {
            throw new ConfigException(source + ": " + KEY + "min_insync_replicas must be at most "
                + KEY + "replication_factor (" + replicationFactor + "), was '" + minInsyncReplicas + "'");
        }
        this.replyTopic = topicName(r, "reply_topic", DEFAULT_REPLY_TOPIC);
        this.cellsTopic = topicName(r, "cells_topic", DEFAULT_CELLS_TOPIC);
        if (topic.equals(replyTopic) || topic.equals(cellsTopic) || replyTopic.equals(cellsTopic)) {
            throw new ConfigException(source + ": " + KEY + "topic, " + KEY + "reply_topic and " + KEY
                + "cells_topic must be three different topics, were '" + topic + "', '" + replyTopic + "', '"
                + cellsTopic + "'");
        }
        this.alertsTopic = topicName(r, "alerts_topic", DEFAULT_ALERTS_TOPIC);
        if (alertsTopic.equals(topic) || alertsTopic.equals(replyTopic) || alertsTopic.equals(cellsTopic)) {
            throw new ConfigException(source + ": " + KEY + "alerts_topic must differ from " + KEY + "topic, " + KEY
                + "reply_topic and " + KEY + "cells_topic, was '" + alertsTopic + "'");
        }
        this.reportsTopic = topicName(r, "reports_topic", DEFAULT_REPORTS_TOPIC);
        if (java.util.List.of(topic, replyTopic, cellsTopic, alertsTopic).contains(reportsTopic)) {
            throw new ConfigException(source + ": " + KEY + "reports_topic must differ from " + KEY + "topic, " + KEY
                + "reply_topic, " + KEY + "cells_topic and " + KEY + "alerts_topic, was '" + reportsTopic + "'");
        }
        this.verdictTimeoutMs = r.durationMillis("verdict_timeout", "5s", 100, 60_000);
        this.producerBufferBytes = r.sizeBytes("producer_buffer", "32MiB", 1L << 20, 1L << 30);
        this.lingerMs = r.durationMillis("linger", "0ms", 0, 1_000);
        this.brokerTimeoutMs = r.durationMillis("broker_timeout", "10s", 1_000, 300_000);
        r.rejectUnknownKeys();
    }

    /**
     * Reads and checks the section; {@code section} is the reader of {@code cluster:} (from
     * {@link ConfigReader#section(String)}), which it marks fully read.
     */
    public static ClusterSettings read(final ConfigReader section) throws ConfigException {
        return new ClusterSettings(section);
    }

    /** Whether a whole configuration asks for cluster mode (without it: one node, no Kafka client). */
    public static boolean present(final ConfigReader root) {
        return root.has(SECTION);
    }

    private static String required(final ConfigReader r, final String key, final String example)
        throws ConfigException {
        final String value = r.string(key, "").trim();
        if (value.isEmpty()) {
            throw missing(r.source(), key, example, null);
        }
        return value;
    }

    private static ConfigException missing(final String source, final String key, final String example,
                                           final String what) {
        return new ConfigException(source + ": " + KEY + key + " must be set" + (what == null ? "" : " to " + what)
            + ", like " + key + ": " + example);
    }

    private static String bootstrapServers(final String value, final String source) throws ConfigException {
        for (String entry : value.split(",", -1)) {
            final var m = HOST_PORT.matcher(entry.trim());
            if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65_535) {
                throw new ConfigException(source + ": " + KEY + "bootstrap_servers must be host:port entries "
                    + "separated by commas, like 127.0.0.1:9092, was '" + value + "'");
            }
        }
        return value.replace(" ", "");
    }

    private static String topicName(final ConfigReader r, final String key, final String defaultValue)
        throws ConfigException {
        final String name = r.string(key, defaultValue).trim();
        if (name.isEmpty() || name.length() > MAX_TOPIC_LENGTH || ".".equals(name) || "..".equals(name)
            || !KAFKA_NAME.matcher(name).matches()) {
            throw new ConfigException(r.source() + ": " + KEY + key + " must be a Kafka topic name (1 to "
                + MAX_TOPIC_LENGTH + " letters, digits, '.', '_' or '-'), was '" + name + "'");
        }
        return name;
    }

    /** "0-2", "0,2,4", "0-2,5", or "" (none): sorted partition numbers, each once, all below {@code partitions}. */
    static int[] parseOwns(final String text, final int partitions, final String source) throws ConfigException {
        return parsePartitions(text, partitions, source + ": " + KEY + "owns: ");
    }

    /**
     * A partition list written as {@code cluster.owns} is ({@code "0-2"}, {@code "0,2,4"}), each below
     * {@link #partitions()}, for a command's option; errors start with {@code what} ({@code "--partitions: "}).
     */
    public int[] partitionList(final String text, final String what) throws ConfigException {
        return parsePartitions(text.trim(), partitions, what);
    }

    private static int[] parsePartitions(final String text, final int partitions, final String prefix)
        throws ConfigException {
        final BitSet seen = new BitSet(partitions);
        if (text.isEmpty()) {
            return new int[0];
        }
        for (String item : text.split(",", -1)) {
            final String part = item.trim();
            final int dash = part.indexOf('-', 1);
            final int first = partition(dash < 0 ? part : part.substring(0, dash), part, prefix);
            final int last = dash < 0 ? first : partition(part.substring(dash + 1), part, prefix);
            if (last < first) {
                throw new ConfigException(prefix + "range " + part + " runs backwards; write it as " + last + "-" + first);
            }
            for (int p = first; p <= last; p++) {
                if (p >= partitions) {
                    throw new ConfigException(prefix + "partition " + p + " is outside 0-" + (partitions - 1)
                        + " (" + KEY + "partitions is " + partitions + ")");
                }
                if (seen.get(p)) {
                    throw new ConfigException(prefix + "partition " + p + " is listed twice in '" + text + "'");
                }
                seen.set(p);
            }
        }
        return seen.stream().toArray();
    }

    private static int partition(final String digits, final String item, final String prefix) throws ConfigException {
        final String d = digits.trim();
        if (d.isEmpty() || d.length() > 9 || !d.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ConfigException(prefix + "'" + item + "' is not a partition number or a range like 0-2 "
                + "(write owns as \"0-2\", \"0,2,4\" or \"\" for none)");
        }
        return Integer.parseInt(d);
    }

    /** {@code cluster.bootstrap_servers}, as Kafka's {@code bootstrap.servers} takes it. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** {@code cluster.topic}: the events, keyed by id_cliente. */
    public String topic() {
        return topic;
    }

    /** {@code cluster.partitions}: the events topic's partition count, fixed for the cluster's life. */
    public int partitions() {
        return partitions;
    }

    /** {@code cluster.node}: this node's unique name; the key of the verdicts sent back to it. */
    public String node() {
        return node;
    }

    /** {@code cluster.owns} as written (for messages and {@code GET /api/v1/cluster}). */
    public String ownsAsWritten() {
        return ownsAsWritten;
    }

    /** The partitions this node owns, ascending; empty for a node that only receives and answers queries. */
    public int[] ownedPartitions() {
        return owned.clone();
    }

    public boolean owns(final int partition) {
        return Arrays.binarySearch(owned, partition) >= 0;
    }

    /**
     * True for an {@code id_cliente} whose events go to a partition this node owns (Kafka's default partitioner,
     * {@link KeyPartitions}): the rows this node reconciles. False for every one on a node that owns nothing.
     */
    public java.util.function.Predicate<String> ownsIdCliente() {
        return KeyPartitions.owning(owned, partitions);
    }

    /** The partition that elects this node to run the cluster-wide rules and reports: the owner of partition 0. */
    public boolean elected() {
        return owns(0);
    }

    /** {@code cluster.replication_factor}, or {@link #BROKER_DEFAULT} for the broker's {@code default.replication.factor}. */
    public int replicationFactor() {
        return replicationFactor;
    }

    /** {@code cluster.min_insync_replicas}, or {@link #BROKER_DEFAULT} for the broker's {@code min.insync.replicas}. */
    public int minInsyncReplicas() {
        return minInsyncReplicas;
    }

    /** {@code cluster.reply_topic}: verdicts from the owners, keyed by the receiving node's name. */
    public String replyTopic() {
        return replyTopic;
    }

    /** {@code cluster.cells_topic}: the owners' window cells, compacted, one key per partition and window. */
    /** {@code cluster.reports_topic}: each node's daily reports, compacted, one partition. */
    public String reportsTopic() {
        return reportsTopic;
    }

    /** {@code cluster.alerts_topic}: the cluster-wide alerts' state, compacted, one partition. */
    public String alertsTopic() {
        return alertsTopic;
    }

    public String cellsTopic() {
        return cellsTopic;
    }

    /** {@code cluster.verdict_timeout}: longest an HTTP answer waits for the owner's verdict before a 503. */
    public long verdictTimeoutMs() {
        return verdictTimeoutMs;
    }

    /** {@code cluster.producer_buffer}: the producer's {@code buffer.memory}; full means 503, never a wait. */
    public long producerBufferBytes() {
        return producerBufferBytes;
    }

    /** {@code cluster.linger}: the producer's {@code linger.ms}, added to every awaited acknowledgement. */
    public long lingerMs() {
        return lingerMs;
    }

    /** {@code cluster.broker_timeout}: bound on each admin call (topics at start) and on connecting at all. */
    public long brokerTimeoutMs() {
        return brokerTimeoutMs;
    }

    @Override
    public String toString() {
        return "cluster node " + node + " owning [" + ownsAsWritten + "] of " + topic + " (" + partitions
            + " partitions) at " + bootstrapServers;
    }
}
