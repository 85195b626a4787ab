/** The off-hot-path runtimes a server starts and stops as units: alerts with their delivery, and the scheduled jobs. */
package io.conversioni.operations;
