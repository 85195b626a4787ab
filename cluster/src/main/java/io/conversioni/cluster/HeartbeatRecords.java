package io.conversioni.cluster;

import io.conversioni.pipeline.Engine;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the heartbeat records of an owner's quiet partitions to {@code cluster.topic}: null key and value, the
 * partition named, headers {@link ClusterHeaders#TIPO} = {@link ClusterHeaders#BATTITO} and
 * {@link ClusterHeaders#RICEVUTO} = now on the engine's clock, which is also the record's timestamp. Read back by
 * the owner like any record, each moves the engine's watermark ({@link Engine#tryPublishHeartbeatRecord}), so a
 * node reading the topic again sees the same time pass. The producer is the owner's verdicts producer, which
 * never waits ({@code max.block.ms = 0}): a send that fails is counted and logged once per streak, and the
 * partition's next quiet period sends another.
 *
 * <p>Threading: {@link #send} on the owner's consumer thread; the send callback on the producer's I/O thread;
 * the counters from any thread. Allocation per heartbeat: the record, its headers and the 8 bytes of its time.
 */
final class HeartbeatRecords {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatRecords.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final Engine engine;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Callback onSent = this::sent;
    private volatile boolean failing;

    HeartbeatRecords(final Producer<byte[], byte[]> producer, final String topic, final Engine engine) {
        this.producer = producer;
        this.topic = topic;
        this.engine = engine;
    }

    /** A heartbeat record to {@code partition}, stamped now on the engine's clock. Never waits. */
    void send(final int partition) {
        final long ricevuto = engine.currentTimeMillis();
        final RecordHeaders headers = new RecordHeaders();
        headers.add(ClusterHeaders.TIPO, ClusterHeaders.battito());
        headers.add(ClusterHeaders.RICEVUTO, ClusterHeaders.millis(ricevuto));
        try {
            producer.send(new ProducerRecord<>(topic, partition, ricevuto, null, null, headers), onSent);
        } catch (RuntimeException e) { // a full buffer, no metadata, a closed producer
            failed(e);
        }
    }

    private void sent(final RecordMetadata metadata, final Exception e) {
        if (e != null) {
            failed(e);
        } else {
            sent.incrementAndGet();
            if (failing) {
                failing = false;
                LOG.info("heartbeat records reach {} again", topic);
            }
        }
    }

    private void failed(final Exception e) {
        failed.incrementAndGet();
        if (!failing) {
            failing = true;
            LOG.warn("a heartbeat record could not be sent to {} ({}): quiet partitions' windows close later", topic,
                e.toString());
        }
    }

    /** Heartbeat records the broker acknowledged. Any thread. */
    long sent() {
        return sent.get();
    }

    /** Heartbeat records that could not be sent. Any thread. */
    long failed() {
        return failed.get();
    }
}
