/** The Prometheus text format, written without allocation, for every part that exposes its own counters. */
package io.conversioni.metrics;
