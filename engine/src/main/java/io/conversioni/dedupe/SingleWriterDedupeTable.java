package io.conversioni.dedupe;

import io.conversioni.SafetyChecks;
import io.conversioni.os.HugePages;
import static io.conversioni.dedupe.DedupeSlotDescriptor.capacityBytes;
import static io.conversioni.dedupe.DedupeSlotDescriptor.slotOffset;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Off-heap open-addressing (linear probing) table that decides whether an event duplicates one already
 * accepted, per {@link DedupeMode}, and inserts it when it does not. Entries expire by EVENT time: an
 * entry is expired once its event time is older than {@code maxEventTimeSeen - ttlMillis}. A probe that
 * meets an expired entry frees its slot on the spot (backward-shift deletion: no tombstones), and a sweep
 * of a few slots per call frees the ones no probe meets, so runs stay as short as the live load makes
 * them however long the table has run; only past a per-call budget is an expired slot overwritten in
 * place instead.
 *
 * <p>Threading: single writer. The first thread that calls a mutating method owns the table; with
 * {@code -Dconversioni.checks=true} or {@code -ea} any other caller gets an {@link IllegalStateException}.
 * The counters are plain fields: other threads must read them through the pipeline's snapshot, not here.
 *
 * <p>Probes walk a {@link DedupeProbeIndex} (event time, fingerprint and home of each slot, 16 bytes) and read
 * a 64-byte slot only when its fingerprint matches; every slot write updates it, and a snapshot read
 * rebuilds it from the slots.
 *
 * <p>Allocation: the slot array (capacity × 64 bytes, 64-byte aligned, direct memory) and the probe index
 * (capacity × 16 bytes) are allocated once in the constructor, each on transparent huge pages where Linux allows
 * ({@link HugePages}: the probes land on random pages); {@link #isDuplicate} allocates nothing, boxes nothing and never grows the table.
 * The direct memory is released when the table becomes unreachable (the buffer's cleaner).
 *
 * <p>Bounded work: a lookup visits at most {@code maxProbe} slots from the key's home (three lookups in
 * {@link DedupeMode#PROXIMITY}). When no empty or expired slot lies within them, the entry with the
 * OLDEST event time among those slots is overwritten (ties: the first in probe order) and
 * {@link #evictions()} counts it: the table forgets the stalest key rather than refuse, hang or grow.
 *
 * <p>Recycle: {@link #clear()} empties it (owner thread only).
 */
public final class SingleWriterDedupeTable {

    /** Value of the {@code first*} accessors after a non-duplicate. */
    public static final long NONE = Long.MIN_VALUE;

    /**
     * Slots the sweep examines per call. Probes only remove the expired entries they meet, so without a
     * sweep, garbage piles up where no probe goes until runs grow long; four slots a call sweep the
     * default 2^20-slot table every 2^18 calls, at the price of reading 256 sequential bytes.
     */
    static final int SWEEP_SLOTS_PER_CALL = 4;

    private static final int INSERT_EMPTY = 0;
    private static final int INSERT_EXPIRED = 1;
    private static final int INSERT_EVICT = 2;

    private final DedupeConfig config;
    private final DedupeMode mode;
    private final long windowMillis;
    private final long ttlMillis;
    private final int mask;
    private final int maxProbe;
    private final UnsafeBuffer buffer;
    /** The slot array's address: the backward shift's moves and clears read and write it directly. */
    private final long slotsAddress;
    /** Event time, fingerprint and home of every slot, 16 bytes each: what probes walk (see its doc). */
    private final DedupeProbeIndex probeIndex;
    private final DedupeSlotFlyweight slot = new DedupeSlotFlyweight();

    private long maxEventTimeMillis = NONE;
    private long expiryHorizonMillis = NONE;
    private int insertOffset;
    private int sweepIndex;
    private int insertKind;

    private long firstSequence = NONE;
    private long firstReceiveMillis = NONE;
    private long firstEventTimeMillis = NONE;

    private int size;
    private long inserts;
    private long duplicates;
    private long evictions;
    private long expirations;
    private Thread ownerThread;

    /**
     * @param config validated settings; the slot array is allocated here, once.
     */
    public SingleWriterDedupeTable(final DedupeConfig config) {
        this.config = config;
        this.mode = config.mode();
        this.windowMillis = config.windowMillis();
        this.ttlMillis = config.ttlMillis();
        this.mask = config.capacitySlots() - 1;
        this.maxProbe = config.maxProbe();
        this.buffer = new UnsafeBuffer(HugePages.allocateDirect(capacityBytes(config.capacitySlots())));
        this.buffer.setMemory(0, buffer.capacity(), (byte)0);
        this.slotsAddress = buffer.addressOffset();
        this.probeIndex = new DedupeProbeIndex(config.capacitySlots());
    }

    public DedupeConfig config() {
        return config;
    }

    /**
     * Checks one event and, when it is not a duplicate, inserts it. After {@code true},
     * {@link #firstSequence()}, {@link #firstReceiveMillis()} and {@link #firstEventTimeMillis()} name the
     * accepted event it duplicates; after {@code false} they read {@link #NONE}.
     *
     * @param keyHi           high 64 bits of the key built from the configured key fields.
     * @param keyLo           low 64 bits of that key.
     * @param eventTimeMillis the event's own time (UTC epoch millis), which drives buckets and expiry.
     * @param contentHash     64-bit hash of the whole event; used in {@link DedupeMode#EXACT} only.
     * @param sequence        the event's ring sequence, remembered when it is accepted.
     * @param receiveMillis   the event's receive time, remembered when it is accepted.
     * @return whether the event duplicates an accepted, unexpired one.
     */
    public boolean isDuplicate(
        final long keyHi,
        final long keyLo,
        final long eventTimeMillis,
        final long contentHash,
        final long sequence,
        final long receiveMillis) {
        if (SafetyChecks.ENABLED) {
            checkOwnerThread();
        }
        advanceExpiryHorizon(eventTimeMillis);
        sweepExpired();

        final long bucket;
        final long hash;
        if (mode == DedupeMode.EXACT) {
            bucket = eventTimeMillis;
            hash = contentHash;
        } else {
            bucket = Math.floorDiv(eventTimeMillis, windowMillis);
            hash = 0L;
        }
        final long keyHash = keyHash(keyHi, keyLo, hash);

        final int match = findLive(keyHash, keyHi, keyLo, bucket, hash);
        if (match >= 0) {
            rememberFirst(slot.wrap(buffer, match));
            duplicates++;
            return true;
        }
        // The neighbour probes only read: the insert position findLive left stays valid.
        if (mode == DedupeMode.PROXIMITY && findNearestNeighbour(keyHash, keyHi, keyLo, bucket, eventTimeMillis)) {
            duplicates++;
            return true;
        }

        insert(keyHi, keyLo, bucket, hash, eventTimeMillis, sequence, receiveMillis, (int)(keyHash + bucket) & mask,
            DedupeProbeIndex.fingerprint(keyHash, bucket));
        firstSequence = NONE;
        firstReceiveMillis = NONE;
        firstEventTimeMillis = NONE;
        return false;
    }

    /** The slot array's and the probe index's addresses (tests: where they lie in memory). */
    long slotsAddress() {
        return slotsAddress;
    }

    long probeIndexAddress() {
        return probeIndex.address();
    }

    /** @return sequence of the accepted event the last duplicate repeats, or {@link #NONE}. */
    public long firstSequence() {
        return firstSequence;
    }

    /** @return receive time of the accepted event the last duplicate repeats, or {@link #NONE}. */
    public long firstReceiveMillis() {
        return firstReceiveMillis;
    }

    /** @return event time of the accepted event the last duplicate repeats, or {@link #NONE}. */
    public long firstEventTimeMillis() {
        return firstEventTimeMillis;
    }

    /** @return used slots, including expired entries no probe has met yet. */
    public int size() {
        return size;
    }

    public int capacitySlots() {
        return mask + 1;
    }

    /** @return events accepted (inserted), over the table's life since the last {@link #clear()}. */
    public long inserts() {
        return inserts;
    }

    public long duplicates() {
        return duplicates;
    }

    /** @return live entries overwritten because no empty or expired slot lay within the probe window. */
    public long evictions() {
        return evictions;
    }

    /**
     * @return expired entries freed: removed by backward shift when a probe or the sweep met them, or
     * overwritten in place when a probe met more than {@code maxProbe} of them.
     */
    public long expirations() {
        return expirations;
    }

    /** @return newest event time seen, or {@link #NONE}. */
    public long maxEventTimeMillis() {
        return maxEventTimeMillis;
    }

    /** @return entries with an event time strictly below this are expired. */
    public long expiryHorizonMillis() {
        return expiryHorizonMillis;
    }

    /** Forgets every entry, the event-time clock and the counters. Owner thread; touches every slot. */
    public void clear() {
        if (SafetyChecks.ENABLED) {
            checkOwnerThread();
        }
        buffer.setMemory(0, buffer.capacity(), (byte)0);
        probeIndex.clear();
        maxEventTimeMillis = NONE;
        expiryHorizonMillis = NONE;
        sweepIndex = 0;
        firstSequence = NONE;
        firstReceiveMillis = NONE;
        firstEventTimeMillis = NONE;
        size = 0;
        inserts = 0;
        duplicates = 0;
        evictions = 0;
        expirations = 0;
    }

    /**
     * Visits every used slot in slot order. Owner thread; cold path (touches every slot).
     *
     * @param visitor receives each entry.
     */
    public void forEachEntry(final DedupeEntryVisitor visitor) {
        if (SafetyChecks.ENABLED) {
            checkOwnerThread();
        }
        for (int i = 0, capacity = mask + 1; i < capacity; i++) {
            slot.wrap(buffer, slotOffset(i));
            if (!slot.isEmpty()) {
                final long eventTimeMillis = slot.eventTimeMillis();
                visitor.onEntry(i, slot.keyHi(), slot.keyLo(), slot.bucket(), slot.contentHash(), eventTimeMillis,
                    slot.firstSequence(), slot.firstReceiveMillis(), eventTimeMillis < expiryHorizonMillis);
            }
        }
    }

    /**
     * A 64-bit digest of every used slot (with its index), the event-time clock and the counters: two
     * tables with the same config fed the same events have the same digest. Owner thread; cold path.
     *
     * @return the digest.
     */
    public long stateChecksum() {
        if (SafetyChecks.ENABLED) {
            checkOwnerThread();
        }
        long digest = mix(mix(mix(mix(mix(0, maxEventTimeMillis), size), inserts), duplicates), evictions);
        for (int i = 0, capacity = mask + 1; i < capacity; i++) {
            slot.wrap(buffer, slotOffset(i));
            if (!slot.isEmpty()) {
                digest = mix(digest, i);
                digest = mix(digest, slot.keyHi());
                digest = mix(digest, slot.keyLo());
                digest = mix(digest, slot.bucket());
                digest = mix(digest, slot.contentHash());
                digest = mix(digest, slot.eventTimeMillis());
                digest = mix(digest, slot.firstSequence());
                digest = mix(digest, slot.firstReceiveMillis());
            }
        }
        return digest;
    }

    private void advanceExpiryHorizon(final long eventTimeMillis) {
        if (eventTimeMillis > maxEventTimeMillis) {
            maxEventTimeMillis = eventTimeMillis;
            expiryHorizonMillis = eventTimeMillis >= Long.MIN_VALUE + ttlMillis ? eventTimeMillis - ttlMillis : NONE;
        }
    }

    /**
     * Examines {@link #SWEEP_SLOTS_PER_CALL} slots at a cursor that walks round the table and removes the
     * expired entries there. Runs before the probe, so it never moves a slot the probe has recorded.
     */
    private void sweepExpired() {
        final DedupeProbeIndex probes = probeIndex;
        final long horizonMillis = expiryHorizonMillis;
        int index = sweepIndex;
        for (int i = 0; i < SWEEP_SLOTS_PER_CALL; i++) {
            if (!probes.isEmpty(index) && probes.eventTimeMillis(index) < horizonMillis) {
                removeAt(index); // an entry shifted back into this index is looked at next
            } else {
                index = (index + 1) & mask;
            }
        }
        sweepIndex = index;
    }

    /**
     * Probes from the home of (key, bucket) for a live entry with this identity, stopping at the first
     * empty slot or after {@code maxProbe} slots. Expired entries met on the way are removed on the spot
     * (backward shift, at most {@code maxProbe} per call), so probes stay as short as the live load makes
     * them. On a miss leaves in {@code insertOffset/insertKind} where the entry goes: an expired slot
     * left over once the removal budget is spent, else the empty slot, else the oldest live one.
     *
     * @return byte offset of the live matching slot, or -1.
     */
    private int findLive(final long keyHash, final long keyHi, final long keyLo, final long bucket, final long hash) {
        final DedupeProbeIndex probes = probeIndex;
        final long horizonMillis = expiryHorizonMillis;
        final int fingerprint = DedupeProbeIndex.fingerprint(keyHash, bucket);
        int index = (int)(keyHash + bucket) & mask; // the home index
        int removalBudget = maxProbe;
        int expiredOffset = -1;
        int emptyOffset = -1;
        int oldestOffset = -1;
        long oldestMillis = Long.MAX_VALUE;
        int probed = 0;
        // Through the probe index (16 bytes a slot); a slot's own 64 bytes are read only on a fingerprint match.
        while (probed < maxProbe) {
            final int slotFingerprint = probes.fingerprint(index);
            if (slotFingerprint == 0) {
                emptyOffset = slotOffset(index);
                break;
            }
            final long eventTimeMillis = probes.eventTimeMillis(index);
            if (eventTimeMillis < horizonMillis) {
                if (removalBudget > 0) {
                    removalBudget--;
                    removeAt(index);
                    continue; // the same index now holds a shifted-back entry, or is empty
                }
                if (expiredOffset < 0) {
                    expiredOffset = slotOffset(index);
                }
            } else if (slotFingerprint == fingerprint
                && matchesAt(slotOffset(index), keyHi, keyLo, bucket, hash)) {
                return slotOffset(index);
            } else if (oldestOffset < 0 || eventTimeMillis < oldestMillis) {
                oldestMillis = eventTimeMillis;
                oldestOffset = slotOffset(index);
            }
            index = (index + 1) & mask;
            probed++;
        }

        if (expiredOffset >= 0) {
            insertOffset = expiredOffset;
            insertKind = INSERT_EXPIRED;
        } else if (emptyOffset >= 0) {
            insertOffset = emptyOffset;
            insertKind = INSERT_EMPTY;
        } else {
            insertOffset = oldestOffset;
            insertKind = INSERT_EVICT;
        }
        return -1;
    }

    /**
     * Read-only probe for a live entry with this identity (the neighbour buckets of PROXIMITY): walks only
     * the fingerprints, reads a slot's time and identity only when its fingerprint matches, and removes
     * nothing (findLive of the event's own bucket and the sweep do that), so no slot moves under a caller.
     *
     * @return byte offset of the live matching slot, or -1.
     */
    private int findMatch(final long keyHash, final long keyHi, final long keyLo, final long bucket, final long hash) {
        final DedupeProbeIndex probes = probeIndex;
        final int fingerprint = DedupeProbeIndex.fingerprint(keyHash, bucket);
        int index = (int)(keyHash + bucket) & mask;
        for (int probed = 0; probed < maxProbe; probed++) {
            final int slotFingerprint = probes.fingerprint(index);
            if (slotFingerprint == 0) {
                return -1;
            }
            if (slotFingerprint == fingerprint && probes.eventTimeMillis(index) >= expiryHorizonMillis
                && matchesAt(slotOffset(index), keyHi, keyLo, bucket, hash)) {
                return slotOffset(index);
            }
            index = (index + 1) & mask;
        }
        return -1;
    }

    /**
     * Removes the entry at {@code holeIndex} by backward shift (Knuth's algorithm R): each later entry
     * of the run whose probe path crosses the hole moves into it, and the last hole becomes empty, so
     * "a probe stops at the first empty slot" stays true without tombstones. Every entry lies fewer than
     * {@code maxProbe} slots past its home, so the walk stops after {@code maxProbe} slots without a move.
     */
    private void removeAt(final int holeIndex) {
        final DedupeProbeIndex probes = probeIndex;
        int hole = holeIndex;
        int index = holeIndex;
        int sinceMove = 0;
        while (++sinceMove < maxProbe) {
            index = (index + 1) & mask;
            if (index == holeIndex) {
                break;
            }
            if (probes.isEmpty(index)) {
                break;
            }
            final int home = probes.home(index); // stored at insert: no hash per step
            if (((index - home) & mask) >= ((index - hole) & mask)) {
                moveSlot(index, hole);
                probes.move(index, hole);
                hole = index;
                sinceMove = 0;
            }
        }
        // Only the state word: the rest of an empty slot is never read, and writeState writes it as zeros.
        UnsafeApi.putInt(null, slotsAddress + slotOffset(hole) + DedupeSlotDescriptor.STATE_OFFSET,
            DedupeSlotDescriptor.STATE_EMPTY);
        probes.remove(hole);
        size--;
        expirations++;
    }

    /** {@link DedupeSlotFlyweight#matches} at a masked slot's offset, read straight from memory. */
    private boolean matchesAt(final int offset, final long keyHi, final long keyLo, final long bucket, final long hash) {
        return DedupeSlotFlyweight.matchesAt(null, slotsAddress + offset, keyHi, keyLo, bucket, hash);
    }

    /**
     * Copies slot {@code from} over slot {@code to}, eight longs (both indexes masked, so inside the slot array:
     * no bounds check; a 64-byte {@code putBytes} went through a native copy call for each move).
     */
    private void moveSlot(final int from, final int to) {
        final long source = slotsAddress + slotOffset(from);
        final long target = slotsAddress + slotOffset(to);
        for (int i = 0; i < DedupeSlotDescriptor.SLOT_LENGTH; i += Long.BYTES) {
            UnsafeApi.putLong(null, target + i, UnsafeApi.getLong(null, source + i));
        }
    }

    /**
     * PROXIMITY, after bucket b missed: the accepted entries of buckets b - 1 and b + 1 (at most one each,
     * since two events in one bucket are always within the window) within the window; the nearer in time
     * wins, the earlier on a tie. Both probes only read ({@link #findMatch}).
     *
     * @return whether one was within the window (then the {@code first*} fields name it).
     */
    private boolean findNearestNeighbour(
        final long keyHash, final long keyHi, final long keyLo, final long bucket, final long eventTimeMillis) {
        boolean found = false;
        long matchDistanceMillis = Long.MAX_VALUE;
        final int previous = findMatch(keyHash, keyHi, keyLo, bucket - 1, 0L);
        if (previous >= 0) {
            final long distanceMillis = eventTimeMillis - slot.wrap(buffer, previous).eventTimeMillis();
            if (distanceMillis <= windowMillis) {
                rememberFirst(slot);
                matchDistanceMillis = distanceMillis;
                found = true;
            }
        }
        final int next = findMatch(keyHash, keyHi, keyLo, bucket + 1, 0L);
        if (next >= 0) {
            final long distanceMillis = slot.wrap(buffer, next).eventTimeMillis() - eventTimeMillis;
            if (distanceMillis <= windowMillis && distanceMillis < matchDistanceMillis) {
                rememberFirst(slot);
                found = true;
            }
        }
        return found;
    }

    private void rememberFirst(final DedupeSlotFlyweight accepted) {
        firstSequence = accepted.firstSequence();
        firstReceiveMillis = accepted.firstReceiveMillis();
        firstEventTimeMillis = accepted.eventTimeMillis();
    }

    private void insert(
        final long keyHi,
        final long keyLo,
        final long bucket,
        final long hash,
        final long eventTimeMillis,
        final long sequence,
        final long receiveMillis,
        final int home,
        final int fingerprint) {
        switch (insertKind) {
            case INSERT_EMPTY:
                size++;
                break;
            case INSERT_EXPIRED:
                expirations++;
                break;
            default:
                evictions++;
                break;
        }
        inserts++;
        // insertOffset is a masked slot's offset, inside the slot array: the flyweight's unchecked write
        DedupeSlotFlyweight.putEntryAt(null, slotsAddress + insertOffset, keyHi, keyLo, bucket, hash, eventTimeMillis,
            sequence, receiveMillis, home);
        probeIndex.put(insertOffset >>> DedupeSlotDescriptor.SLOT_SHIFT, eventTimeMillis, fingerprint, home);
    }

    /**
     * Home hash of a key (and content hash in EXACT mode). The bucket is ADDED after mixing so that
     * buckets b - 1, b, b + 1 of one key have adjacent homes: the three PROXIMITY lookups share cache lines.
     */
    static long keyHash(final long keyHi, final long keyLo, final long contentHash) {
        long h = keyHi * 0x9E3779B97F4A7C15L + keyLo;
        h ^= contentHash * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }

    private static long mix(final long digest, final long value) {
        return (Long.rotateLeft(digest, 23) ^ value) * 0x9E3779B97F4A7C15L;
    }

    /** About how many bytes {@link #writeState} writes (for sizing a capture buffer once). Any thread. */
    public int stateSizeHint() {
        return 128 + buffer.capacity();
    }

    /** Writes the table and its counters for a snapshot (owner thread, or after the writer stopped). */
    public void writeState(final java.io.DataOutputStream out) throws java.io.IOException {
        out.writeLong(maxEventTimeMillis);
        out.writeLong(expiryHorizonMillis);
        out.writeInt(sweepIndex);
        out.writeInt(size);
        out.writeLong(inserts);
        out.writeLong(duplicates);
        out.writeLong(evictions);
        out.writeLong(expirations);
        out.writeInt(buffer.capacity());
        final byte[] chunk = new byte[Math.min(1 << 16, buffer.capacity())];
        for (int offset = 0; offset < buffer.capacity(); offset += chunk.length) {
            final int n = Math.min(chunk.length, buffer.capacity() - offset);
            buffer.getBytes(offset, chunk, 0, n);
            // an emptied slot keeps its old bytes in memory (removal writes only its state): zeros in the image
            for (int at = 0; at < n; at += DedupeSlotDescriptor.SLOT_LENGTH) {
                if (buffer.getInt(offset + at + DedupeSlotDescriptor.STATE_OFFSET) == DedupeSlotDescriptor.STATE_EMPTY) {
                    java.util.Arrays.fill(chunk, at, at + DedupeSlotDescriptor.SLOT_LENGTH, (byte)0);
                }
            }
            out.write(chunk, 0, n);
        }
    }

    /** Replaces the table with one written by {@link #writeState} with the same capacity. */
    public void readState(final java.io.DataInputStream in) throws java.io.IOException {
        maxEventTimeMillis = in.readLong();
        expiryHorizonMillis = in.readLong();
        sweepIndex = in.readInt();
        size = in.readInt();
        inserts = in.readLong();
        duplicates = in.readLong();
        evictions = in.readLong();
        expirations = in.readLong();
        final int length = in.readInt();
        if (length != buffer.capacity()) {
            throw new java.io.IOException("snapshot dedupe table is " + length + " bytes, this configuration needs "
                + buffer.capacity() + " (dedupe.capacity changed?)");
        }
        final byte[] chunk = new byte[Math.min(1 << 16, length)];
        for (int offset = 0; offset < length; offset += chunk.length) {
            final int n = Math.min(chunk.length, length - offset);
            in.readFully(chunk, 0, n);
            buffer.putBytes(offset, chunk, 0, n);
        }
        // Snapshots written before the home index was stored hold 0 there: derive it for every entry; and
        // the probe index is derived data, never in a snapshot: rebuild it.
        for (int i = 0, capacity = mask + 1; i < capacity; i++) {
            slot.wrap(buffer, slotOffset(i));
            if (slot.isEmpty()) {
                probeIndex.remove(i);
            } else {
                final long keyHash = keyHash(slot.keyHi(), slot.keyLo(), slot.contentHash());
                final int home = (int)(keyHash + slot.bucket()) & mask;
                slot.home(home);
                probeIndex.put(i, slot.eventTimeMillis(), DedupeProbeIndex.fingerprint(keyHash, slot.bucket()), home);
            }
        }
    }

    /**
     * Owner thread: gives up ownership so that another thread may become the single writer (the engine
     * rebuilds the table on its starting thread, then hands it to the window stage; starting that thread
     * orders every write before it).
     */
    public void handOver() {
        ownerThread = null;
    }

    private void checkOwnerThread() {
        final Thread current = Thread.currentThread();
        if (ownerThread == null) {
            ownerThread = current;
        } else if (ownerThread != current) {
            throw new IllegalStateException("dedupe table is single-writer: owned by thread '" +
                ownerThread.getName() + "', called from '" + current.getName() + "'");
        }
    }
}
