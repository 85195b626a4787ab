/**
 * The HTTP(S) face of the engine: Undertow listeners, routes, JWT checks, limits, the query API,
 * health and Prometheus endpoints. Never blocks an IO thread; answers after the journal.
 */
package io.conversioni.ingress;
