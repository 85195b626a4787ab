/**
 * The conversion event: its reusable holder, and the codec that decodes and validates body bytes into
 * it in one pass with no allocation.
 */
package io.conversioni.event;
