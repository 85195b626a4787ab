/** Engine and JVM metrics in the Prometheus text exposition format (version 0.0.4), for {@code GET /metrics}. */
package io.conversioni.ingress.metrics;
