package io.conversioni.cluster;

import io.conversioni.config.ConfigReader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The Kafka clients' settings that the design rests on, in one place. The events producer (on every
 * receiving node) must never make its caller wait: {@code max.block.ms = 0}, so a full buffer
 * ({@code cluster.producer_buffer}) or a topic without metadata fails the send at once and the request is
 * answered 503 + Retry-After; {@code acks=all} with idempotence, so an acknowledged record is on every
 * in-sync replica and a producer retry never writes it twice. Because such a producer cannot wait for
 * metadata either, {@link #awaitMetadata} fetches it once before the node is ready, and the metadata of
 * a quiet topic is kept ({@code metadata.max.idle.ms}) instead of being dropped after 5 minutes. The owner's
 * consumer and verdicts producer, and the receiving node's verdicts consumer, are configured here too.
 *
 * <p>Start-up only, any one thread; allocates freely. {@link #replyPartition} is a pure function: any thread,
 * no allocation for the byte[] form.
 */
public final class ClusterClients {
    /** A quiet topic's metadata kept this long: a send without it would fail at once (max.block.ms 0). */
    static final long METADATA_MAX_IDLE_MS = 86_400_000;
    private static final long METADATA_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private ClusterClients() {
    }

    /**
     * The events producer: byte-array keys (id_cliente) and values (the body as received).
     * {@code request.timeout.ms} is {@code cluster.verdict_timeout} and {@code delivery.timeout.ms} that plus
     * {@code cluster.linger}, so a record is given up about when its HTTP request has been answered 503.
     */
    public static Properties eventsProducer(final ClusterSettings settings) {
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "conversioni-" + settings.node() + "-eventi");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, settings.producerBufferBytes());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0L);
        p.put(ProducerConfig.LINGER_MS_CONFIG, (int) settings.lingerMs());
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) settings.verdictTimeoutMs());
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) (settings.verdictTimeoutMs() + settings.lingerMs()));
        p.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, METADATA_MAX_IDLE_MS);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /**
     * The owner's verdicts producer: the events producer's settings (it must not make the respond thread wait
     * either: a verdict it cannot take fails at once, and the receiving node answers 503 after
     * {@code cluster.verdict_timeout}), under a client id of its own.
     */
    public static Properties verdictsProducer(final ClusterSettings settings) {
        final Properties p = eventsProducer(settings);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "conversioni-" + settings.node() + "-esiti");
        return p;
    }

    /**
     * The owner's consumer of its partitions of {@code cluster.topic}: assigned, never subscribed (ownership is
     * configuration, no group rebalance); no auto commit, since committed offsets are for monitoring only and are
     * committed after the journal ({@link #ownerGroup}); {@code read_committed}, so that a transactional producer
     * added later changes nothing here. {@code auto.offset.reset=earliest}: a resume point that retention has
     * already deleted reads from the oldest record left.
     */
    public static Properties ownerConsumer(final ClusterSettings settings) {
        final Properties p = consumer(settings, "proprietario", "earliest");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, ownerGroup(settings));
        return p;
    }

    /**
     * The receiving node's consumer of its reply partition ({@link VerdictRouter}): assigned, no group (nothing is
     * committed: it starts from the partition's end every time, since a verdict for a previous life of the node
     * has no request left to answer), {@code read_committed} like the owner's.
     */
    public static Properties verdictsConsumer(final ClusterSettings settings) {
        return consumer(settings, "risposte", "latest");
    }

    /**
     * What every consumer of the cluster shares: this node's client id {@code conversioni-<node>-<role>}, no group
     * and no auto-commit, {@code read_committed}, {@code cluster.broker_timeout} as the API timeout, byte arrays;
     * {@code offsetReset} where a position is missing ({@code earliest} or {@code latest}).
     */
    static Properties consumer(final ClusterSettings settings, final String role, final String offsetReset) {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "conversioni-" + settings.node() + "-" + role);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, offsetReset);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) settings.brokerTimeoutMs());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    /** The consumer group the owner commits its offsets under, for {@code kafka-consumer-groups} lag only. */
    public static String ownerGroup(final ClusterSettings settings) {
        return "conversioni-" + settings.node();
    }

    /** {@link #replyPartition(String, int)} for a node name as the record header carries it (UTF-8 bytes). */
    public static int replyPartition(final byte[] nodeUtf8, final int replyPartitions) {
        return KeyPartitions.partitionOf(nodeUtf8, replyPartitions);
    }

    /**
     * The partition of {@code cluster.reply_topic} that carries the verdicts for {@code node}: the one Kafka's
     * default partitioner picks for the record key {@code node} (murmur2 of its UTF-8 bytes), so that a node
     * reads only that partition of the reply topic, and no assignment needs to be agreed on.
     */
    public static int replyPartition(final String node, final int replyPartitions) {
        return replyPartition(node.getBytes(StandardCharsets.UTF_8), replyPartitions);
    }

    /**
     * Waits until {@code producer} has {@code topic}'s metadata and returns its partition count. A producer
     * with {@code max.block.ms = 0} answers {@code partitionsFor} from what it has, or fails at once and
     * asks its I/O thread for the metadata; so this asks again until the answer comes, within
     * {@code cluster.broker_timeout}.
     */
    public static int awaitMetadata(final Producer<?, ?> producer, final String topic, final ClusterSettings settings)
        throws ClusterException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.brokerTimeoutMs());
        while (true) {
            try {
                final List<PartitionInfo> partitions = producer.partitionsFor(topic);
                return partitions.size();
            } catch (TimeoutException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new ClusterException(ClusterException.KAFKA_UNREACHABLE, "no metadata for topic " + topic
                        + " from " + settings.bootstrapServers() + " (cluster.bootstrap_servers) within "
                        + ConfigReader.formatMillis(settings.brokerTimeoutMs()) + " (cluster.broker_timeout): start "
                        + "the broker or correct the address", notYet);
                }
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for the metadata of " + topic);
            }
            LockSupport.parkNanos(METADATA_POLL_NANOS);
        }
    }
}
