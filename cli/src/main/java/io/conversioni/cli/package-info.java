/** The {@code conversioni} command line: one picocli subcommand per task (validate, serve, replay, ...). */
package io.conversioni.cli;
