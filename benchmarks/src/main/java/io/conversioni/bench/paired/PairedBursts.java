package io.conversioni.bench.paired;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;
import java.util.function.LongUnaryOperator;

/**
 * A/B timing that survives a noisy shared host: two or more builds of the benchmarks jar are loaded
 * side by side in one JVM (one class loader each), and short bursts of the same loop alternate between
 * them, so a slow spell of the host hits every build alike. Reports, per build, the median ns per call
 * and the median of the per-burst ratios against the first build. Load the first build twice (a
 * same-code control) to see the placement bias of the run: ratios closer to 1 than the control's are
 * noise.
 *
 * <p>Usage: {@code java OPTS -cp benchmarks.jar io.conversioni.bench.paired.PairedBursts LOOP CALLS BURSTS
 * CLASSPATH_A CLASSPATH_B ...}, where LOOP is a {@link LongUnaryOperator} class ({@link WindowUpdateLoop},
 * {@link DedupeLoop}, {@link DecodeValidateLoop}) and each CLASSPATH holds that loop and a benchmarks jar
 * ({@code benchmarks/paired.sh} builds them from git revisions).
 */
public final class PairedBursts {
    private static final int WARMUP_BURSTS = 30;

    private PairedBursts() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: PairedBursts LOOP_CLASS CALLS_PER_BURST BURSTS CLASSPATH_A CLASSPATH_B [...]");
            System.exit(2);
        }
        final String loopClass = args[0];
        final long calls = Long.parseLong(args[1]);
        final int bursts = Integer.parseInt(args[2]);
        final int builds = args.length - 3;
        final LongUnaryOperator[] loops = new LongUnaryOperator[builds];
        for (int i = 0; i < builds; i++) {
            final URLClassLoader loader = new URLClassLoader(urls(args[3 + i]), ClassLoader.getPlatformClassLoader());
            loops[i] = (LongUnaryOperator) loader.loadClass(loopClass).getConstructor().newInstance();
        }
        for (int w = 0; w < WARMUP_BURSTS; w++) {
            for (final LongUnaryOperator loop : loops) {
                loop.applyAsLong(calls);
            }
        }
        final double[][] nsPerCall = new double[builds][bursts];
        for (int b = 0; b < bursts; b++) {
            for (int k = 0; k < builds; k++) {
                final int i = (k + b) % builds; // rotate who goes first
                nsPerCall[i][b] = loops[i].applyAsLong(calls) / (double) calls;
            }
        }
        System.out.printf("%s, %d bursts of %d calls per build%n", loopClass, bursts, calls);
        for (int i = 0; i < builds; i++) {
            final double[] sorted = nsPerCall[i].clone();
            Arrays.sort(sorted);
            final double[] ratio = new double[bursts];
            for (int b = 0; b < bursts; b++) {
                ratio[b] = nsPerCall[i][b] / nsPerCall[0][b];
            }
            Arrays.sort(ratio);
            System.out.printf("build %d  median %8.2f ns/call (p25 %8.2f)  vs build 0: median ratio %.3f (p25 %.3f, p75 %.3f)  %s%n",
                i, sorted[bursts / 2], sorted[bursts / 4], ratio[bursts / 2], ratio[bursts / 4], ratio[3 * bursts / 4],
                args[3 + i]);
        }
    }

    private static URL[] urls(final String classpath) throws MalformedURLException {
        final String[] parts = classpath.split(File.pathSeparator);
        final URL[] urls = new URL[parts.length];
        for (int i = 0; i < parts.length; i++) {
            urls[i] = new File(parts[i]).toURI().toURL();
        }
        return urls;
    }
}
