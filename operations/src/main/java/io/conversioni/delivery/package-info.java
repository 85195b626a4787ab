/**
 * Outbound delivery of alerts (and, with the finestre webhook, each closed window) to sinks (Slack, a JSON
 * webhook, e-mail) on threads of its own, with exponential backoff and jitter, pending retries persisted,
 * and a dead-letter journal.
 */
package io.conversioni.delivery;
