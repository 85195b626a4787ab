/**
 * Owns reconciliation with the CRM (the article's "validazione incrociata"): the engine's accepted events
 * per closed window and evento/canale against the CRM's, by count, exact value sum and fingerprint checksum.
 */
package io.conversioni.reconcile;
