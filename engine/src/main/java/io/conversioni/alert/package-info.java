/**
 * Owns alerts: the rules evaluated off the hot path over the event stream, the alert journal, and the
 * signals that parts outside the stream (delivery, reconciliation) raise and clear.
 */
package io.conversioni.alert;
