/** The live dashboard: its page, script, styles and the bundled uPlot, served from the jar at {@code GET /}. */
package io.conversioni.ingress.dashboard;
