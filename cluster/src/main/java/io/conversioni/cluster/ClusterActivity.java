package io.conversioni.cluster;

import io.conversioni.config.ConfigReader;
import io.conversioni.config.EngineConfig;
import io.conversioni.event.ConversionEvent;
import io.conversioni.event.EventDecoder;
import io.conversioni.pipeline.Outcome;
import io.conversioni.schema.Violations;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every partition's events as the cluster-wide alert rules need them: on the elected node (the owner of partition
 * 0), a consumer of all partitions of the events topic from their end at start, with no group, tells a
 * {@link Listener} the canale and receive time ({@code ricevuto} header) of each record, so that {@code silenzio}
 * hears every canale of the cluster, as one node's rule hears every event. It also reads the reply topic (every
 * receiving node's verdicts) and joins each verdict with its event by {@code correlazione}, in whichever order the
 * two are read, to tell how their owners decided each event ({@code duplicati}'s canale keys, {@code deriva_orologio}). It
 * decides nothing and journals nothing: the owners do; a record that is not a valid event (no canale of the schema)
 * is skipped, and an event produced without a return address gets no verdict, so it never counts as a duplicate.
 *
 * <p>Threading: {@link #start} and {@link #stop} from one controlling thread; the listener is called on thread
 * {@code conversioni-attivita-<node>}. Allocates what the Kafka client allocates per record; the decoding itself
 * reuses one event and one decoder. Cost: every event of the cluster is read once more, by this node.
 */
public final class ClusterActivity {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterActivity.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final byte[] DUPLICATO = "{\"esito\":\"duplicato\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ACCETTATO = "{\"esito\":\"accettato\"".getBytes(StandardCharsets.US_ASCII);

    /** What the reader tells: an event of canale {@code canaleOrdinal} (the schema's order) received then. */
    @FunctionalInterface
    public interface Listener {
        void seen(int canaleOrdinal, long receiveMillis);

        /**
         * That event's owner decided it ({@code outcome}, {@code Outcome}'s constants, from its verdict on the reply
         * topic); {@code eventMillis} is its timestamp, {@link Long#MIN_VALUE} when it has none.
         */
        default void decided(final int canaleOrdinal, final long receiveMillis, final long eventMillis,
                             final int outcome) {
        }
    }

    /** Records of either side of the join kept at most (beyond, the oldest go): far above a verdict timeout's worth. */
    static final int MAX_WAITING = 100_000;

    private final ClusterSettings settings;
    private final Listener listener;
    private final EventDecoder decoder;
    private final ConversionEvent event = new ConversionEvent();
    private final Violations violations = new Violations();
    private final ConsumerThread reader;
    private final AtomicLong records = new AtomicLong();
    private final String replyTopic;
    /** Events seen, by correlazione, waiting for their verdict: canale, receive and event time. This thread only. */
    private final LinkedHashMap<String, long[]> eventsWaiting = new LinkedHashMap<>();
    /** Verdicts read before their event, by correlazione: the outcome. This thread only. */
    private final LinkedHashMap<String, Integer> verdictsWaiting = new LinkedHashMap<>();

    private ClusterActivity(final ClusterSettings settings, final EngineConfig config,
                            final Consumer<byte[], byte[]> consumer, final Listener listener) {
        this.settings = settings;
        this.listener = listener;
        this.replyTopic = settings.replyTopic();
        this.decoder = config.schema().newDecoder(config.maxDepth());
        this.reader = new ConsumerThread("conversioni-attivita-" + settings.node(), consumer, POLL, this::tell, null, LOG,
            "the events of " + settings.topic() + " for the cluster-wide alert rules", "silenzio waits",
            settings.brokerTimeoutMs());
    }

    /**
     * Assigns every partition of the events topic at its end (fixed before returning: a record produced after that
     * is seen) and starts the thread.
     *
     * @throws ClusterException {@code kafka_unreachable} when the broker does not answer within
     *                          {@code cluster.broker_timeout}
     */
    public static ClusterActivity start(final ClusterSettings settings, final EngineConfig config,
                                        final Listener listener) throws ClusterException {
        final Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(
            ClusterClients.consumer(settings, "attivita", "latest")); // assigned, no group: every start from the end
        final ClusterActivity activity;
        try {
            final List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < settings.partitions(); p++) {
                all.add(new TopicPartition(settings.topic(), p));
            }
            // every receiving node's verdicts too: which events their owners judged duplicates
            for (org.apache.kafka.common.PartitionInfo p : consumer.partitionsFor(settings.replyTopic(),
                Duration.ofMillis(settings.brokerTimeoutMs()))) {
                all.add(new TopicPartition(settings.replyTopic(), p.partition()));
            }
            consumer.assign(all);
            consumer.seekToEnd(all);
            for (TopicPartition tp : all) {
                consumer.position(tp, Duration.ofMillis(settings.brokerTimeoutMs())); // resolves the lazy seek now
            }
            activity = new ClusterActivity(settings, config, consumer, listener);
        } catch (TimeoutException e) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw new ClusterException(ClusterException.KAFKA_UNREACHABLE, "the events topic " + settings.topic()
                + " could not be read at " + settings.bootstrapServers() + " (cluster.bootstrap_servers) within "
                + ConfigReader.formatMillis(settings.brokerTimeoutMs()) + " (cluster.broker_timeout): start the broker "
                + "or correct the address", e);
        } catch (RuntimeException e) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
        LOG.info("node {} hears every partition of {} for the cluster-wide alert rules", settings.node(),
            settings.topic());
        activity.reader.start();
        return activity;
    }

    private void tell(final ConsumerRecord<byte[], byte[]> r) {
        records.incrementAndGet();
        final byte[] value = r.value();
        if (value == null) {
            return;
        }
        final byte[] correlation = ClusterHeaders.value(r, ClusterHeaders.CORRELAZIONE);
        final String key = correlation == null ? null : new String(correlation, StandardCharsets.ISO_8859_1);
        if (replyTopic.equals(r.topic())) {
            if (key != null) {
                verdict(key, outcome(value));
            }
            return;
        }
        if (decoder.decode(value, 0, value.length, event, violations) && event.canaleOrdinal() >= 0) {
            final long receiveMillis = ClusterHeaders.receiveMillis(r);
            listener.seen(event.canaleOrdinal(), receiveMillis);
            if (key != null) {
                final long eventMillis = event.timestampMillis() == ConversionEvent.MISSING ? Long.MIN_VALUE
                    : event.timestampMillis();
                final Integer outcome = verdictsWaiting.remove(key);
                if (outcome == null) {
                    eventsWaiting.put(key, new long[] {event.canaleOrdinal(), receiveMillis, eventMillis});
                    trim(eventsWaiting);
                } else {
                    listener.decided(event.canaleOrdinal(), receiveMillis, eventMillis, outcome);
                }
            }
        }
    }

    /** A verdict: joined with its event (read before or after it, from another partition). */
    private void verdict(final String key, final int outcome) {
        final long[] seenEvent = eventsWaiting.remove(key);
        if (seenEvent == null) {
            verdictsWaiting.put(key, outcome);
            trim(verdictsWaiting);
        } else {
            listener.decided((int) seenEvent[0], seenEvent[1], seenEvent[2], outcome);
        }
    }

    /** The outcome a verdict's JSON starts with: accettato, duplicato, or another (any rejection). */
    private static int outcome(final byte[] verdict) {
        return startsWith(verdict, ACCETTATO) ? Outcome.ACCEPTED : startsWith(verdict, DUPLICATO) ? Outcome.DUPLICATE
            : Outcome.REJECTED;
    }

    private static void trim(final LinkedHashMap<String, ?> waiting) {
        final java.util.Iterator<String> oldest = waiting.keySet().iterator();
        while (waiting.size() > MAX_WAITING && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }

    private static boolean startsWith(final byte[] value, final byte[] prefix) {
        if (value.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (value[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Records read since start. Any thread. */
    public long records() {
        return records.get();
    }

    /** Stops the thread (its consumer closed) and waits for it, within {@code cluster.broker_timeout}. Idempotent. */
    public void stop() {
        reader.stop();
    }
}
