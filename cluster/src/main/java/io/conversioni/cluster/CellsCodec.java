package io.conversioni.cluster;

import io.conversioni.window.CampaignNames;
import io.conversioni.window.WindowCellFlyweight;
import io.conversioni.window.WindowSnapshot;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Keys and values of {@code cluster.cells_topic}. Two kinds of record, both compacted by key:
 * <ul>
 * <li><b>window</b>: key {@code <partitions>|<window start millis>}, e.g. {@code 0-2|1716215400000}, where
 *     {@code <partitions>} is the owner's partition set written canonically ({@link #partitionSet}: ascending, runs of
 *     three or more as ranges, {@code 0-2,5}); published to the set's lowest partition; a null value (tombstone) once
 *     the window left the owner's horizon;</li>
 * <li><b>node</b>: key {@code nodo|<node>}, the owner's liveness, watermarks and lags, published every interval even
 *     when no window changed.</li>
 * </ul>
 * Value layout (big-endian; strings are a uint16 byte length then UTF-8):
 * <pre>
 *  +--------+--------+------------------+------------+-------------------------------------------------+
 *  | ver=1  | kind   | publish millis   | node name  | n: uint16, then n x (partition int32,            |
 *  | byte   | 1 win  | int64            | string     |   watermark millis int64, consumer lag int64|-1) |
 *  |        | 2 node |                  |            |                                                 |
 *  +--------+--------+------------------+------------+-------------------------------------------------+
 *  | the owner engine's max event time, too-late, future, rejected outside horizon, heartbeat counts:   |
 *  | 5 x int64                                                                                          |
 *  +----------------------------------------------------------------------------------------------------+
 *  node only:
 *  | b = business counters uint16, then b x int64: the owner engine's accepted events, then their valore in cents, |
 *  | each per evento x canale (evento-major), counted since its journal began                               |
 *  window only:
 *  | window start millis int64 | revision int64 | closed byte | f = fields per cell uint16 |            |
 *  | c = cells uint16, then c x f int64 (the total, each evento, each canale: WindowCellDescriptor order) |
 *  | m = campaigns uint16, then m x (campaign name string, f x int64)                                   |
 * </pre>
 * Campaigns travel by name (ids are node-local), only those with a non-zero cell. Every count is exact (value sums
 * in cents), so cells of several owners add up to what one engine would hold.
 *
 * <p>Threading: stateless, any thread. Allocation: encode builds one byte array per record; decode one
 * {@link CellsRecord}.
 */
final class CellsCodec {
    static final byte VERSION = 1;
    static final String NODE_KEY_PREFIX = "nodo|";
    private static final int MAX_STRING_BYTES = 0xFFFF;

    private CellsCodec() {
    }

    /** The canonical form of a partition set: ascending, runs of three or more as {@code a-b}, comma-separated. */
    /**
     * The first part of a window key of a node that owns no partition ({@code nodo <name>|<start>}): its windows hold
     * only the bodies it rejected itself, claim no partition and are added to every merged window.
     */
    static final String INGRESS_ONLY_PREFIX = "nodo ";

    static String partitionSet(final int[] partitions) {
        final int[] p = partitions.clone();
        Arrays.sort(p);
        final StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < p.length) {
            int j = i;
            while (j + 1 < p.length && p[j + 1] == p[j] + 1) {
                j++;
            }
            if (out.length() > 0) {
                out.append(',');
            }
            if (j - i >= 2) {
                out.append(p[i]).append('-').append(p[j]);
            } else {
                out.append(p[i]);
                for (int k = i + 1; k <= j; k++) {
                    out.append(',').append(p[k]);
                }
            }
            i = j + 1;
        }
        return out.toString();
    }

    static String windowKey(final String partitionSet, final long windowStartMillis) {
        return partitionSet + "|" + windowStartMillis;
    }

    static String nodeKey(final String node) {
        return NODE_KEY_PREFIX + node;
    }

    /** The header every record carries: the owner, its partitions with watermark and lag, its engine's counters. */
    record Header(long publishMillis, String node, int[] partitions, long[] watermarkMillis, long[] lag,
                  long[] counters, long[] business) {
        Header(final long publishMillis, final String node, final int[] partitions, final long[] watermarkMillis,
               final long[] lag, final long[] counters) {
            this(publishMillis, node, partitions, watermarkMillis, lag, counters, new long[0]);
        }
    }

    static byte[] encodeNode(final Header h) {
        final ByteBuffer b = ByteBuffer.allocate(headerBytes(h) + 2 + h.business().length * 8);
        header(b, CellsRecord.KIND_NODE, h);
        b.putShort((short) h.business().length);
        for (long v : h.business()) {
            b.putLong(v);
        }
        return b.array();
    }

    /**
     * A window record of {@code w} (a consistent copy the publisher took), with campaign ids turned into names
     * through {@code names}, whose entries below {@code w.campaignCellsUsed()} the caller has resolved.
     */
    static byte[] encodeWindow(final Header h, final WindowSnapshot w, final String[] names, final CampaignNames dict) {
        final int fields = w.total().fieldCount();
        final int fixed = w.fixedCellCount();
        int campaigns = 0;
        int nameBytes = 0;
        final byte[][] utf8 = new byte[w.campaignCellsUsed()][];
        for (int id = 0; id < w.campaignCellsUsed(); id++) {
            if (nonZero(w.campagna(id))) {
                final String name = names[id] != null ? names[id] : dict.name(id);
                utf8[id] = truncated(name);
                nameBytes += 2 + utf8[id].length;
                campaigns++;
            }
        }
        final ByteBuffer b = ByteBuffer.allocate(headerBytes(h) + 8 + 8 + 1 + 2 + 2 + fixed * fields * 8 + 2
            + nameBytes + campaigns * fields * 8);
        header(b, CellsRecord.KIND_WINDOW, h);
        b.putLong(w.windowStartMillis()).putLong(w.revision()).put((byte) (w.closed() ? 1 : 0));
        b.putShort((short) fields).putShort((short) fixed);
        for (int c = 0; c < fixed; c++) {
            final WindowCellFlyweight cell = w.cellAt(c);
            for (int f = 0; f < fields; f++) {
                b.putLong(cell.field(f));
            }
        }
        b.putShort((short) campaigns);
        for (int id = 0; id < w.campaignCellsUsed(); id++) {
            if (utf8[id] != null) {
                b.putShort((short) utf8[id].length).put(utf8[id]);
                final WindowCellFlyweight cell = w.campagna(id);
                for (int f = 0; f < fields; f++) {
                    b.putLong(cell.field(f));
                }
            }
        }
        return b.array();
    }

    private static boolean nonZero(final WindowCellFlyweight cell) {
        for (int f = 0; f < cell.fieldCount(); f++) {
            if (cell.field(f) != 0) {
                return true;
            }
        }
        return false;
    }

    private static byte[] truncated(final String s) {
        final byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return utf8.length <= MAX_STRING_BYTES ? utf8 : Arrays.copyOf(utf8, MAX_STRING_BYTES);
    }

    private static int headerBytes(final Header h) {
        return 1 + 1 + 8 + 2 + truncated(h.node()).length + 2 + h.partitions().length * 20 + 5 * 8;
    }

    private static void header(final ByteBuffer b, final byte kind, final Header h) {
        b.put(VERSION).put(kind).putLong(h.publishMillis());
        final byte[] node = truncated(h.node());
        b.putShort((short) node.length).put(node);
        b.putShort((short) h.partitions().length);
        for (int i = 0; i < h.partitions().length; i++) {
            b.putInt(h.partitions()[i]).putLong(h.watermarkMillis()[i]).putLong(h.lag()[i]);
        }
        for (int i = 0; i < 5; i++) {
            b.putLong(h.counters()[i]);
        }
    }

    /** Decodes a value; {@link IllegalArgumentException} naming what is wrong for one this codec did not write. */
    static CellsRecord decode(final byte[] value) {
        try {
            final ByteBuffer b = ByteBuffer.wrap(value);
            final byte version = b.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("cells record version " + version + ", this node reads " + VERSION);
            }
            final byte kind = b.get();
            if (kind != CellsRecord.KIND_WINDOW && kind != CellsRecord.KIND_NODE) {
                throw new IllegalArgumentException("cells record kind " + kind);
            }
            final long publish = b.getLong();
            final String node = string(b);
            final int n = Short.toUnsignedInt(b.getShort());
            need(b, (long) n * 20);
            final int[] partitions = new int[n];
            final long[] watermarks = new long[n];
            final long[] lag = new long[n];
            for (int i = 0; i < n; i++) {
                partitions[i] = b.getInt();
                watermarks[i] = b.getLong();
                lag[i] = b.getLong();
            }
            final long[] counters = new long[5];
            for (int i = 0; i < 5; i++) {
                counters[i] = b.getLong();
            }
            if (kind == CellsRecord.KIND_NODE) {
                final int n2 = Short.toUnsignedInt(b.getShort());
                need(b, (long) n2 * Long.BYTES);
                final long[] business = new long[n2];
                for (int i = 0; i < n2; i++) {
                    business[i] = b.getLong();
                }
                return done(b, new CellsRecord(kind, publish, node, partitions, watermarks, lag, counters, 0, 0, false,
                    0, new long[0], new String[0], new long[0], business));
            }
            final long start = b.getLong();
            final long revision = b.getLong();
            final boolean closed = b.get() != 0;
            final int fields = Short.toUnsignedInt(b.getShort());
            final int fixed = Short.toUnsignedInt(b.getShort());
            need(b, (long) fixed * fields * Long.BYTES);
            final long[] fixedCells = new long[fixed * fields];
            for (int i = 0; i < fixedCells.length; i++) {
                fixedCells[i] = b.getLong();
            }
            final int m = Short.toUnsignedInt(b.getShort());
            need(b, (long) m * (2 + (long) fields * Long.BYTES));
            final String[] campaigns = new String[m];
            final long[] campaignCells = new long[m * fields];
            for (int c = 0; c < m; c++) {
                campaigns[c] = string(b);
                for (int f = 0; f < fields; f++) {
                    campaignCells[c * fields + f] = b.getLong();
                }
            }
            return done(b, new CellsRecord(kind, publish, node, partitions, watermarks, lag, counters, start, revision,
                closed, fields, fixedCells, campaigns, campaignCells, new long[0]));
        } catch (final BufferUnderflowException e) {
            throw new IllegalArgumentException("cells record cut short (" + value.length + " bytes)", e);
        }
    }

    private static void need(final ByteBuffer b, final long bytes) {
        if (bytes > b.remaining()) {
            throw new BufferUnderflowException();
        }
    }

    private static CellsRecord done(final ByteBuffer b, final CellsRecord r) {
        if (b.hasRemaining()) {
            throw new IllegalArgumentException("cells record has " + b.remaining() + " bytes after its end");
        }
        return r;
    }

    private static String string(final ByteBuffer b) {
        final byte[] utf8 = new byte[Short.toUnsignedInt(b.getShort())];
        b.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
