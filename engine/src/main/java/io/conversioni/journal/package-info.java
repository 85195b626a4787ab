/**
 * The journal: every published request body, appended with its sequence, receive time and outcome to
 * Chronicle queues (events, quarantine) so that any state can be rebuilt by replaying them.
 */
package io.conversioni.journal;
