package io.conversioni.window;

/**
 * Derived metrics computed from a cell's exact counters: conversion rate, average value and CPA.
 *
 * <p>Threading: stateless, any thread. Allocation: none. Long results use {@link #NONE} for "no value"
 * (the HTTP layer writes JSON null), doubles use NaN.
 */
public final class WindowMetrics {
    /** No value: no conversions, no events or no known spend. */
    public static final long NONE = Long.MIN_VALUE;

    private WindowMetrics() {
    }

    public static double conversionRate(final long numerator, final long denominator) {
        return denominator == 0 ? Double.NaN : (double) numerator / denominator;
    }

    /** Sum / count in cents, rounded half up (values are never negative); NONE when count is zero. */
    public static long averageValueCents(final long sumCents, final long count) {
        return count == 0 ? NONE : roundHalfUp(sumCents, count);
    }

    /**
     * The share of one day's spend that falls in one window: {@code daySpendCents * windowLengthMs / 1 day},
     * rounded half up to a cent; NONE when the spend is unknown ({@link CostTable#UNKNOWN}).
     */
    public static long proratedSpendCents(final long daySpendCents, final long windowLengthMs) {
        if (daySpendCents < 0) {
            return NONE;
        }
        return roundHalfUp(Math.multiplyExact(daySpendCents, windowLengthMs), WindowConfig.DAY_MS);
    }

    /**
     * Cost per acquisition in cents: prorated spend / conversions, computed exactly from the day's spend
     * and rounded half up once; NONE when there are no conversions or the spend is unknown.
     */
    public static long cpaCents(final long daySpendCents, final long windowLengthMs, final long conversions) {
        if (conversions <= 0 || daySpendCents < 0) {
            return NONE;
        }
        return roundHalfUp(Math.multiplyExact(daySpendCents, windowLengthMs),
            Math.multiplyExact(WindowConfig.DAY_MS, conversions));
    }

    private static long roundHalfUp(final long numerator, final long denominator) {
        final long q = numerator / denominator;
        final long r = numerator % denominator;
        return r >= denominator - r ? q + 1 : q;
    }
}
