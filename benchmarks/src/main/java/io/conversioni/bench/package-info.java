/**
 * JMH benchmarks per engine stage and end to end; run from the shaded {@code benchmarks.jar}.
 */
package io.conversioni.bench;
