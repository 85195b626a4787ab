package io.conversioni.ingress;

import io.conversioni.config.ConfigException;
import io.conversioni.config.EngineConfig;
import io.conversioni.operations.JobsRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShippedConfigurationTest {
    private static final Path SHIPPED = Path.of("..", "config", "conversioni.yaml");

    @Test
    void shouldReadEveryServerAndAuthSettingOfTheShippedFileWithOrWithoutPortOverrides(@TempDir final Path data)
        throws Exception {
        final EngineConfig config = EngineConfig.load(SHIPPED);
        final ServerSettings defaults = ServerSettings.read(config.server(), null, null);
        assertEquals(8443, defaults.httpsPort);
        assertEquals(-1, defaults.httpPort);
        assertEquals("127.0.0.1", defaults.httpBind);
        assertEquals(31_536_000L, defaults.hstsMaxAgeSeconds);
        final ServerSettings overridden = ServerSettings.read(EngineConfig.load(SHIPPED).server(), -1, 18080);
        assertEquals(-1, overridden.httpsPort);
        assertEquals(18080, overridden.httpPort);
        final AuthSetup auth = AuthSetup.read(config.auth(), data);
        assertNotNull(auth.issuer());
        assertTrue(auth.generatedSecret());
        assertTrue(Files.exists(data.resolve("jwt-secret")));
    }

    @Test
    void shouldReadTheShippedReconciliationAndReportSettingsAndNameATypoInThem() throws Exception {
        final JobsRuntime.Settings jobs = JobsRuntime.settings(EngineConfig.load(SHIPPED), Path.of("data"));
        assertEquals("csv", jobs.reconciliation().source());
        assertEquals(120_000, jobs.reconciliation().intervalMillis());
        assertEquals(Path.of("data", "crm-export"), jobs.reconciliation().folder());
        assertEquals("/eventi", jobs.reconciliation().http().eventsPointer());
        assertTrue(jobs.reportsEnabled());
        assertEquals(3_600_000, jobs.reportIntervalMillis());
        final ConfigException typo = assertThrows(ConfigException.class, () -> JobsRuntime.settings(
            EngineConfig.parse("reconciliation:\n  intervallo: 1m\n", Path.of("..", "config")), Path.of("data")));
        assertTrue(typo.getMessage().contains("unknown setting reconciliation.intervallo"), typo.getMessage());
        final ConfigException bad = assertThrows(ConfigException.class, () -> JobsRuntime.settings(
            EngineConfig.parse("reports:\n  interval: 10s\n", Path.of("..", "config")), Path.of("data")));
        assertTrue(bad.getMessage().contains("reports.interval must be a duration"), bad.getMessage());
    }

    @Test
    void shouldNameAnUnknownServerSettingAndRefuseNoListener() throws Exception {
        final ConfigException typo = assertThrows(ConfigException.class, () -> ServerSettings.read(
            EngineConfig.parse("server:\n  htps_port: 1\n", Path.of("..", "config")).server(), null, null));
        assertTrue(typo.getMessage().contains("server.htps_port"), typo.getMessage());
        final ConfigException none = assertThrows(ConfigException.class, () -> ServerSettings.read(
            EngineConfig.parse("server:\n  https_port: -1\n", Path.of("..", "config")).server(), null, null));
        assertTrue(none.getMessage().contains("no listener"), none.getMessage());
    }

    @Test
    void shouldUseTheShippedSchemaAndNoCostsWhenAUserConfigurationNamesNeither(@TempDir final Path folder)
        throws Exception {
        final Path file = folder.resolve("mine.yaml");
        Files.writeString(file, "dedupe:\n  mode: exact\n");
        final EngineConfig config = EngineConfig.load(file);
        assertEquals(EngineConfig.embedded().schema().canali(), config.schema().canali());
        assertEquals(EngineConfig.embedded().schema().eventi(), config.schema().eventi());
        assertEquals(0, config.costs().campaignCount(), "no cost table next to the file: CPA stays null, never invented");

        Files.writeString(file, "schema: mine.schema.json\n");
        final ConfigException named = assertThrows(ConfigException.class, () -> EngineConfig.load(file));
        assertTrue(named.getMessage().contains("schema file not found: mine.schema.json"), named.getMessage());
    }
}
