/**
 * Paired A/B timing of two builds in one JVM ({@link io.conversioni.bench.paired.PairedBursts}), for changes
 * smaller than the host's swings; {@code benchmarks/paired.sh} drives it from two git revisions.
 */
package io.conversioni.bench.paired;
