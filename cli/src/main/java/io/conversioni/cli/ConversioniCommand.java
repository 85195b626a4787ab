package io.conversioni.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the shaded jar and of {@code ./conversioni}. Runs on the main thread; each subcommand
 * returns its exit code.
 */
@Command(
    name = "conversioni",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Low-latency conversion-event engine: validate, dedupe, journal and window CRM conversions.",
    subcommands = {ServeCommand.class, TokenCommand.class, ReplayCommand.class, RequeueCommand.class, ValidateCommand.class,
        ReconcileCommand.class, ReportCommand.class, DeadlettersCommand.class,
        CommandLine.HelpCommand.class})
public final class ConversioniCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args) {
        System.setProperty("chronicle.analytics.disable", "true");
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (for tests: no {@code System.exit}). */
    public static int execute(final String... args) {
        final CommandLine cli = new CommandLine(new ConversioniCommand());
        // usage errors exit 2, as every subcommand's contract says
        cli.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + ex.getMessage());
            return 2;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
