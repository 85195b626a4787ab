/** Owns the daily integrity report: what the engine received and decided in a day, reconciliation and alerts. */
package io.conversioni.report;
