package io.conversioni.config;

import io.conversioni.dedupe.DedupeConfig;
import io.conversioni.dedupe.DedupeMode;
import io.conversioni.event.EventSchema;
import io.conversioni.journal.JournalConfig;
import io.conversioni.schema.SchemaException;
import io.conversioni.window.CostTable;
import io.conversioni.window.CostTableException;
import io.conversioni.window.WindowConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the engine needs, read once from {@code conversioni.yaml} (or the embedded defaults),
 * validated as a whole before anything starts: ranges, units, the schema compiled, the cost table
 * parsed. Errors name the setting and the bad value. Immutable; start-up only.
 */
public final class EngineConfig {
    /** Event fields a dedupe key may be built from. */
    public static final List<String> KEY_FIELDS = List.of(
        "id_cliente", "evento", "canale", "stato", "campagna", "dispositivo", "localita");
    public static final List<String> WAIT_STRATEGIES = List.of("sleeping", "blocking", "yielding", "busy_spin");
    public static final String EMBEDDED = "classpath:config/conversioni.yaml";
    private static final String DEFAULT_SCHEMA = "schema/conversione.schema.json";
    private static final String DEFAULT_COSTS = "costi.csv";
    /** The files shipped under {@code config/} inside the server's jar (absent when only the engine is on the class path). */
    private static final Resolver CLASSPATH = name -> {
        try (InputStream in = EngineConfig.class.getClassLoader().getResourceAsStream("config/" + name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new ConfigException("cannot read embedded config/" + name + ": " + e.getMessage());
        }
    };

    private final String source;
    private final EventSchema schema;
    private final int ringSize;
    private final String waitStrategy;
    private final int maxBodyBytes;
    private final int slotBodyBytes;
    private final int stageThreads;
    private final int maxDepth;
    private final long heartbeatMillis;
    private final boolean syncDurability;
    private final String rollCycle;
    private final int retentionCycles;
    private final long pretouchBytes;
    private final long dropBehindBytes;
    private final long snapshotIntervalMillis;
    private final DedupeConfig dedupe;
    private final List<String> dedupeKeyFields;
    private final WindowConfig windows;
    private final CostTable costs;
    private final ConfigReader server;
    private final ConfigReader auth;
    private final ConfigReader reconciliation;
    private final ConfigReader reports;
    private final ConfigReader alerts;
    private final ConfigReader delivery;
    private final ConfigReader cluster;

    private EngineConfig(final ConfigReader r, final Resolver resolver) throws ConfigException {
        this.source = r.source();
        // absent key: the file next to the configuration if there is one, else the shipped schema
        this.schema = loadSchema(r.string("schema", DEFAULT_SCHEMA), r.has("schema") ? resolver
            : name -> orElse(resolver.read(name), CLASSPATH.read(name)), r.source());
        this.ringSize = (int) r.integer("pipeline.ring_size", 16384, 64, 1 << 24);
        if (Integer.bitCount(ringSize) != 1) {
            throw new ConfigException(source + ": pipeline.ring_size must be a power of two, was '" + ringSize + "'");
        }
        this.waitStrategy = r.oneOf("pipeline.wait_strategy", "blocking", WAIT_STRATEGIES);
        this.stageThreads = Integer.parseInt(r.oneOf("pipeline.stage_threads", "1", List.of("0", "1", "2", "4")));
        this.maxBodyBytes = (int) r.sizeBytes("pipeline.max_body_size", "64KiB", 256, 16 * 1024 * 1024);
        this.slotBodyBytes = (int) r.sizeBytes("pipeline.slot_body_size", "512", 64, 64 * 1024);
        final long ringBodyBytes = (long) ringSize * slotBodyBytes;
        final long maxHeap = Runtime.getRuntime().maxMemory();
        if (ringBodyBytes > maxHeap / 2) {
            throw new ConfigException(source + ": pipeline.ring_size x pipeline.slot_body_size is "
                + (ringBodyBytes >> 20) + " MiB of ring bodies, more than half of this JVM's maximum heap ("
                + (maxHeap >> 20) + " MiB): lower either, or give the JVM more heap (-Xmx)");
        }
        this.maxDepth = (int) r.integer("pipeline.max_depth", 32, 2, 1000);
        this.heartbeatMillis = r.durationMillis("pipeline.heartbeat", "1s", 10, 60_000);
        this.syncDurability = r.oneOf("journal.durability", "async", List.of("async", "sync")).equals("sync");
        this.rollCycle = r.oneOf("journal.roll_cycle", "HOURLY", List.of("HOURLY", "DAILY"));
        this.retentionCycles = (int) r.integer("journal.retention_cycles", 48, 1, 100_000);
        this.pretouchBytes = r.sizeBytes(JournalConfig.KEY_PRETOUCH, "8MiB", 0, JournalConfig.MAX_PRETOUCH_BYTES);
        this.dropBehindBytes = r.sizeBytes(JournalConfig.KEY_DROP_BEHIND, "256MiB", 0,
            JournalConfig.MAX_DROP_BEHIND_BYTES);
        this.snapshotIntervalMillis = r.has("journal.snapshot_interval")
            && "0".equals(r.string("journal.snapshot_interval", "5m").trim())
            ? 0 : r.durationMillis("journal.snapshot_interval", "5m", 100, 86_400_000);

        final DedupeMode mode = DedupeMode.fromConfigName(
            r.oneOf("dedupe.mode", "proximity", List.of("proximity", "bucket", "exact")));
        this.dedupeKeyFields = r.stringList("dedupe.key_fields", List.of("id_cliente", "evento"));
        if (dedupeKeyFields.isEmpty()) {
            throw new ConfigException(source + ": dedupe.key_fields must name at least one field, was '[]'");
        }
        for (String field : dedupeKeyFields) {
            if (!KEY_FIELDS.contains(field)) {
                throw new ConfigException(source + ": dedupe.key_fields must list fields among " + KEY_FIELDS
                    + ", was '" + field + "'");
            }
        }
        final long dedupeWindow = r.durationMillis("dedupe.window", "5m", 1000, DedupeConfig.MAX_WINDOW_MILLIS);
        final long dedupeTtl = r.has("dedupe.ttl")
            ? r.durationMillis("dedupe.ttl", "1h", 1000, DedupeConfig.MAX_TTL_MILLIS)
            : DedupeConfig.defaultTtlMillis(mode, dedupeWindow);
        final int capacity = (int) r.integer("dedupe.capacity", 131_072, DedupeConfig.MIN_CAPACITY_SLOTS,
            DedupeConfig.MAX_CAPACITY_SLOTS);
        try {
            this.dedupe = DedupeConfig.builder().mode(mode).windowMillis(dedupeWindow).ttlMillis(dedupeTtl)
                .capacitySlots(capacity).build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        }

        final long size = r.durationMillis("windows.size", "5m", 1000, 86_400_000);
        final long horizon = r.durationMillis("windows.horizon", "24h", size, 31L * 86_400_000);
        final long lateness = r.durationMillis("windows.allowed_lateness", "15s", 0, horizon);
        final long idleAllowance = r.durationMillis("windows.idle_allowance", "45s", 0, horizon - 1);
        final long future = r.durationMillis("windows.future_tolerance", "1m", 0, 86_400_000);
        final int campaigns = (int) r.integer("windows.campaign_capacity", 1024, 3, 1 << 16);
        final int[] numerator = ordinals("windows.conversion_rate.conversioni",
            r.stringList("windows.conversion_rate.conversioni", List.of("acquisto_concluso")), schema.eventi());
        final int[] denominator = ordinals("windows.conversion_rate.base",
            r.stringList("windows.conversion_rate.base", schema.eventi()), schema.eventi());
        try {
            this.windows = WindowConfig.builder().windowLengthMs(size).horizonMs(horizon).allowedLatenessMs(lateness)
                .idleAllowanceMs(idleAllowance).futureToleranceMs(future).campaignCapacity(campaigns).eventoCount(schema.eventi().size())
                .canaleCount(schema.canali().size()).statoCount(schema.stati().size())
                .numeratorEventi(numerator).denominatorEventi(denominator).build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        }
        // absent key: costi.csv next to the configuration if there is one, else no costs (CPA null)
        this.costs = r.has("windows.costs") || resolver.read(DEFAULT_COSTS) != null
            ? loadCosts(r.string("windows.costs", DEFAULT_COSTS), resolver, source, schema.canali())
            : CostTable.empty();
        this.server = r.section("server");
        this.auth = r.section("auth");
        this.reconciliation = r.section("reconciliation");
        this.reports = r.section("reports");
        this.alerts = r.section("alerts");
        this.delivery = r.section("delivery");
        this.cluster = r.has("cluster") ? r.section("cluster") : null;
        r.rejectUnknownKeys();
    }

    private int[] ordinals(final String key, final List<String> names, final List<String> eventi) throws ConfigException {
        final int[] out = new int[names.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = eventi.indexOf(names.get(i));
            if (out[i] < 0) {
                throw new ConfigException(source + ": " + key + " must list eventi from the schema " + eventi
                    + ", was '" + names.get(i) + "'");
            }
        }
        return out;
    }

    /** Reads a configuration file; relative paths inside it resolve against its folder. */
    public static EngineConfig load(final Path file) throws ConfigException {
        final String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file not found: " + file);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
        }
        final Path folder = file.toAbsolutePath().getParent();
        return new EngineConfig(ConfigReader.parse(text, file.toString()), name -> {
            final Path p = folder.resolve(name);
            try {
                return Files.readAllBytes(p);
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                throw new ConfigException("cannot read " + p + ": " + e.getMessage());
            }
        });
    }

    /** The defaults shipped in {@code config/} (inside the jar). */
    public static EngineConfig embedded() throws ConfigException {
        final Resolver classpath = CLASSPATH;
        final byte[] yaml = classpath.read("conversioni.yaml");
        if (yaml == null) {
            throw new ConfigException("the embedded config/conversioni.yaml is missing from the class path");
        }
        return new EngineConfig(ConfigReader.parse(new String(yaml, StandardCharsets.UTF_8), EMBEDDED), classpath);
    }

    /** For tests and embedding: YAML text, with paths resolved against {@code folder}. */
    public static EngineConfig parse(final String yaml, final Path folder) throws ConfigException {
        return new EngineConfig(ConfigReader.parse(yaml, "<inline>"), name -> {
            final Path p = folder.resolve(name);
            try {
                return Files.exists(p) ? Files.readAllBytes(p) : null;
            } catch (IOException e) {
                throw new ConfigException("cannot read " + p + ": " + e.getMessage());
            }
        });
    }

    private static EventSchema loadSchema(final String name, final Resolver resolver, final String source)
        throws ConfigException {
        final byte[] bytes = resolver.read(name);
        if (bytes == null) {
            throw new ConfigException(source + ": schema file not found: " + name);
        }
        try {
            return EventSchema.compile(bytes, name);
        } catch (SchemaException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        }
    }

    private static CostTable loadCosts(final String name, final Resolver resolver, final String source,
                                       final List<String> canali) throws ConfigException {
        final byte[] bytes = resolver.read(name);
        if (bytes == null) {
            throw new ConfigException(source + ": windows.costs file not found: " + name);
        }
        try {
            return CostTable.parse(new StringReader(new String(bytes, StandardCharsets.UTF_8)), name, canali);
        } catch (CostTableException | IOException e) {
            throw new ConfigException(source + ": windows.costs: " + e.getMessage());
        }
    }

    private static byte[] orElse(final byte[] first, final byte[] second) {
        return first != null ? first : second;
    }

    @FunctionalInterface
    private interface Resolver {
        /** Bytes of a file named relative to the configuration, or null when it does not exist. */
        byte[] read(String name) throws ConfigException;
    }

    public String source() {
        return source;
    }

    public EventSchema schema() {
        return schema;
    }

    public int ringSize() {
        return ringSize;
    }

    public String waitStrategy() {
        return waitStrategy;
    }

    /** 4: one thread per stage; 2: decode+journal on one thread, window+respond on the other. */
    public int stageThreads() {
        return stageThreads;
    }

    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /** Bytes each ring slot reserves for its body in the ring's shared body arrays (a larger body gets its own). */
    public int slotBodyBytes() {
        return slotBodyBytes;
    }

    public int maxDepth() {
        return maxDepth;
    }

    public long heartbeatMillis() {
        return heartbeatMillis;
    }

    public boolean syncDurability() {
        return syncDurability;
    }

    public String rollCycle() {
        return rollCycle;
    }

    /** Period of state snapshots while running (0: only at a clean stop). */
    public long snapshotIntervalMillis() {
        return snapshotIntervalMillis;
    }

    public int retentionCycles() {
        return retentionCycles;
    }

    /** {@code journal.pretouch}: how far ahead of the journal writer its file's pages are read in; 0: off. */
    public long pretouchBytes() {
        return pretouchBytes;
    }

    /**
     * {@code journal.drop_behind}: how far behind the journal writer its file's pages are written back and dropped
     * from the page cache; 0: kept until the kernel reclaims them.
     */
    public long dropBehindBytes() {
        return dropBehindBytes;
    }

    public DedupeConfig dedupe() {
        return dedupe;
    }

    /** Slots of {@link io.conversioni.event.ConversionEvent} that form the dedupe key, in order. */
    public List<String> dedupeKeyFields() {
        return dedupeKeyFields;
    }

    public WindowConfig windows() {
        return windows;
    }

    public CostTable costs() {
        return costs;
    }

    /** The {@code server:} settings, read and checked by the HTTP module (which rejects unknown keys there). */
    public ConfigReader server() {
        return server;
    }

    /** The {@code auth:} settings, read and checked by the HTTP module. */
    public ConfigReader auth() {
        return auth;
    }

    /** The {@code reconciliation:} settings, read and checked by the reconciliation job. */
    public ConfigReader reconciliation() {
        return reconciliation;
    }

    /** The {@code reports:} settings (the daily integrity report), read and checked by the report job. */
    public ConfigReader reports() {
        return reports;
    }

    /** The {@code alerts:} settings (rules, thresholds), read and checked by the alert service. */
    public ConfigReader alerts() {
        return alerts;
    }

    /** The {@code delivery:} settings (sinks, retries), read and checked by outbound delivery. */
    public ConfigReader delivery() {
        return delivery;
    }

    /**
     * The {@code cluster:} settings, read and checked by the cluster module when the server starts; null when the
     * file has no such section (one node, no Kafka client).
     */
    public ConfigReader cluster() {
        return cluster;
    }

    /** Warnings worth a log line at start-up (the schema's unknown keywords, for example). */
    public List<String> warnings() {
        return new ArrayList<>(schema.compiled().warnings());
    }
}
