package io.conversioni.report;

import java.util.Arrays;

/**
 * What a cluster node's daily report covers: its journal holds the events of the partitions it owns (decided
 * there) and the rejections of the bodies it received, so the cluster's day is the sum of every node's report.
 * Absent (null) on a single node, whose report covers everything. Immutable; the array is copied.
 *
 * @param nodo             {@code cluster.node}
 * @param partizioni       the partitions it owns, ascending (empty: none)
 * @param partizioniTotali {@code cluster.partitions}
 */
public record Coverage(String nodo, int[] partizioni, int partizioniTotali) {
    public Coverage {
        partizioni = partizioni.clone();
    }

    @Override
    public int[] partizioni() {
        return partizioni.clone();
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof Coverage c && c.nodo.equals(nodo) && Arrays.equals(c.partizioni, partizioni)
            && c.partizioniTotali == partizioniTotali;
    }

    @Override
    public int hashCode() {
        return nodo.hashCode() * 31 + Arrays.hashCode(partizioni);
    }

    @Override
    public String toString() {
        return "nodo " + nodo + ", partizioni " + Arrays.toString(partizioni) + " di " + partizioniTotali;
    }
}
