/**
 * JMH benchmarks per engine stage: what one event costs in time and bytes, measured with {@code -prof gc}.
 */
package io.conversioni.bench;
