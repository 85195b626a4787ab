package io.conversioni.json;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Exact arithmetic on decimals held as {@code unscaled × 10^exponent} with at most 18 significant digits
 * and no trailing zeros in {@code unscaled} (the form {@link JsonCursor#readNumber()} produces).
 * Stateless and allocation-free except {@link #of(BigDecimal)} and {@link #toPlainString}.
 */
public final class ExactDecimal {
    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    private ExactDecimal() {
    }

    /** A normalised {unscaled, exponent} pair for a schema constant, or null when it needs over 18 digits. */
    public static long[] of(final BigDecimal value) {
        if (value.signum() == 0) {
            return new long[] {0, 0};
        }
        final BigDecimal stripped = value.stripTrailingZeros();
        if (stripped.precision() > JsonCursor.MAX_SIGNIFICANT_DIGITS) {
            return null;
        }
        return new long[] {stripped.unscaledValue().longValueExact(), -stripped.scale()};
    }

    /** Number of decimal digits of |u| (u != 0). */
    static int digitCount(final long u) {
        final long a = Math.abs(u);
        int n = 1;
        while (n < 19 && a >= POW10[n]) {
            n++;
        }
        return n;
    }

    /** Compares two normalised decimals: negative, zero or positive like {@link Comparable}. */
    public static int compare(final long u1, final int e1, final long u2, final int e2) {
        final int s1 = Long.signum(u1);
        final int s2 = Long.signum(u2);
        if (s1 != s2) {
            return Integer.compare(s1, s2);
        }
        if (s1 == 0) {
            return 0;
        }
        // same sign, both non-zero: compare magnitudes by order of magnitude first
        final int m1 = digitCount(u1) + e1;
        final int m2 = digitCount(u2) + e2;
        int magnitude;
        if (m1 != m2) {
            magnitude = Integer.compare(m1, m2);
        } else {
            // same order of magnitude: align to the smaller exponent; the shift is < 18 digits
            final long a1 = Math.abs(u1);
            final long a2 = Math.abs(u2);
            if (e1 >= e2) {
                magnitude = Long.compare(a1 * POW10[e1 - e2], a2);
            } else {
                magnitude = Long.compare(a1, a2 * POW10[e2 - e1]);
            }
        }
        return s1 > 0 ? magnitude : -magnitude;
    }

    /** True when u1×10^e1 is an integer multiple of the positive divisor u2×10^e2. */
    public static boolean isMultipleOf(final long u1, final int e1, final long u2, final int e2) {
        if (u1 == 0) {
            return true;
        }
        final long value = Math.abs(u1);
        final long divisor = Math.abs(u2);
        if (e1 >= e2) {
            // value × 10^(e1−e2) mod divisor == 0, computed with unsigned arithmetic (r×10 < 2^64)
            long r = Long.remainderUnsigned(value, divisor);
            for (int i = 0; i < e1 - e2 && r != 0; i++) {
                r = Long.remainderUnsigned(r * 10, divisor);
            }
            return r == 0;
        }
        // value must be divisible by divisor × 10^(e2−e1); value has no trailing zeros, so unless the
        // divisor supplies them all this fails.
        final int shift = e2 - e1;
        if (shift > 18) {
            return false;
        }
        final long scaled;
        try {
            scaled = Math.multiplyExact(divisor, POW10[shift]);
        } catch (ArithmeticException tooBig) {
            return false;
        }
        return value % scaled == 0;
    }

    /** Plain decimal text of a normalised decimal, for messages and output. */
    public static String toPlainString(final long unscaled, final int exponent) {
        return new BigDecimal(BigInteger.valueOf(unscaled), -exponent).toPlainString();
    }
}
