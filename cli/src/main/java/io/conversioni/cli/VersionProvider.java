package io.conversioni.cli;

import picocli.CommandLine;

/** Reports the jar's implementation version (or "development" when run from classes). */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        final String v = ConversioniCommand.class.getPackage().getImplementationVersion();
        return new String[] {"conversioni " + (v == null ? "development" : v),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }
}
