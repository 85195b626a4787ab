package io.conversioni.cluster;

import io.conversioni.json.JsonBuilder;

import java.util.List;
import java.util.TreeMap;
import java.util.function.IntToLongFunction;

/**
 * Renders {@code GET /api/v1/cluster} from what the cells topic says ({@link ClusterWindows}): the nodes seen, each
 * partition's owner(s), watermark, last update and consumer lag, and the problems a node can see from there:
 * <ul>
 * <li>{@code senza_proprietario}: no node publishes the partition;</li>
 * <li>{@code proprietario_doppio}: two nodes with a fresh update both claim it (ownership is not fenced yet);</li>
 * <li>{@code partizione_ferma}: its owner's last update is older than three publish intervals (the owner is down,
 *     hung or cut off from the broker);</li>
 * <li>{@code celle_sovrapposte}: some window has cells of two partition sets that share the partition (ownership
 *     moved and the older set's cells are left out of that window, see {@link ClusterWindows}).</li>
 * </ul>
 * A claim older than three intervals beside a fresh one is a previous owner's, not a second owner. Lag: the owner
 * publishes it with its cells; {@code localLag} (the wiring passes this node's own consumer's lag, end offset -
 * position, or {@link CellsRecord#NO_LAG}) is fresher for the partitions this node owns.
 *
 * <p>Threading: any thread; reads the merged state once per call. Allocation: the answer.
 */
public final class ClusterStatus {
    private final ClusterWindows windows;
    private final IntToLongFunction localLag;

    public ClusterStatus(final ClusterWindows windows, final IntToLongFunction localLag) {
        this.windows = windows;
        this.localLag = localLag;
    }

    /** The JSON answer; field names in docs/api.md. */
    public String render() {
        final ClusterWindows.State s = windows.state();
        final long now = windows.nowMillis();
        final long stale = windows.staleAfterMs();
        final int partitions = windows.partitionCount();
        final JsonBuilder problems = new JsonBuilder(256).beginArray();
        final JsonBuilder rows = new JsonBuilder(128 * partitions + 64).beginArray();
        boolean complete = true;
        final boolean[] overlapping = overlapping(s, partitions);
        for (int p = 0; p < partitions; p++) {
            final CellsRecord owner = s.owners[p];
            final List<String> fresh = windows.freshClaimants(s, p, now);
            rows.beginObject().field("partizione", p).name("proprietari").beginArray();
            for (String name : s.claimants.get(p)) {
                rows.value(name);
            }
            rows.endArray();
            if (owner == null) {
                rows.nullField("nodo").nullField("filigrana").nullField("aggiornato").nullField("ritardo_consumatore");
                problem(problems, "senza_proprietario", p, "no node publishes partition " + p
                    + ": start a node with " + p + " in cluster.owns");
                complete = false;
            } else {
                rows.field("nodo", owner.node);
                ClusterWindows.instantOrNull(rows.name("filigrana"), owner.watermarkOf(p));
                rows.instantField("aggiornato", owner.publishMillis);
                final long lag = lag(owner, p);
                if (lag < 0) {
                    rows.nullField("ritardo_consumatore");
                } else {
                    rows.field("ritardo_consumatore", lag);
                }
                if (fresh.size() > 1) {
                    problem(problems, "proprietario_doppio", p, "nodes " + fresh + " both own partition " + p
                        + ": remove it from cluster.owns on all but one and restart them");
                    complete = false;
                } else if (fresh.isEmpty()) {
                    problem(problems, "partizione_ferma", p, "node " + owner.node + " last published partition " + p
                        + " " + (now - owner.publishMillis) + " ms ago: check that it runs and reaches the broker");
                    complete = false;
                }
            }
            if (overlapping[p]) {
                problem(problems, "celle_sovrapposte", p, "windows hold cells of two partition sets that both cover"
                    + " partition " + p + " (ownership moved): the older set's cells are left out of those windows");
            }
            rows.endObject();
        }
        final JsonBuilder out = new JsonBuilder(rows.size() + problems.size() + 512).beginObject()
            .field("nodo", windows.node()).field("partizioni_totali", partitions).field("completa", complete)
            .name("nodi").beginArray();
        for (CellsRecord r : new TreeMap<>(s.nodes).values()) {
            out.beginObject().field("nodo", r.node).name("partizioni").beginArray();
            for (int p : r.partitions) {
                out.value(p);
            }
            out.endArray().instantField("aggiornato", r.publishMillis).field("fermo", now - r.publishMillis > stale)
                .endObject();
        }
        return out.endArray().name("partizioni").raw(rows.endArray()).name("problemi").raw(problems.endArray())
            .field("record_illeggibili", s.malformed).endObject().toString();
    }

    private long lag(final CellsRecord owner, final int p) {
        if (owner.node.equals(windows.node())) {
            final long local = localLag.applyAsLong(p);
            if (local >= 0) {
                return local;
            }
        }
        for (int i = 0; i < owner.partitions.length; i++) {
            if (owner.partitions[i] == p) {
                return owner.lag[i];
            }
        }
        return CellsRecord.NO_LAG;
    }

    private static boolean[] overlapping(final ClusterWindows.State s, final int partitions) {
        final boolean[] out = new boolean[partitions];
        for (ClusterWindows.Merged m : s.windows.values()) {
            for (int p : m.overlapping) {
                if (p >= 0 && p < partitions) {
                    out[p] = true;
                }
            }
        }
        return out;
    }

    private static void problem(final JsonBuilder out, final String code, final int partition, final String message) {
        out.beginObject().field("codice", code).field("partizione", partition).field("messaggio", message).endObject();
    }
}
