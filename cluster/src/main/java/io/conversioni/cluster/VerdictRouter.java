package io.conversioni.cluster;

import io.conversioni.config.ConfigReader;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receiving node's side of the verdicts: a consumer of the one partition of {@code cluster.reply_topic} that
 * this node's name hashes to ({@link ClusterClients#replyPartition}), read from its end as it was at start, on a
 * thread of its own ({@code conversioni-verdicts-<node>}). Each verdict keyed by this node and carrying this
 * incarnation's {@code correlazione} completes its waiting request in {@link PendingVerdicts} with the verdict's
 * {@code stato_http} and answer; between polls (at most {@link #POLL} apart) the requests past
 * {@code cluster.verdict_timeout} are answered {@code NO_VERDICT}. A verdict that finds no waiting request (it
 * expired, or a previous life of this node sent it) is dropped and counted; other nodes' verdicts on the same
 * partition are skipped.
 *
 * <p>A broker that is down or hangs only makes polls come back empty: the expiry goes on, so every request still
 * ends within the timeout; a consumer error is logged once per streak and the loop goes on, never stops.
 *
 * <p>Threading: {@link #start} and {@link #stop} from one controlling thread; the counters from any thread.
 * Allocation: Kafka's per record; nothing of its own per verdict.
 */
final class VerdictRouter {
    private static final Logger LOG = LoggerFactory.getLogger(VerdictRouter.class);
    /** Longest time between two expiry sweeps (a poll returns earlier when a verdict arrives). */
    static final Duration POLL = Duration.ofMillis(50);
    private static final int CORRELATION_BYTES = 16;

    private final ClusterSettings settings;
    private final PendingVerdicts pending;
    private final long incarnation;
    private final byte[] nodeUtf8;
    private final TopicPartition partition;
    private final ConsumerThread reader;
    private final AtomicLong verdicts = new AtomicLong();
    private final AtomicLong lateVerdicts = new AtomicLong();
    private final AtomicLong malformedVerdicts = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();

    private VerdictRouter(final ClusterSettings settings, final PendingVerdicts pending, final long incarnation,
                          final Consumer<byte[], byte[]> consumer, final TopicPartition partition) {
        this.settings = settings;
        this.pending = pending;
        this.incarnation = incarnation;
        this.nodeUtf8 = settings.node().getBytes(StandardCharsets.UTF_8);
        this.partition = partition;
        this.reader = new ConsumerThread("conversioni-verdicts-" + settings.node(), consumer, POLL, this::route,
            () -> expired.addAndGet(pending.expire(System.nanoTime())), LOG, "the verdicts of " + partition,
            "requests are answered 503 after cluster.verdict_timeout until they can", settings.brokerTimeoutMs());
    }

    /**
     * Assigns this node's reply partition and fixes its end offset as the starting position before returning (a
     * verdict produced after that is read, however soon), then starts the thread.
     *
     * @throws ClusterException {@code kafka_unreachable} when the broker does not answer within
     *                          {@code cluster.broker_timeout}; {@code topic_misconfigured} when the reply topic is missing
     */
    static VerdictRouter start(final ClusterSettings settings, final PendingVerdicts pending, final long incarnation)
        throws ClusterException {
        final Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(ClusterClients.verdictsConsumer(settings));
        final VerdictRouter router;
        try {
            final List<PartitionInfo> partitions = consumer.partitionsFor(settings.replyTopic(),
                Duration.ofMillis(settings.brokerTimeoutMs()));
            if (partitions == null || partitions.isEmpty()) {
                throw new ClusterException(ClusterException.TOPIC_MISCONFIGURED, "the reply topic "
                    + settings.replyTopic() + " (cluster.reply_topic) does not exist: the node creates it at start "
                    + "(ClusterTopics.ensure) before it publishes");
            }
            final TopicPartition tp = new TopicPartition(settings.replyTopic(),
                ClusterClients.replyPartition(settings.node(), partitions.size()));
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            consumer.position(tp, Duration.ofMillis(settings.brokerTimeoutMs())); // resolves the lazy seek now
            router = new VerdictRouter(settings, pending, incarnation, consumer, tp);
            LOG.info("node {} reads its verdicts from {}", settings.node(), tp);
        } catch (TimeoutException e) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw new ClusterException(ClusterException.KAFKA_UNREACHABLE, "the reply topic " + settings.replyTopic()
                + " could not be read at " + settings.bootstrapServers() + " (cluster.bootstrap_servers) within "
                + ConfigReader.formatMillis(settings.brokerTimeoutMs()) + " (cluster.broker_timeout): start the broker "
                + "or correct the address", e);
        } catch (ClusterException | RuntimeException e) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
        router.reader.start();
        return router;
    }

    /** Router thread: completes the request a verdict answers, or counts why it cannot. */
    private void route(final ConsumerRecord<byte[], byte[]> r) {
        if (r.key() == null || !Arrays.equals(r.key(), nodeUtf8)) {
            return; // another node's verdict on the same partition
        }
        final byte[] correlation = ClusterHeaders.value(r, ClusterHeaders.CORRELAZIONE);
        if (correlation == null || correlation.length != CORRELATION_BYTES) {
            malformed(r, "no 16-byte correlazione header");
            return;
        }
        if (ClusterHeaders.readLong(correlation, 0) != incarnation) {
            lateVerdicts.incrementAndGet(); // for a previous life of this node: its request ended with that life
            return;
        }
        final long k = ClusterHeaders.readLong(correlation, 8);
        final int status = httpStatus(ClusterHeaders.value(r, ClusterHeaders.STATO_HTTP));
        if (status < 0) {
            malformed(r, "no stato_http header of three digits");
            pending.complete(k, VerdictListener.Result.NO_VERDICT, 503, null); // answered at once, not after the timeout
            return;
        }
        if (pending.complete(k, VerdictListener.Result.VERDICT, status, r.value())) {
            verdicts.incrementAndGet();
        } else {
            lateVerdicts.incrementAndGet();
        }
    }

    private void malformed(final ConsumerRecord<byte[], byte[]> r, final String why) {
        if (malformedVerdicts.getAndIncrement() == 0) {
            LOG.warn("a verdict at {}@{} is malformed ({}): its request is answered 503; further ones are only counted",
                r.partition(), r.offset(), why);
        }
    }

    /** The status of a {@code stato_http} value ("202"), or -1 when it is not an HTTP status. */
    static int httpStatus(final byte[] ascii) {
        if (ascii == null || ascii.length != 3) {
            return -1;
        }
        int v = 0;
        for (byte b : ascii) {
            if (b < '0' || b > '9') {
                return -1;
            }
            v = v * 10 + (b - '0');
        }
        return v >= 100 && v <= 599 ? v : -1;
    }

    /** Stops the thread (its consumer closed) and waits for it, within {@code cluster.broker_timeout}. Idempotent. */
    void stop() {
        reader.stop();
    }

    /** Verdicts that completed a waiting request. Any thread. */
    long verdicts() {
        return verdicts.get();
    }

    /** Verdicts dropped because their request had already ended (or belonged to a previous life). Any thread. */
    long lateVerdicts() {
        return lateVerdicts.get();
    }

    /** Verdicts without a readable correlazione or stato_http. Any thread. */
    long malformedVerdicts() {
        return malformedVerdicts.get();
    }

    /** Requests answered NO_VERDICT by the expiry. Any thread. */
    long expired() {
        return expired.get();
    }

    /** The reply partition this node reads. */
    TopicPartition partition() {
        return partition;
    }
}
