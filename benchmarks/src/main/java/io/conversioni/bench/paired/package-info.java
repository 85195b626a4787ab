/**
 * Paired A/B timing of two builds in one JVM ({@link io.conversioni.bench.paired.PairedBursts}), for changes
 * smaller than the host's swings; {@code benchmarks/paired.sh} drives it from two git revisions. Each loop
 * class repeats the same few timing lines on purpose: its loop calls one benchmark method directly, so the
 * JIT compiles and inlines it for that benchmark alone, as JMH's generated stubs do.
 */
package io.conversioni.bench.paired;
