package io.conversioni.cluster;

import io.conversioni.testkit.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The receiving node's table of requests waiting for a verdict, without a broker: each claimed request ends exactly
 * once (verdict, expiry, failure or take-back, whichever comes first), a late verdict finds nothing, the table
 * refuses rather than grows, and many publishing threads racing a completing thread lose and double nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PendingVerdictsTest {
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** Every end a listener saw, as "attachment:result:status". */
    private final ConcurrentLinkedQueue<String> ends = new ConcurrentLinkedQueue<>();
    private final VerdictListener listener = (result, status, answer, attachment) ->
        ends.add(attachment + ":" + result + ":" + status + (answer == null ? "" : ":" + new String(answer)));

    @Test
    void shouldEndARequestOnceWithItsVerdictAndDropALateOne() {
        final PendingVerdicts table = new PendingVerdicts(4, TIMEOUT_NANOS);
        final long k = table.claim();
        table.ready(k, listener, "r0", 0);

        assertTrue(table.complete(k, VerdictListener.Result.VERDICT, 202, "{}".getBytes()));
        assertFalse(table.complete(k, VerdictListener.Result.VERDICT, 202, "{}".getBytes()), "a second verdict is late");
        assertFalse(table.complete(k + 1, VerdictListener.Result.VERDICT, 202, null), "never claimed");
        assertFalse(table.complete(-7, VerdictListener.Result.VERDICT, 202, null), "a counter no request had");
        assertEquals(List.of("r0:VERDICT:202:{}"), List.copyOf(ends));
        assertEquals(0, table.waiting());
    }

    @Test
    void shouldExpireInOrderAtTheDeadlineAndNotBefore() {
        final PendingVerdicts table = new PendingVerdicts(8, TIMEOUT_NANOS);
        for (int i = 0; i < 3; i++) {
            table.ready(table.claim(), listener, "r" + i, i * 1_000L);
        }
        assertTrue(table.complete(1, VerdictListener.Result.VERDICT, 202, null));

        assertEquals(0, table.expire(TIMEOUT_NANOS - 1));
        assertEquals(1, table.expire(TIMEOUT_NANOS), "r0 at its deadline");
        assertEquals(1, table.expire(TIMEOUT_NANOS + 2_000), "r2; r1 had its verdict");
        assertEquals(List.of("r1:VERDICT:202", "r0:NO_VERDICT:503", "r2:NO_VERDICT:503"), List.copyOf(ends));
        assertFalse(table.complete(0, VerdictListener.Result.VERDICT, 202, null), "the verdict after the timeout is late");
    }

    @Test
    void shouldRefuseWhenTheSlotsRequestStillWaitsAndTakeItAgainOnceItEnded() {
        final PendingVerdicts table = new PendingVerdicts(2, TIMEOUT_NANOS);
        table.ready(table.claim(), listener, "a", 0);
        table.ready(table.claim(), listener, "b", 0);

        assertEquals(PendingVerdicts.FULL, table.claim(), "two waiting in two slots");
        assertTrue(table.complete(0, VerdictListener.Result.VERDICT, 202, null));
        final long third = table.claim();
        assertEquals(2, third, "slot 0 is free again, for counter 2");
        assertEquals(PendingVerdicts.FULL, table.claim(), "slot 1 still waits for b");
    }

    @Test
    void shouldTakeBackAnUnsentRequestWithoutCallingItsListenerUnlessItAlreadyEnded() {
        final PendingVerdicts table = new PendingVerdicts(4, TIMEOUT_NANOS);
        final long k = table.claim();
        table.ready(k, listener, "x", 0);
        assertTrue(table.takeBack(k));
        assertTrue(ends.isEmpty());
        assertEquals(0, table.expire(Long.MAX_VALUE / 2), "a request taken back never expires");

        final long j = table.claim();
        table.ready(j, listener, "y", 0);
        assertTrue(table.complete(j, VerdictListener.Result.UNAVAILABLE, 503, null));
        assertFalse(table.takeBack(j), "already answered: the publisher must report it as taken");
        assertEquals(List.of("y:UNAVAILABLE:503"), List.copyOf(ends));
    }

    @Test
    void shouldAnswerEveryWaitingRequestAtClose() {
        final PendingVerdicts table = new PendingVerdicts(4, TIMEOUT_NANOS);
        table.ready(table.claim(), listener, "a", 0);
        table.ready(table.claim(), listener, "b", 0);
        assertTrue(table.complete(0, VerdictListener.Result.VERDICT, 202, null));

        assertEquals(1, table.completeAll());
        assertEquals(List.of("a:VERDICT:202", "b:NO_VERDICT:503"), List.copyOf(ends));
    }

    @Test
    void shouldAssertThatOnlyOneThreadExpires() throws Exception {
        final PendingVerdicts table = new PendingVerdicts(4, TIMEOUT_NANOS);
        table.expire(0);
        final AtomicReference<Throwable> other = new AtomicReference<>();
        final Thread t = new Thread(() -> {
            try {
                table.expire(0);
            } catch (AssertionError e) {
                other.set(e);
            }
        }, "second-expirer");
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(10));
        assertTrue(other.get() instanceof AssertionError, "a second thread expired without an assertion (run with -ea)");
    }

    @Test
    void shouldRefuseACapacityThatIsNotAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new PendingVerdicts(6, TIMEOUT_NANOS));
        assertThrows(IllegalArgumentException.class, () -> new PendingVerdicts(0, TIMEOUT_NANOS));
    }

    /**
     * Four publishers claim as fast as they can while one thread plays the router (verdicts in random order, some
     * for requests that do not wait) and expires with a clock that jumps: every request claimed ends exactly once.
     */
    @Test
    void shouldEndEveryClaimedRequestExactlyOnceWithPublishersRacingTheRouter() throws Exception {
        final PendingVerdicts table = new PendingVerdicts(64, 50);
        final int perPublisher = 2_500;
        final ConcurrentHashMap<Long, AtomicInteger> endsOf = new ConcurrentHashMap<>();
        final ConcurrentHashMap<Long, Boolean> claimed = new ConcurrentHashMap<>();
        final VerdictListener counting = (result, status, answer, attachment) ->
            endsOf.computeIfAbsent((Long) attachment, x -> new AtomicInteger()).incrementAndGet();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CountDownLatch publishersDone = new CountDownLatch(4);
        final long[] fakeNow = {0};
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            final Random random = new Random(42 + t);
            threads.add(new Thread(() -> {
                try {
                    int done = 0;
                    while (done < perPublisher) {
                        final long k = table.claim();
                        if (k == PendingVerdicts.FULL) {
                            Thread.onSpinWait();
                            continue;
                        }
                        assertNull(claimed.put(k, Boolean.TRUE), "counter " + k + " claimed twice");
                        table.ready(k, counting, k, 0);
                        if (random.nextInt(10) == 0 && table.takeBack(k)) {
                            endsOf.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet(); // ended by its publisher
                        }
                        done++;
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    publishersDone.countDown();
                }
            }, "publisher-" + t));
        }
        final Thread router = new Thread(() -> {
            final Random random = new Random(7);
            while (publishersDone.getCount() > 0 || table.waiting() > 0) {
                final long k = random.nextInt(Math.max(1, claimed.size() + 64));
                table.complete(k, VerdictListener.Result.VERDICT, 202, null);
                fakeNow[0] += random.nextInt(3);
                table.expire(fakeNow[0]);
            }
        }, "router");
        threads.forEach(Thread::start);
        router.start();
        assertTrue(publishersDone.await(50, TimeUnit.SECONDS), "publishers stuck on a full table");
        router.join(TimeUnit.SECONDS.toMillis(5));
        assertNull(failure.get());
        assertFalse(router.isAlive(), "requests left waiting: " + table.waiting());
        Await.until("every request ended", () -> endsOf.size() == 4 * perPublisher);
        assertEquals(4 * perPublisher, claimed.size());
        endsOf.forEach((k, n) -> assertEquals(1, n.get(), "request " + k + " ended " + n.get() + " times"));
    }
}
