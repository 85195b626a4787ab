package io.conversioni.delivery;

import io.conversioni.alert.AlertConfig;
import io.conversioni.alert.AlertSignal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One sink's delivery thread ({@code conversioni-delivery-<sink>}): takes its messages in due order,
 * sends each, and on a retryable failure schedules the next attempt (Retry-After when the sink gave one,
 * else exponential backoff with jitter), persisting the item; after the last attempt, or a permanent
 * refusal, the item goes to the dead letters and {@code consegna_fallita} is raised for the sink (not for
 * a message that is itself about a failed delivery). A slow sink delays only its own lane.
 *
 * <p>Threading: {@link #submit} from any thread (a short lock); everything else on the lane thread.
 */
final class DeliveryLane implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryLane.class);

    private final Sink sink;
    private final DeliveryConfig config;
    private final PendingStore pending;
    private final DeadLetters deadLetters;
    private final AlertSignal signal;
    private final String chiave;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<DeliveryItem> queue = new PriorityQueue<>(
        Comparator.comparingLong((DeliveryItem i) -> i.nextAttemptMillis).thenComparingLong(i -> i.createdMillis));
    private final SplittableRandom random;
    private final Thread thread;
    final AtomicLong attempts = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    final AtomicLong deadLettered = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();
    private volatile boolean running = true;
    /** True until a delivery succeeds: a success then clears a consegna_fallita left open, even from before a restart. */
    private boolean mayHaveFailed = true;

    DeliveryLane(final Sink sink, final DeliveryConfig config, final PendingStore pending, final DeadLetters deadLetters,
                 final AlertSignal signal, final long seed) {
        this.sink = sink;
        this.config = config;
        this.pending = pending;
        this.deadLetters = deadLetters;
        this.signal = signal;
        this.chiave = "sink=" + sink.name();
        this.random = new SplittableRandom(seed);
        this.thread = new Thread(this, "conversioni-delivery-" + sink.name());
        this.thread.setDaemon(true);
    }

    Sink sink() {
        return sink;
    }

    void start() {
        thread.start();
    }

    /** Queues an item (already persisted by the caller, or reloaded). */
    void enqueue(final DeliveryItem item) {
        lock.lock();
        try {
            queue.add(item);
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    int pendingCount() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void run() {
        while (running) {
            final DeliveryItem item = nextDue();
            if (item != null) {
                attempt(item);
            }
        }
    }

    private DeliveryItem nextDue() {
        lock.lock();
        try {
            while (running) {
                final DeliveryItem head = queue.peek();
                final long wait = head == null ? 1_000 : head.nextAttemptMillis - System.currentTimeMillis();
                if (head != null && wait <= 0) {
                    return queue.poll();
                }
                changed.await(Math.min(wait, 1_000), TimeUnit.MILLISECONDS);
            }
            return null;
        } catch (InterruptedException e) {
            return null; // close() interrupts; running is false by then
        } finally {
            lock.unlock();
        }
    }

    private void attempt(final DeliveryItem item) {
        item.attempts++;
        attempts.incrementAndGet();
        try {
            sink.send(item);
            pending.delete(item);
            delivered.incrementAndGet();
            if (mayHaveFailed) {
                mayHaveFailed = false;
                signal.clear(AlertConfig.CONSEGNA_FALLITA, chiave, System.currentTimeMillis());
            }
        } catch (DeliveryFailure failure) {
            failures.incrementAndGet();
            item.lastError = failure.getMessage();
            final long now = System.currentTimeMillis();
            if (!running) {
                item.attempts--; // interrupted by close: this try does not count, the item stays pending
                pending.save(item);
                return;
            }
            if (failure.retryable && item.attempts < config.maxAttempts) {
                final long delay = failure.retryAfterMillis >= 0 ? Math.min(failure.retryAfterMillis, config.maxBackoffMillis)
                    : config.backoffMillis(item.attempts, random.nextDouble());
                item.nextAttemptMillis = now + delay;
                pending.save(item);
                LOG.info("delivery {} to {} failed (attempt {} of {}): {}; next try in {} ms", item.id, sink.name(),
                    item.attempts, config.maxAttempts, failure.getMessage(), delay);
                enqueue(item);
            } else {
                deadLetter(item, now);
            }
        }
    }

    private void deadLetter(final DeliveryItem item, final long now) {
        try {
            deadLetters.add(item, now);
        } catch (RuntimeException e) {
            LOG.error("cannot write dead letter {}; it stays pending", item.id, e);
            pending.save(item);
            return;
        }
        pending.delete(item);
        deadLettered.incrementAndGet();
        LOG.error("delivery {} to {} gave up after {} attempts: {}", item.id, sink.name(), item.attempts, item.lastError);
        mayHaveFailed = true;
        if (!item.aboutDelivery()) {
            signal.raise(AlertConfig.CONSEGNA_FALLITA, chiave, "delivery to " + sink.name() + " gave up after "
                + item.attempts + " attempts: " + item.lastError + " (./conversioni deadletters list)", now);
        }
    }

    void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
