package io.conversioni.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The journal's settings, validated once by {@link #of}: every error names the key and the bad value.
 * Immutable; safe to share between threads. The events queue lives in {@code directory/events}, the
 * quarantine queue in {@code directory/quarantine}.
 *
 * <table>
 *   <caption>Keys and defaults</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>journal.directory</td><td>(required)</td><td>parent of the two queues; created if missing</td></tr>
 *   <tr><td>journal.rollCycle</td><td>HOURLY</td>
 *       <td>one file per queue per cycle, see {@link JournalRollCycle}</td></tr>
 *   <tr><td>journal.retainCycles</td><td>168 (a week of hours)</td><td>cycles kept, counting the current one</td></tr>
 *   <tr><td>journal.durability</td><td>async</td><td>sync or async, see {@link JournalDurability}</td></tr>
 *   <tr><td>journal.pretouch</td><td>8 MiB</td><td>how far ahead of the writer a thread of its own brings the
 *       cycle file's pages into the page cache, see {@link JournalPretoucher}; 0: off</td></tr>
 *   <tr><td>journal.drop_behind</td><td>256 MiB</td><td>how far behind the writer that thread writes the cycle
 *       file's pages back and drops them from the page cache, see {@link JournalPretoucher}; 0: off</td></tr>
 * </table>
 */
public final class JournalConfig {
    public static final String KEY_DIRECTORY = "journal.directory";
    public static final String KEY_ROLL_CYCLE = "journal.rollCycle";
    public static final String KEY_RETAIN_CYCLES = "journal.retainCycles";
    public static final String KEY_DURABILITY = "journal.durability";
    public static final String KEY_PRETOUCH = "journal.pretouch";
    public static final String KEY_DROP_BEHIND = "journal.drop_behind";

    public static final String DEFAULT_ROLL_CYCLE = "HOURLY";
    public static final int DEFAULT_RETAIN_CYCLES = 168;
    public static final String DEFAULT_DURABILITY = "async";
    public static final long DEFAULT_PRETOUCH_BYTES = 8L << 20;
    /** Upper bound of {@link #KEY_PRETOUCH}. */
    public static final long MAX_PRETOUCH_BYTES = 1L << 30;
    /**
     * Default of {@link #KEY_DROP_BEHIND}: past the two 80 MiB mappings Chronicle keeps around its write
     * position, so that the pages released are ones the writer has let go.
     */
    public static final long DEFAULT_DROP_BEHIND_BYTES = 256L << 20;
    /** Upper bound of {@link #KEY_DROP_BEHIND}. */
    public static final long MAX_DROP_BEHIND_BYTES = 1L << 40;
    /** Upper bound of {@link #KEY_RETAIN_CYCLES}: more than ten years of five-minute files. */
    public static final int MAX_RETAIN_CYCLES = 1_100_000;

    static final String EVENTS_QUEUE = "events";
    static final String QUARANTINE_QUEUE = "quarantine";

    private final Path directory;
    private final JournalRollCycle rollCycle;
    private final int retainCycles;
    private final JournalDurability durability;
    private final long pretouchBytes;
    private final long dropBehindBytes;

    private JournalConfig(final Path directory, final JournalRollCycle rollCycle, final int retainCycles,
                          final JournalDurability durability, final long pretouchBytes, final long dropBehindBytes) {
        this.directory = directory;
        this.rollCycle = rollCycle;
        this.retainCycles = retainCycles;
        this.durability = durability;
        this.pretouchBytes = pretouchBytes;
        this.dropBehindBytes = dropBehindBytes;
    }

    /** The defaults for everything but the directory. */
    public static JournalConfig defaults(final Path directory) {
        return of(directory, DEFAULT_ROLL_CYCLE, DEFAULT_RETAIN_CYCLES, DEFAULT_DURABILITY);
    }

    /**
     * Validates and builds a configuration; names are matched ignoring case.
     *
     * @throws IllegalArgumentException naming the key and the bad value
     */
    public static JournalConfig of(final Path directory, final String rollCycle, final int retainCycles,
                                   final String durability) {
        return new JournalConfig(checkDirectory(directory), parseRollCycle(rollCycle), checkRetain(retainCycles),
            parseDurability(durability), DEFAULT_PRETOUCH_BYTES, DEFAULT_DROP_BEHIND_BYTES);
    }

    /** A copy with another durability (the same directory may be reopened either way). */
    public JournalConfig withDurability(final JournalDurability durability) {
        if (durability == null) {
            throw new IllegalArgumentException(KEY_DURABILITY + " must be sync or async; was null");
        }
        return new JournalConfig(directory, rollCycle, retainCycles, durability, pretouchBytes, dropBehindBytes);
    }

    /**
     * A copy with another pretouch distance.
     *
     * @param bytes how far ahead of the writer pages are brought in; 0 turns the pretouch thread off
     * @throws IllegalArgumentException naming the key, when negative or above {@link #MAX_PRETOUCH_BYTES}
     */
    public JournalConfig withPretouchBytes(final long bytes) {
        if (bytes < 0 || bytes > MAX_PRETOUCH_BYTES) {
            throw new IllegalArgumentException(KEY_PRETOUCH + " must be between 0 (off) and " + MAX_PRETOUCH_BYTES
                + " bytes; was " + bytes);
        }
        return new JournalConfig(directory, rollCycle, retainCycles, durability, bytes, dropBehindBytes);
    }

    /**
     * A copy with another drop-behind distance.
     *
     * @param bytes how far behind the writer pages are written back and dropped from the page cache; 0: kept
     * @throws IllegalArgumentException naming the key, when negative or above {@link #MAX_DROP_BEHIND_BYTES}
     */
    public JournalConfig withDropBehindBytes(final long bytes) {
        if (bytes < 0 || bytes > MAX_DROP_BEHIND_BYTES) {
            throw new IllegalArgumentException(KEY_DROP_BEHIND + " must be between 0 (off) and "
                + MAX_DROP_BEHIND_BYTES + " bytes; was " + bytes);
        }
        return new JournalConfig(directory, rollCycle, retainCycles, durability, pretouchBytes, bytes);
    }

    public Path directory() {
        return directory;
    }

    public Path eventsDirectory() {
        return directory.resolve(EVENTS_QUEUE);
    }

    public Path quarantineDirectory() {
        return directory.resolve(QUARANTINE_QUEUE);
    }

    public JournalRollCycle rollCycle() {
        return rollCycle;
    }

    public int retainCycles() {
        return retainCycles;
    }

    public JournalDurability durability() {
        return durability;
    }

    /** How far ahead of the writer the page thread brings pages in; 0: not done. */
    public long pretouchBytes() {
        return pretouchBytes;
    }

    /** How far behind the writer the page thread releases pages; 0: not done (0 for both: no such thread). */
    public long dropBehindBytes() {
        return dropBehindBytes;
    }

    @Override
    public String toString() {
        return KEY_DIRECTORY + "=" + directory + ", " + KEY_ROLL_CYCLE + "=" + rollCycle + ", " + KEY_RETAIN_CYCLES
            + "=" + retainCycles + ", " + KEY_DURABILITY + "=" + durability.name().toLowerCase(Locale.ROOT) + ", "
            + KEY_PRETOUCH + "=" + pretouchBytes + ", " + KEY_DROP_BEHIND + "=" + dropBehindBytes;
    }

    private static Path checkDirectory(final Path directory) {
        if (directory == null) {
            throw new IllegalArgumentException(KEY_DIRECTORY + " is required; was missing");
        }
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new IllegalArgumentException(KEY_DIRECTORY + " must be a directory; was '" + directory
                + "', which is a file");
        }
        for (final String queue : new String[] {EVENTS_QUEUE, QUARANTINE_QUEUE}) {
            final Path queueDirectory = directory.resolve(queue);
            if (Files.exists(queueDirectory) && !Files.isDirectory(queueDirectory)) {
                throw new IllegalArgumentException(KEY_DIRECTORY + " must be a journal directory; was '" + directory
                    + "', whose '" + queue + "' is a file");
            }
        }
        return directory;
    }

    private static JournalRollCycle parseRollCycle(final String value) {
        if (value != null) {
            final String name = value.trim().toUpperCase(Locale.ROOT);
            for (final JournalRollCycle cycle : JournalRollCycle.values()) {
                if (cycle.name().equals(name)) {
                    return cycle;
                }
            }
        }
        throw new IllegalArgumentException(KEY_ROLL_CYCLE + " must be one of " + JournalRollCycle.names()
            + "; was " + quoted(value));
    }

    private static int checkRetain(final int retainCycles) {
        if (retainCycles < 1 || retainCycles > MAX_RETAIN_CYCLES) {
            throw new IllegalArgumentException(KEY_RETAIN_CYCLES + " must be between 1 and " + MAX_RETAIN_CYCLES
                + " (cycles kept, counting the current one); was " + retainCycles);
        }
        return retainCycles;
    }

    private static JournalDurability parseDurability(final String value) {
        if (value != null) {
            final String name = value.trim().toUpperCase(Locale.ROOT);
            for (final JournalDurability durability : JournalDurability.values()) {
                if (durability.name().equals(name)) {
                    return durability;
                }
            }
        }
        throw new IllegalArgumentException(KEY_DURABILITY + " must be sync or async; was " + quoted(value));
    }

    private static String quoted(final String value) {
        return value == null ? "null" : "'" + value + "'";
    }
}
