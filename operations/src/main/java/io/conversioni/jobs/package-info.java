/** Owns the scheduled jobs (reconciliation, reports) and the status view they share with the engine's maintenance. */
package io.conversioni.jobs;
