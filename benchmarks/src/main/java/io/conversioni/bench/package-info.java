/** JMH benchmarks per engine stage and end to end, and the peers they are measured against. */
package io.conversioni.bench;
