/**
 * Duplicate detection: a fixed-capacity, off-heap, single-writer table that answers "have I accepted
 * this event already, and which one was it?" by key and event time, with expiry by event time.
 */
package io.conversioni.dedupe;
