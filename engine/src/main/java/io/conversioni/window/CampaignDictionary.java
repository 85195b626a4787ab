package io.conversioni.window;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import io.conversioni.json.JsonCursor;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.agrona.BitUtil;

/**
 * Bounded dictionary from campaign names (unescaped UTF-8 bytes plus a caller-supplied 64-bit hash) to small dense
 * ids used as window cells. Id {@link #NONE_ID} means "no campaign", {@link #OTHER_ID} collects every name
 * that arrives once the dictionary is full (each such lookup is counted).
 *
 * <p>Threading: {@link #idOf} is called by one writer thread (the window thread); readers on other threads
 * may call {@link #sizeAcquire()}, {@link #name(int)} and {@link #overflowCountAcquire()}: a name's chars are
 * written before the size that publishes its id (release/acquire). Allocation: one {@code byte[]} per new
 * name, at most {@code capacity - 2} in a lifetime; lookups of known names allocate nothing.
 * Growth: never; capacity is fixed at construction.
 */
public final class CampaignDictionary implements CampaignNames {
    public static final int NONE_ID = 0;
    public static final int OTHER_ID = 1;
    public static final String NONE_NAME = "(nessuna)";
    public static final String OTHER_NAME = "(altre)";

    private static final VarHandle SIZE;
    private static final VarHandle OVERFLOW_COUNT;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            SIZE = lookup.findVarHandle(CampaignDictionary.class, "size", int.class);
            OVERFLOW_COUNT = lookup.findVarHandle(CampaignDictionary.class, "overflowCount", long.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int capacity;
    private final int mask;
    /** Open addressing on the hash: id + 1 per slot, 0 when empty. */
    private final int[] slots;
    private final long[] hashes;
    private final byte[][] names;
    @SuppressWarnings("unused") // accessed through SIZE
    private int size;
    @SuppressWarnings("unused") // accessed through OVERFLOW_COUNT
    private long overflowCount;

    public CampaignDictionary(final int capacity) {
        if (capacity < 3) {
            throw new IllegalArgumentException("windows.campaign_capacity = " + capacity + ": must be >= 3");
        }
        this.capacity = capacity;
        final int slotCount = BitUtil.findNextPositivePowerOfTwo(capacity * 2);
        this.mask = slotCount - 1;
        this.slots = new int[slotCount];
        this.hashes = new long[capacity];
        this.names = new byte[capacity][];
        names[NONE_ID] = NONE_NAME.getBytes(StandardCharsets.UTF_8);
        names[OTHER_ID] = OTHER_NAME.getBytes(StandardCharsets.UTF_8);
        SIZE.setRelease(this, 2);
    }

    public int capacity() {
        return capacity;
    }

    /**
     * The id of a campaign name, adding it when new and there is room; {@link #OTHER_ID} (counted) when full;
     * {@link #NONE_ID} when {@code length} is zero. Window thread only.
     */
    public int idOf(final byte[] bytes, final int offset, final int length, final long hash) {
        if (length == 0) {
            return NONE_ID;
        }
        int slot = (int) mix(hash) & mask;
        while (true) {
            final int entry = slots[slot];
            if (entry == 0) {
                break;
            }
            final int id = entry - 1;
            final byte[] name = names[id];
            if (hashes[id] == hash && name.length == length
                && JsonCursor.sameBytes(name, 0, bytes, offset, length)) {
                return id;
            }
            slot = (slot + 1) & mask;
        }
        final int n = (int) SIZE.get(this);
        if (n == capacity) {
            // Release: a reader's acquire of the count sees every increment before it.
            OVERFLOW_COUNT.setRelease(this, (long) OVERFLOW_COUNT.get(this) + 1);
            return OTHER_ID;
        }
        names[n] = Arrays.copyOfRange(bytes, offset, offset + length);
        hashes[n] = hash;
        slots[slot] = n + 1;
        // Release: the name's chars and hash are visible before a reader can see id n.
        SIZE.setRelease(this, n + 1);
        return n;
    }

    /** Convenience for set-up and tests (allocates): the id of a name, hashed as the decoder does. */
    public int idOf(final String name) {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return idOf(bytes, 0, bytes.length, JsonCursor.hash(bytes, 0, bytes.length));
    }

    /** Writes names, hashes, index and counters for a snapshot (window thread, or after it stopped). */
    /** About how many bytes {@link #writeState} writes when full of 64-byte names (a sizing hint). */
    int stateSizeHint() {
        return 64 + slots.length * 4 + capacity * (8 + 4 + 64);
    }

    void writeState(final java.io.DataOutputStream out) throws java.io.IOException {
        final int n = (int) SIZE.get(this);
        out.writeInt(n);
        out.writeLong((long) OVERFLOW_COUNT.get(this));
        for (int id = 0; id < n; id++) {
            out.writeLong(hashes[id]);
            out.writeInt(names[id].length);
            out.write(names[id]);
        }
        out.writeInt(slots.length);
        for (int slot : slots) {
            out.writeInt(slot);
        }
    }

    /** Replaces the contents with a {@link #writeState} of a dictionary of the same capacity. */
    void readState(final java.io.DataInputStream in) throws java.io.IOException {
        final int n = in.readInt();
        if (n < 2 || n > capacity) {
            throw new java.io.IOException("snapshot holds " + n + " campaigns; capacity is " + capacity);
        }
        final long overflow = in.readLong();
        for (int id = 0; id < n; id++) {
            hashes[id] = in.readLong();
            final byte[] name = new byte[in.readInt()];
            in.readFully(name);
            names[id] = name;
        }
        if (in.readInt() != slots.length) {
            throw new java.io.IOException("snapshot campaign index has another size");
        }
        for (int i = 0; i < slots.length; i++) {
            slots[i] = in.readInt();
        }
        OVERFLOW_COUNT.setRelease(this, overflow);
        SIZE.setRelease(this, n); // release: names and hashes before the size that publishes them
    }

    /** Number of ids handed out, reserved ones included. Any thread. */
    public int sizeAcquire() {
        return (int) SIZE.getAcquire(this);
    }

    /** Lookups that found the dictionary full and went to {@link #OTHER_ID}. Any thread. */
    public long overflowCountAcquire() {
        return (long) OVERFLOW_COUNT.getAcquire(this);
    }

    /** The name of an id below {@link #sizeAcquire()}; allocates a String (reader side). Any thread. */
    public String name(final int id) {
        if (id < 0 || id >= sizeAcquire()) {
            throw new IllegalArgumentException("unknown campaign id " + id);
        }
        return new String(names[id], StandardCharsets.UTF_8);
    }

    private static long mix(final long hash) {
        final long h = hash * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 32);
    }
}
