package io.conversioni.cli;

import io.conversioni.config.ConfigException;
import io.conversioni.config.EngineConfig;
import io.conversioni.ingress.AuthSetup;
import io.conversioni.ingress.auth.Scopes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code conversioni token --sub NAME [--ttl 24h] [--scope "eventi:scrivi metriche:leggi"]}: prints a fresh HS256
 * token, nothing else. Without {@code --scope} the token has no {@code scope} claim and gets
 * {@code auth.default_scopes}.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = {"Print a fresh HS256 token for the server's shared secret (and nothing else).",
        "The secret comes from CONVERSIONI_JWT_SECRET or the data folder's jwt-secret."})
final class TokenCommand implements Callable<Integer> {
    @Mixin
    private DataFolderOptions folder = new DataFolderOptions();

    @Option(names = "--sub", required = true, paramLabel = "NAME", description = "The token's subject (who sends).")
    private String subject;

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "24h",
        description = "Lifetime, like 30m, 1h, 7d (default: ${DEFAULT-VALUE}).")
    private String ttl;

    @Option(names = "--scope", paramLabel = "SCOPES",
        description = {"Space-separated scopes written in the token's 'scope' claim: eventi:scrivi (send events), "
            + "metriche:leggi (read metrics, stream, alerts, jobs), admin (run jobs).",
            "Default: no claim, so the server's auth.default_scopes apply."})
    private String scope;

    @Override
    public Integer call() {
        final long seconds = parseTtl(ttl);
        if (seconds <= 0) {
            System.err.println("error: --ttl must be a duration like 30m, 1h or 7d, was '" + ttl + "'");
            return 2;
        }
        if (subject.isBlank()) {
            System.err.println("error: --sub must name the sender");
            return 2;
        }
        if (scope != null && (scope.isBlank() || Scopes.firstUnknown(scope) != null)) {
            System.err.println("error: --scope must list one or more of " + String.join(", ", Scopes.known())
                + ", separated by spaces; was '" + scope + "'");
            return 2;
        }
        try {
            final EngineConfig config = folder.config();
            if (System.getenv("CONVERSIONI_JWT_SECRET") == null && !Files.exists(folder.dataDir().resolve("jwt-secret"))) {
                System.err.println("error: no secret in " + folder.dataDir().resolve("jwt-secret")
                    + ": start the server once with this --data-dir, or set CONVERSIONI_JWT_SECRET");
                return 2;
            }
            final AuthSetup auth = AuthSetup.read(config.auth(), folder.dataDir());
            if (auth.issuer() == null) {
                System.err.println("error: auth.mode is not hs256: tokens come from your identity provider");
                return 2;
            }
            System.out.println(auth.issuer().issue(subject, System.currentTimeMillis() / 1000, seconds, scope));
            return 0;
        } catch (ConfigException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }

    static long parseTtl(final String text) {
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(s|m|h|d)").matcher(text.trim());
        if (!m.matches()) {
            return -1;
        }
        final long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "s": return n;
            case "m": return Duration.ofMinutes(n).getSeconds();
            case "h": return Duration.ofHours(n).getSeconds();
            default: return Duration.ofDays(n).getSeconds();
        }
    }
}
