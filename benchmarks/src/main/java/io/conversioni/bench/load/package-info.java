/** The open-loop HTTP load generator: seeded event traffic on a fixed schedule, coordinated-omission-corrected latency, time-to-insight. */
package io.conversioni.bench.load;
