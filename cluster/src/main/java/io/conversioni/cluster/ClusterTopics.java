package io.conversioni.cluster;

import io.conversioni.config.ConfigReader;
import io.conversioni.config.EngineConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Makes the cluster's five topics exist as the configuration describes them, before a node takes any
 * event: the events topic ({@code cluster.topic}, {@code cluster.partitions} partitions, keyed by
 * id_cliente), the verdict replies ({@code cluster.reply_topic}, short retention) and the window cells
 * ({@code cluster.cells_topic}, compacted, one partition per events partition) and the cluster-wide alerts' state
 * ({@code cluster.alerts_topic}, compacted, one partition: {@link ClusterAlertStates}) and the nodes' daily reports
 * ({@code cluster.reports_topic}, compacted, one partition: {@link ClusterReports}). An absent topic is
 * created with {@code cluster.replication_factor} and {@code cluster.min_insync_replicas}; an existing
 * events or cells topic with another partition count is refused, because a different count sends an
 * id_cliente to another partition and splits its dedupe state between owners. Kafka's partitions are
 * never added here, and so is an events topic whose {@code retention.ms} is shorter than a rebuild reads
 * back ({@link #minEventsRetentionMs}), or a cells, alerts or reports topic that is not compacted. {@link #ensure}
 * returns once the broker describes all five.
 *
 * <p>Every broker call is bounded by {@code cluster.broker_timeout}: an unreachable broker gives
 * {@link ClusterException#KAFKA_UNREACHABLE}, never a hang. Start-up only, from one thread; allocates
 * freely; holds nothing between calls.
 */
public final class ClusterTopics {
    /** Verdicts matter only while an HTTP answer waits for them; an hour leaves room to debug. */
    static final long REPLY_RETENTION_MS = 3_600_000;
    /** Kafka's own default (7 days), kept for a created events topic unless the rebuild needs longer. */
    static final long DEFAULT_EVENTS_RETENTION_MS = 7L * 86_400_000;
    private static final long CLOSE_TIMEOUT_MS = 1_000;
    /** Between two looks for a topic another node has just created (its metadata spreading to every broker). */
    private static final long METADATA_POLL_MS = 50;

    private ClusterTopics() {
    }

    /** What {@link #ensure} found: the topics it created and those that were already there (and fit). */
    public record Outcome(List<String> created, List<String> existing) {
    }

    /**
     * The events topic's shortest acceptable {@code retention.ms} for this engine configuration: a
     * replacement node rebuilds its partitions from {@code windows.horizon} plus the dedupe TTL back.
     */
    public static long minEventsRetentionMs(final EngineConfig config) {
        return config.windows().horizonMs() + config.dedupe().ttlMillis();
    }

    /**
     * Connects with an {@link Admin} of its own, makes the topics exist, checks them, and closes it.
     * {@code minEventsRetentionMs}: see {@link #minEventsRetentionMs(EngineConfig)}.
     */
    public static Outcome ensure(final ClusterSettings settings, final long minEventsRetentionMs)
        throws ClusterException, InterruptedException {
        final Admin admin;
        try {
            admin = Admin.create(adminProperties(settings));
        } catch (KafkaException e) {
            throw unreachable(settings, e);
        }
        try {
            return ensure(admin, settings, minEventsRetentionMs);
        } finally {
            admin.close(Duration.ofMillis(CLOSE_TIMEOUT_MS));
        }
    }

    /** As {@link #ensure(ClusterSettings, long)} with the caller's admin client (left open). */
    public static Outcome ensure(final Admin admin, final ClusterSettings settings, final long minEventsRetentionMs)
        throws ClusterException, InterruptedException {
        final Map<String, NewTopic> wanted = wanted(settings, minEventsRetentionMs);
        final Map<String, TopicDescription> found = describe(admin, settings, wanted.keySet());
        check(admin, settings, found, minEventsRetentionMs); // before creating anything: a refused start leaves the broker as it was
        final List<String> created = new ArrayList<>();
        final List<String> existing = new ArrayList<>(found.keySet());
        // one at a time, the events topic first: a start refused on a raced topic leaves the others uncreated
        for (NewTopic topic : wanted.values()) {
            if (found.containsKey(topic.name())) {
                continue;
            }
            try {
                await(admin.createTopics(List.of(topic)).values().get(topic.name()), settings);
                // so that a client using the topic right after this call finds it on the broker it asks
                awaitDescribed(admin, settings, topic.name());
                created.add(topic.name());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw failure(settings, "create topic " + topic.name() + " with " + topic.numPartitions()
                        + " partitions and replication " + replicationText(settings), e.getCause());
                }
                // another node created it meanwhile: check it like any other
                check(admin, settings, Map.of(topic.name(), awaitDescribed(admin, settings, topic.name())),
                    minEventsRetentionMs);
                existing.add(topic.name());
            }
        }
        return new Outcome(List.copyOf(created), List.copyOf(existing));
    }

    /** The admin client's settings: every call, and connecting at all, bounded by {@code cluster.broker_timeout}. */
    static Properties adminProperties(final ClusterSettings settings) {
        final Properties p = new Properties();
        final long timeoutMs = settings.brokerTimeoutMs();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "conversioni-" + settings.node() + "-admin");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        p.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 1_000L));
        p.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, Math.min(timeoutMs, 5_000L));
        return p;
    }

    private static Map<String, NewTopic> wanted(final ClusterSettings s, final long minEventsRetentionMs) {
        final Optional<Short> replication = s.replicationFactor() == ClusterSettings.BROKER_DEFAULT
            ? Optional.empty() : Optional.of((short) s.replicationFactor());
        final Map<String, String> durable = new LinkedHashMap<>();
        if (s.minInsyncReplicas() != ClusterSettings.BROKER_DEFAULT) {
            durable.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(s.minInsyncReplicas()));
        }
        final Map<String, String> events = new LinkedHashMap<>(durable);
        events.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        events.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(Math.max(minEventsRetentionMs,
            DEFAULT_EVENTS_RETENTION_MS)));
        final Map<String, String> replies = new LinkedHashMap<>(durable);
        replies.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        replies.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(REPLY_RETENTION_MS));
        final Map<String, String> cells = new LinkedHashMap<>(durable);
        cells.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);

        final Map<String, NewTopic> wanted = new LinkedHashMap<>();
        final Optional<Integer> partitions = Optional.of(s.partitions());
        wanted.put(s.topic(), new NewTopic(s.topic(), partitions, replication).configs(events));
        wanted.put(s.replyTopic(), new NewTopic(s.replyTopic(), partitions, replication).configs(replies));
        wanted.put(s.cellsTopic(), new NewTopic(s.cellsTopic(), partitions, replication).configs(cells));
        // one partition: a handful of keys (regola/chiave), read whole by the elected node at its start
        wanted.put(s.alertsTopic(), new NewTopic(s.alertsTopic(), Optional.of(1), replication).configs(cells));
        wanted.put(s.reportsTopic(), new NewTopic(s.reportsTopic(), Optional.of(1), replication).configs(cells));
        return wanted;
    }

    /** The descriptions of those of {@code names} that exist. */
    private static Map<String, TopicDescription> describe(final Admin admin, final ClusterSettings settings,
                                                          final Iterable<String> names)
        throws ClusterException, InterruptedException {
        final List<String> list = new ArrayList<>();
        names.forEach(list::add);
        final Map<String, TopicDescription> found = new LinkedHashMap<>();
        if (list.isEmpty()) {
            return found;
        }
        final Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(list).topicNameValues();
        for (String name : list) {
            try {
                found.put(name, await(futures.get(name), settings));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw failure(settings, "describe topic " + name, e.getCause());
                }
            }
        }
        return found;
    }

    /**
     * A topic that exists (created here or by another node) but whose metadata may not have reached the
     * broker answering yet: asked again until it is described, within {@code cluster.broker_timeout}.
     */
    private static TopicDescription awaitDescribed(final Admin admin, final ClusterSettings settings,
                                                     final String name)
        throws ClusterException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.brokerTimeoutMs());
        while (true) {
            final TopicDescription d = describe(admin, settings, List.of(name)).get(name);
            if (d != null) {
                return d;
            }
            if (System.nanoTime() > deadline) {
                throw new ClusterException(ClusterException.TOPIC_REFUSED, "topic " + name + " exists at "
                    + settings.bootstrapServers() + " but was not described within "
                    + ConfigReader.formatMillis(settings.brokerTimeoutMs()) + " (cluster.broker_timeout)");
            }
            Thread.sleep(METADATA_POLL_MS);
        }
    }

    /** Refuses existing topics that do not fit; a topic created just now fits by construction. */
    private static void check(final Admin admin, final ClusterSettings settings,
                              final Map<String, TopicDescription> existing, final long minEventsRetentionMs)
        throws ClusterException, InterruptedException {
        if (existing.containsKey(settings.topic())) {
            checkPartitions(settings, settings.topic(), existing.get(settings.topic()));
            checkRetention(settings, topicConfig(admin, settings, settings.topic()), minEventsRetentionMs);
        }
        if (existing.containsKey(settings.cellsTopic())) {
            checkPartitions(settings, settings.cellsTopic(), existing.get(settings.cellsTopic()));
            checkCompacted(settings, settings.cellsTopic(), "cluster.cells_topic", "window cells",
                topicConfig(admin, settings, settings.cellsTopic()));
        }
        if (existing.containsKey(settings.alertsTopic())) {
            checkCompacted(settings, settings.alertsTopic(), "cluster.alerts_topic", "the alerts' state",
                topicConfig(admin, settings, settings.alertsTopic()));
        }
        if (existing.containsKey(settings.reportsTopic())) {
            checkCompacted(settings, settings.reportsTopic(), "cluster.reports_topic", "the nodes' reports",
                topicConfig(admin, settings, settings.reportsTopic()));
        }
    }

    private static void checkPartitions(final ClusterSettings settings, final String topic,
                                        final TopicDescription description) throws ClusterException {
        final int actual = description.partitions().size();
        if (actual != settings.partitions()) {
            throw new ClusterException(ClusterException.TOPIC_PARTITIONS_MISMATCH, "topic " + topic + " at "
                + settings.bootstrapServers() + " has " + actual + " partitions but cluster.partitions is "
                + settings.partitions() + "; a different count would send an id_cliente to another partition and "
                + "split its dedupe state: set cluster.partitions to " + actual + " on every node, or name new "
                + "topics (cluster.topic, cluster.cells_topic)");
        }
    }

    private static Config topicConfig(final Admin admin, final ClusterSettings settings, final String topic)
        throws ClusterException, InterruptedException {
        final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            return await(admin.describeConfigs(List.of(resource)).values().get(resource), settings);
        } catch (ExecutionException e) {
            throw failure(settings, "describe the settings of topic " + topic, e.getCause());
        }
    }

    private static void checkRetention(final ClusterSettings settings, final Config config, final long minMs)
        throws ClusterException {
        final ConfigEntry retention = config.get(TopicConfig.RETENTION_MS_CONFIG);
        final long ms = retention == null ? -1 : Long.parseLong(retention.value());
        if (ms >= 0 && ms < minMs) {
            throw new ClusterException(ClusterException.TOPIC_MISCONFIGURED, "topic " + settings.topic()
                + " (cluster.topic) keeps records for retention.ms=" + ms + " ("
                + ConfigReader.formatMillis(ms) + ") but a node rebuilding its partitions reads windows.horizon "
                + "plus the dedupe ttl back, " + minMs + " ms (" + ConfigReader.formatMillis(minMs) + "): raise "
                + "retention.ms on the topic to at least " + minMs + ", or shorten windows.horizon");
        }
    }

    private static void checkCompacted(final ClusterSettings settings, final String topic, final String key,
                                       final String what, final Config config) throws ClusterException {
        final ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            throw new ClusterException(ClusterException.TOPIC_MISCONFIGURED, "topic " + topic
                + " (" + key + ") has cleanup.policy=" + (policy == null ? "?" : policy.value())
                + " but " + what + " need a compacted topic: set cleanup.policy=compact on it, or name another "
                + "topic in " + key);
        }
    }

    /** A broker answer, bounded a second time here in case the client's own timeout does not fire. */
    private static <T> T await(final KafkaFuture<T> future, final ClusterSettings settings)
        throws ExecutionException, InterruptedException, ClusterException {
        try {
            return future.get(settings.brokerTimeoutMs() + CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            future.cancel(true);
            throw unreachable(settings, e);
        }
    }

    private static ClusterException failure(final ClusterSettings settings, final String what, final Throwable cause) {
        if (cause instanceof TimeoutException) {
            return unreachable(settings, cause);
        }
        return new ClusterException(ClusterException.TOPIC_REFUSED, "the broker at " + settings.bootstrapServers()
            + " would not " + what + ": " + cause.getMessage() + " (check cluster.replication_factor and "
            + "cluster.min_insync_replicas against the brokers there, and this node's rights on the topics)", cause);
    }

    private static ClusterException unreachable(final ClusterSettings settings, final Throwable cause) {
        return new ClusterException(ClusterException.KAFKA_UNREACHABLE, "no Kafka broker answered at "
            + settings.bootstrapServers() + " (cluster.bootstrap_servers) within "
            + ConfigReader.formatMillis(settings.brokerTimeoutMs())
            + " (cluster.broker_timeout): start the broker (cluster/kafka-broker.sh start) or correct the address",
            cause);
    }

    private static String replicationText(final ClusterSettings s) {
        return s.replicationFactor() == ClusterSettings.BROKER_DEFAULT
            ? "the broker's default" : Integer.toString(s.replicationFactor());
    }
}
