package io.conversioni.cluster;

import io.conversioni.pipeline.Engine;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The receiving node's side of the data path: a validated event (the token, media type, size and schema checks
 * stay local, before this) is produced to {@code cluster.topic}, keyed by its {@code id_cliente} (Kafka's default
 * partitioner picks the partition, and so the owner), with the headers {@code ricevuto} (the receive time, stamped
 * here), {@code nodo} (this node) and {@code correlazione} (this incarnation, then a request counter); the
 * request then waits in a bounded table ({@link PendingVerdicts}, a slot per request in flight) for the owner's
 * verdict, which the {@link VerdictRouter} brings back. The caller learns the end through its
 * {@link VerdictListener}: the verdict's HTTP status and answer, or {@code UNAVAILABLE} / {@code NO_VERDICT}
 * (503 + Retry-After).
 *
 * <p>Never makes its caller wait: the events producer has {@code max.block.ms = 0} and a bounded buffer
 * ({@link ClusterClients#eventsProducer}), so a full buffer, a topic without metadata (an unreachable broker) or
 * a full table refuses the request at once: {@link #tryPublish} returns false and the listener is not called.
 * When it returns true the listener is called exactly once, later (or already, on another thread).
 *
 * <p>Threading: {@link #tryPublish} from any number of threads (the IO threads, or a produce stage), lock-free;
 * {@link #start} and {@link #close} from one controlling thread. Allocation per request: the producer record, its
 * headers, 24 bytes of header values and a callback (Kafka keeps them until the record is sent); the table
 * allocates nothing after start.
 */
public final class ClusterPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterPublisher.class);
    private static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ClusterSettings settings;
    private final Engine.Clock clock;
    private final Producer<byte[], byte[]> producer;
    private final PendingVerdicts pending;
    private final VerdictRouter router;
    private final long incarnation;
    /** The {@code nodo} header's value: one array for every record (Kafka only reads it). */
    private final byte[] nodeUtf8;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong unavailable = new AtomicLong();
    private volatile boolean closed;
    private volatile boolean failing;

    private ClusterPublisher(final ClusterSettings settings, final Engine.Clock clock,
                             final Producer<byte[], byte[]> producer, final PendingVerdicts pending,
                             final VerdictRouter router, final long incarnation) {
        this.settings = settings;
        this.clock = clock;
        this.producer = producer;
        this.pending = pending;
        this.router = router;
        this.incarnation = incarnation;
        this.nodeUtf8 = settings.node().getBytes(StandardCharsets.UTF_8);
    }

    /** {@link #start(ClusterSettings, int, Engine.Clock)} with the system clock stamping {@code ricevuto}. */
    public static ClusterPublisher start(final ClusterSettings settings, final int capacity)
        throws ClusterException, InterruptedException {
        return start(settings, capacity, System::currentTimeMillis);
    }

    /**
     * Starts the events producer (waiting for the topic's metadata, which it cannot wait for later) and the verdict
     * router (positioned at its reply partition's end), each within {@code cluster.broker_timeout}. The topics must
     * exist ({@link ClusterTopics#ensure}).
     *
     * @param capacity requests waiting for a verdict at most (a power of two: the ring size)
     * @param clock    stamps {@code ricevuto}, the receive time every decision on the owner uses
     * @throws ClusterException {@code kafka_unreachable} when the broker does not answer in time;
     *                          {@code topic_partitions_mismatch} when the events topic has another partition count
     */
    public static ClusterPublisher start(final ClusterSettings settings, final int capacity, final Engine.Clock clock)
        throws ClusterException, InterruptedException {
        final PendingVerdicts pending = new PendingVerdicts(capacity, TimeUnit.MILLISECONDS.toNanos(settings.verdictTimeoutMs()));
        final long incarnation = new SecureRandom().nextLong();
        final Producer<byte[], byte[]> producer = new KafkaProducer<>(ClusterClients.eventsProducer(settings));
        try {
            final int partitions = ClusterClients.awaitMetadata(producer, settings.topic(), settings);
            if (partitions != settings.partitions()) {
                throw new ClusterException(ClusterException.TOPIC_PARTITIONS_MISMATCH, "topic " + settings.topic()
                    + " has " + partitions + " partitions, cluster.partitions says " + settings.partitions()
                    + ": set cluster.partitions to the topic's count on every node, or name a new topic");
            }
            final VerdictRouter router = VerdictRouter.start(settings, pending, incarnation);
            LOG.info("node {} publishes to {} and waits up to {} ms (cluster.verdict_timeout) for each verdict on {}",
                settings.node(), settings.topic(), settings.verdictTimeoutMs(), router.partition());
            return new ClusterPublisher(settings, clock, producer, pending, router, incarnation);
        } catch (ClusterException | InterruptedException | RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    /**
     * Produces a validated event and arms the wait for its verdict. Never waits.
     *
     * @param idCliente  the event's {@code id_cliente}, UTF-8: the record key, so the partition and its owner
     * @param body       the body as received: the record value (Kafka keeps it until sent: do not reuse it)
     * @param listener   told the end once, on another thread, when this returns true
     * @param attachment handed back to the listener
     * @return false when refused at once (closed, table full, buffer full, no metadata: the broker is unreachable);
     *         the listener is then not called, and the caller answers 503 + Retry-After
     */
    public boolean tryPublish(final byte[] idCliente, final byte[] body, final VerdictListener listener,
                              final Object attachment) {
        if (idCliente == null || idCliente.length == 0 || body == null || listener == null) {
            throw new IllegalArgumentException("a validated event has an id_cliente, a body and a listener");
        }
        if (closed) {
            return refuse();
        }
        final long k = pending.claim();
        if (k == PendingVerdicts.FULL) {
            return refuse();
        }
        pending.ready(k, listener, attachment, System.nanoTime());
        if (closed) { // close() set it after our claim: its final sweep may or may not have seen us
            return takeBack(k);
        }
        final byte[] correlation = new byte[16];
        ClusterHeaders.writeLong(correlation, 0, incarnation);
        ClusterHeaders.writeLong(correlation, 8, k);
        final RecordHeaders headers = new RecordHeaders();
        headers.add(ClusterHeaders.RICEVUTO, ClusterHeaders.millis(clock.currentTimeMillis()));
        headers.add(ClusterHeaders.NODO, nodeUtf8);
        headers.add(ClusterHeaders.CORRELAZIONE, correlation);
        final Sent sent = new Sent(k);
        sent.sendingThread = Thread.currentThread();
        try {
            producer.send(new ProducerRecord<>(settings.topic(), null, idCliente, body, headers), sent);
        } catch (RuntimeException e) { // a closed producer, an interrupt: refused like a full buffer
            sent.failedInSend = e;
        }
        sent.sendingThread = null;
        if (sent.failedInSend != null) {
            failed(sent.failedInSend);
            return takeBack(k);
        }
        published.incrementAndGet();
        return true;
    }

    /** Refuses request {@code k}, unless something else has already ended it (its listener was called: true). */
    private boolean takeBack(final long k) {
        if (pending.takeBack(k)) {
            return refuse();
        }
        published.incrementAndGet();
        return true;
    }

    private boolean refuse() {
        refused.incrementAndGet();
        return false;
    }

    /**
     * The send's callback for request {@code k}. When the producer fails the send inside {@code send()} it calls
     * this on the caller's own thread: the failure is then the caller's to report (false), not the listener's.
     * Later, a timeout (the producer gives a record up after {@code delivery.timeout.ms}, the verdict timeout plus
     * the linger; a request to a hung broker) says only that no answer came: the record may have been written all
     * the same, so the request keeps waiting for its verdict and otherwise ends {@code NO_VERDICT}. Any other
     * failure says the record was not written: {@code UNAVAILABLE} at once.
     */
    private final class Sent implements Callback {
        private final long k;
        /** The caller's thread while it is inside {@code send()}; only that thread ever finds itself here. */
        Thread sendingThread;
        Exception failedInSend;

        Sent(final long k) {
            this.k = k;
        }

        @Override
        public void onCompletion(final RecordMetadata metadata, final Exception e) {
            if (e == null) {
                if (failing) {
                    failing = false;
                    LOG.info("events are delivered to {} again", settings.topic());
                }
                return; // delivered: the verdict ends the request
            }
            if (Thread.currentThread() == sendingThread) {
                failedInSend = e;
                return;
            }
            failed(e);
            if (!(e instanceof TimeoutException) && pending.complete(k, VerdictListener.Result.UNAVAILABLE, 503, null)) {
                unavailable.incrementAndGet();
            }
        }
    }

    private void failed(final Exception e) {
        if (!failing) {
            failing = true;
            LOG.warn("events cannot be delivered to {} ({}); requests are answered 503 + Retry-After until they can",
                settings.topic(), e.toString());
        }
    }

    /**
     * Refuses new requests, lets the waiting ones end (each within {@code cluster.verdict_timeout}), stops the
     * router, answers whatever still waits {@code NO_VERDICT}, and closes the producer. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        final long deadline = System.nanoTime()
            + TimeUnit.MILLISECONDS.toNanos(settings.verdictTimeoutMs()) + 2 * VerdictRouter.POLL.toNanos();
        while (pending.waiting() > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(WAIT_NANOS);
        }
        router.stop();
        final int left = pending.completeAll();
        producer.close(Duration.ZERO); // every request has ended: a record still buffered has been answered 503
        LOG.info("node {} stopped publishing: {} published, {} refused at once, {} verdicts, {} unavailable, "
                + "{} without verdict, {} late verdicts dropped", settings.node(), published.get(), refused.get(),
            router.verdicts(), unavailable.get(), router.expired() + left, router.lateVerdicts());
    }

    /** Requests produced (their listener will be or was called). Any thread. */
    public long published() {
        return published.get();
    }

    /** Requests refused at once ({@link #tryPublish} returned false). Any thread. */
    public long refused() {
        return refused.get();
    }

    /** Requests that ended with the owner's verdict. Any thread. */
    public long verdicts() {
        return router.verdicts();
    }

    /** Requests that ended {@code UNAVAILABLE}: the record was not delivered. Any thread. */
    public long unavailable() {
        return unavailable.get();
    }

    /** Requests that ended {@code NO_VERDICT} by the timeout. Any thread. */
    public long noVerdicts() {
        return router.expired();
    }

    /** Verdicts that came after their request had ended (or for a previous life of this node), dropped. Any thread. */
    public long lateVerdicts() {
        return router.lateVerdicts();
    }

    /** Verdicts without a readable correlazione or stato_http (their request answered 503). Any thread. */
    public long malformedVerdicts() {
        return router.malformedVerdicts();
    }

    /** Requests waiting for their verdict now (an estimate). Any thread. */
    public long waiting() {
        return pending.waiting();
    }

    @Override
    public String toString() {
        return "ClusterPublisher{" + settings.node() + " to " + settings.topic() + ", " + pending.capacity()
            + " requests in flight at most}";
    }
}
