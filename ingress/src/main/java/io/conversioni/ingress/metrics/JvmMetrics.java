package io.conversioni.ingress.metrics;

import io.conversioni.metrics.PrometheusTextWriter;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.RuntimeMXBean;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * JVM metrics from the platform MXBeans: heap and non-heap use, live threads, time spent in each garbage
 * collector, uptime. Threading: called under {@link PrometheusExporter}'s lock. Allocation: the beans are
 * looked up once; each scrape allocates only the two {@code MemoryUsage} records the JDK returns.
 */
final class JvmMetrics {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
    private final List<GarbageCollectorMXBean> collectors = List.copyOf(ManagementFactory.getGarbageCollectorMXBeans());

    void writeTo(final PrometheusTextWriter w) {
        w.family("jvm_memory_used_bytes", PrometheusTextWriter.GAUGE, "Memory in use by the JVM, by area.");
        w.sample("jvm_memory_used_bytes").label("area", "heap").value(memory.getHeapMemoryUsage().getUsed());
        w.sample("jvm_memory_used_bytes").label("area", "nonheap").value(memory.getNonHeapMemoryUsage().getUsed());

        w.family("jvm_threads_live", PrometheusTextWriter.GAUGE, "Live JVM threads, daemon threads included.");
        w.sample("jvm_threads_live").value(threads.getThreadCount());

        w.family("jvm_gc_collection_seconds_total", PrometheusTextWriter.COUNTER,
            "Accumulated time spent in collections, by garbage collector.");
        for (final GarbageCollectorMXBean gc : collectors) {
            final long millis = gc.getCollectionTime();
            if (millis >= 0) { // -1: this collector does not report its time
                w.sample("jvm_gc_collection_seconds_total").label("gc", gc.getName()).value(millis / 1e3);
            }
        }

        w.family("process_uptime_seconds", PrometheusTextWriter.GAUGE, "Time since the JVM started.");
        w.sample("process_uptime_seconds").value(runtime.getUptime() / 1e3);
    }
}
