package io.conversioni.cluster;

import com.dslplatform.json.DslJson;
import com.dslplatform.json.JsonWriter;
import io.conversioni.pipeline.EventView;
import io.conversioni.pipeline.OutcomeJson;
import io.conversioni.pipeline.OutcomeListener;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The owner's answer to each record it fed into the engine: on the engine's respond thread, so after the record
 * was journaled (and flushed, with {@code journal.durability: sync}), it produces the verdict to
 * {@code cluster.reply_topic}, on the partition the receiving node reads ({@link ClusterClients#replyPartition}),
 * keyed by that node's name, with the record's {@code correlazione} copied back, {@code stato_http} (the HTTP status)
 * and the answer JSON a single node would send ({@link OutcomeJson}). A record without a return address (no
 * {@code nodo} or {@code correlazione} header: another tool wrote it) is decided and journaled all the same, and
 * nobody is answered.
 *
 * <p>It also keeps, per owned partition, the offset of the last record answered, which the consumer thread
 * commits to Kafka for monitoring ({@link #answeredOffset}).
 *
 * <p>Threading: {@link #onOutcome} on the respond thread only; the counters and answered offsets are read from
 * any thread. Allocation per verdict: the producer record, its headers and the JSON's bytes (the producer keeps
 * them until sent); a failed send is counted and logged once per streak, never thrown: the receiving node
 * answers 503 after {@code cluster.verdict_timeout}, and the sender's retry is a duplicate.
 */
final class VerdictSender implements OutcomeListener {
    private static final Logger LOG = LoggerFactory.getLogger(VerdictSender.class);

    /** Where a verdict goes: the headers of the record it answers. Made on the consumer thread, one per record. */
    record ReturnAddress(byte[] node, byte[] correlation) {
    }

    private final Producer<byte[], byte[]> producer;
    private final String replyTopic;
    private final int replyPartitions;
    /** Owned partition number to its index in {@link #answered}; -1 for a partition not owned. */
    private final int[] indexOfPartition;
    private final AtomicLongArray answered;
    private final AtomicLong answeredCount = new AtomicLong();
    private final AtomicLong verdictsSent = new AtomicLong();
    private final AtomicLong verdictsFailed = new AtomicLong();
    private final OutcomeJson outcomeJson = new OutcomeJson();
    private final JsonWriter json = new DslJson<>().newWriter(4096);
    private final Callback onSent = this::sent;
    private volatile boolean failing;

    VerdictSender(final Producer<byte[], byte[]> producer, final String replyTopic, final int replyPartitions,
                  final int[] ownedPartitions) {
        this.producer = producer;
        this.replyTopic = replyTopic;
        this.replyPartitions = replyPartitions;
        int max = -1;
        for (int p : ownedPartitions) {
            max = Math.max(max, p);
        }
        this.indexOfPartition = new int[max + 1];
        Arrays.fill(indexOfPartition, -1);
        for (int i = 0; i < ownedPartitions.length; i++) {
            indexOfPartition[ownedPartitions[i]] = i;
        }
        this.answered = new AtomicLongArray(ownedPartitions.length);
        for (int i = 0; i < ownedPartitions.length; i++) {
            answered.set(i, -1L);
        }
    }

    @Override
    public void onOutcome(final EventView event, final Object attachment) {
        if (attachment instanceof ReturnAddress) {
            send(event, (ReturnAddress) attachment);
        }
        final int partition = event.sourcePartition();
        if (partition >= 0 && partition < indexOfPartition.length && indexOfPartition[partition] >= 0) {
            answered.set(indexOfPartition[partition], event.sourceOffset());
        }
        answeredCount.incrementAndGet(); // after the offset: a reader that sees the count sees the offset
    }

    private void send(final EventView event, final ReturnAddress to) {
        json.reset();
        outcomeJson.write(json, event);
        final RecordHeaders headers = new RecordHeaders();
        headers.add(ClusterHeaders.CORRELAZIONE, to.correlation());
        headers.add(ClusterHeaders.STATO_HTTP, statusBytes(OutcomeJson.httpStatus(event)));
        final ProducerRecord<byte[], byte[]> verdict = new ProducerRecord<>(replyTopic,
            ClusterClients.replyPartition(to.node(), replyPartitions), to.node(),
            Arrays.copyOf(json.getByteBuffer(), json.size()), headers);
        try {
            producer.send(verdict, onSent);
        } catch (RuntimeException e) { // a full buffer, no metadata, a closed producer: never the respond thread's problem
            failed(e);
        }
    }

    private void sent(final RecordMetadata metadata, final Exception e) {
        if (e != null) {
            failed(e);
        } else {
            verdictsSent.incrementAndGet();
            if (failing) {
                failing = false;
                LOG.info("verdicts are delivered to {} again", replyTopic);
            }
        }
    }

    private void failed(final Exception e) {
        verdictsFailed.incrementAndGet();
        if (!failing) {
            failing = true;
            LOG.warn("a verdict could not be sent to {} ({}); its receiving node answers 503 after "
                + "cluster.verdict_timeout and the sender's retry is a duplicate", replyTopic, e.toString());
        }
    }

    private static final byte[] S202 = "202".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] S400 = "400".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] S422 = "422".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] S503 = "503".getBytes(StandardCharsets.US_ASCII);

    private static byte[] statusBytes(final int status) {
        switch (status) {
            case 202: return S202;
            case 400: return S400;
            case 422: return S422;
            default: return S503;
        }
    }

    /** The offset of the last record of the {@code i}-th owned partition answered, or -1. Any thread. */
    long answeredOffset(final int i) {
        return answered.get(i);
    }

    /** Records answered (journaled and decided) so far. Any thread. */
    long answeredCount() {
        return answeredCount.get();
    }

    /** Verdicts the broker acknowledged. Any thread. */
    long verdictsSent() {
        return verdictsSent.get();
    }

    /** Verdicts that could not be sent. Any thread. */
    long verdictsFailed() {
        return verdictsFailed.get();
    }
}
