package io.conversioni.cluster;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * One assigned Kafka consumer polled on a daemon thread of its own until {@link #stop}, for the cluster's readers that
 * must never stop reading ({@link VerdictRouter}, {@link ClusterActivity}): each record goes to the handler; after
 * each poll, empty or not, the {@code afterPoll} action runs; a consumer error is logged once per streak (and once
 * when reading works again) and the next poll comes one poll interval later, not in a busy loop; a wakeup while
 * running is logged and the loop goes on. The consumer is closed on the thread's way out.
 *
 * <p>Threading: {@link #start} and {@link #stop} from one controlling thread; the handler and {@code afterPoll} run on
 * this thread. Allocates nothing of its own per record.
 */
final class ConsumerThread {
    /** What a reader does with each record, on the consumer's thread. */
    @FunctionalInterface
    interface RecordHandler {
        void onRecord(ConsumerRecord<byte[], byte[]> record);
    }

    private final Consumer<byte[], byte[]> consumer;
    private final Duration poll;
    private final RecordHandler handler;
    private final Runnable afterPoll;
    private final Logger log;
    private final String reading;
    private final String whileFailing;
    private final long joinMillis;
    private final Thread thread;
    private volatile boolean running = true;
    private boolean failing;

    /**
     * @param name         the thread's name
     * @param consumer     assigned and positioned; this thread owns it from {@link #start} on, and closes it
     * @param poll         the longest a poll waits, and the pause after a failed one
     * @param afterPoll    runs after every poll (null: nothing)
     * @param log          the reader's logger
     * @param reading      what is read, for the log ("the verdicts of conversioni_verdetti-3")
     * @param whileFailing what follows while it cannot be read, for the log
     * @param joinMillis   how long {@link #stop} waits for the thread
     */
    ConsumerThread(final String name, final Consumer<byte[], byte[]> consumer, final Duration poll,
                   final RecordHandler handler, final Runnable afterPoll, final Logger log, final String reading,
                   final String whileFailing, final long joinMillis) {
        this.consumer = consumer;
        this.poll = poll;
        this.handler = handler;
        this.afterPoll = afterPoll;
        this.log = log;
        this.reading = reading;
        this.whileFailing = whileFailing;
        this.joinMillis = joinMillis;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Stops the thread (its consumer closed) and waits for it, at most the join time. Idempotent. */
    void stop() {
        if (!running) {
            return;
        }
        running = false;
        consumer.wakeup(); // thread-safe; a poll in progress returns at once
        try {
            thread.join(joinMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (running) {
                try {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(poll)) {
                        handler.onRecord(r);
                    }
                    if (failing) {
                        failing = false;
                        log.info("{} can be read again", reading);
                    }
                } catch (WakeupException | InterruptException stopping) {
                    if (running) {
                        log.warn("the reader of {} was woken up while running; it goes on", reading);
                    }
                } catch (KafkaException e) {
                    if (!failing) {
                        failing = true;
                        log.warn("{} cannot be read ({}); {}", reading, e.toString(), whileFailing);
                    }
                    LockSupport.parkNanos(poll.toNanos()); // not a busy loop on a broken client
                }
                if (afterPoll != null) {
                    afterPoll.run();
                }
            }
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        }
    }
}
