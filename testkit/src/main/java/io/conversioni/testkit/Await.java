package io.conversioni.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting on a condition in a test, never on the clock alone: {@link #until} returns as soon as the
 * condition holds and fails with the condition's description when it does not within the timeout (a
 * timeout is a bound for a broken build, not a synchronisation). The condition is polled with a short
 * back-off (0.1 ms growing to 10 ms), so a fast machine is not slowed down and a slow one is not failed.
 * Called from a test's own thread; allocation does not matter.
 */
public final class Await {
    /** The default bound: generous, so that only a broken build reaches it on a loaded CI machine. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    private static final long FIRST_PAUSE_NANOS = 100_000;
    private static final long MAX_PAUSE_NANOS = 10_000_000;

    private Await() {
    }

    /** Waits until {@code condition} holds, at most {@link #DEFAULT_TIMEOUT}; fails naming {@code what}. */
    public static void until(final String what, final BooleanSupplier condition) {
        until(what, DEFAULT_TIMEOUT, condition);
    }

    /** Waits until {@code condition} holds, at most {@code timeout}; fails naming {@code what}. */
    public static void until(final String what, final Duration timeout, final BooleanSupplier condition) {
        if (!poll(timeout, condition)) {
            throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
        }
    }

    /**
     * Waits until {@code condition} holds, at most {@code timeout}; fails naming {@code what} and the last
     * state that {@code state} describes (for example the body last read), which makes a failure readable.
     */
    public static void until(final String what, final Duration timeout, final BooleanSupplier condition,
                             final Supplier<String> state) {
        if (!poll(timeout, condition)) {
            throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what + "; last seen: " + state.get());
        }
    }

    /** Whether {@code condition} came to hold within {@code timeout}; for callers that report on their own. */
    public static boolean poll(final Duration timeout, final BooleanSupplier condition) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                return condition.getAsBoolean();
            }
            LockSupport.parkNanos(pause);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting");
            }
            pause = Math.min(MAX_PAUSE_NANOS, pause * 2);
        }
        return true;
    }
}
