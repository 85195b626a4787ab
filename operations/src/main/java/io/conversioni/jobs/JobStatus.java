package io.conversioni.jobs;

/**
 * One job as {@code GET /api/v1/jobs} shows it. Immutable snapshot.
 *
 * @param intervalMillis  period (0: runs only on demand or at a stop)
 * @param lastRunMillis   start of the last run, or -1
 * @param nextRunMillis   when the next is due, or -1 when none is scheduled
 * @param esito           {@code mai_eseguito}, {@code in_corso}, {@code errore}, or what the last run did
 * @param lastError       the last failure's message (kept after later successes), or null
 */
public record JobStatus(String nome, long intervalMillis, long lastRunMillis, long nextRunMillis, String esito,
                        String lastError) {
}
