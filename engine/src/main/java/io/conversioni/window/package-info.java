/**
 * Owns the live metrics: a preallocated ring of event-time tumbling windows per canale, evento and
 * campagna, advanced by a watermark, written by one thread and read through per-window sequence locks.
 */
package io.conversioni.window;
