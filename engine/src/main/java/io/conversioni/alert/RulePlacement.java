package io.conversioni.alert;

import java.util.Set;

/**
 * Which stream rules an {@link AlertService} runs on this node, and what {@code silenzio} listens to. One node runs
 * every rule over its own engine ({@link #SINGLE_NODE}). In cluster mode (docs/cluster.md, "Alerts, reconciliation,
 * daily report") every node runs the rules over what its own engine decides ({@code duplicati}: every event of an
 * id_cliente is in one partition, so its owner sees all of them: its {@code id_cliente=…} keys; {@code rifiuti}), and
 * only the elected node (the owner of partition 0) runs {@code deriva_orologio}, {@code silenzio} and
 * {@code duplicati}'s {@code canale=…} keys, over every partition ({@link AlertService#seen},
 * {@link AlertService#clusterDecided}) rather than its own engine, so that each canale's alert is raised once, by
 * one node, over the events one node would have seen.
 * Immutable.
 *
 * @param rules               the stream rules this node runs (names from {@link AlertConfig}); a rule also disabled
 *                            in {@code alerts:} does not run
 * @param silenzioFromCluster true: {@code silenzio} hears only {@link AlertService#seen} (the whole cluster), never
 *                            this engine's events
 * @param duplicatiCanale     where {@code duplicati}'s {@code canale=…} keys count duplicates from: this engine
 *                            ({@link Source#LOCAL}), the whole cluster's verdicts ({@link Source#CLUSTER}, through
 *                            {@link AlertService#clusterDecided}), or nowhere ({@link Source#NONE}: its
 *                            {@code id_cliente=…} keys only)
 * @param derivaFromCluster   true: {@code deriva_orologio} hears only the cluster's decided events
 *                            ({@link AlertService#clusterDecided}), never this engine's
 */
public record RulePlacement(Set<String> rules, boolean silenzioFromCluster, Source duplicatiCanale,
                            boolean derivaFromCluster) {
    public static final RulePlacement SINGLE_NODE = new RulePlacement(Set.of(AlertConfig.DUPLICATI, AlertConfig.RIFIUTI,
        AlertConfig.DERIVA_OROLOGIO, AlertConfig.SILENZIO), false, Source.LOCAL, false);

    /** Where a rule's events come from. */
    public enum Source { LOCAL, CLUSTER, NONE }

    public RulePlacement {
        rules = Set.copyOf(rules);
    }

    /** A cluster node's rules: the elected node (owner of partition 0) runs the cluster-wide ones too. */
    public static RulePlacement cluster(final boolean elected) {
        return elected ? new RulePlacement(SINGLE_NODE.rules(), true, Source.CLUSTER, true)
            : new RulePlacement(Set.of(AlertConfig.DUPLICATI, AlertConfig.RIFIUTI), false, Source.NONE, false);
    }

    boolean runs(final String rule) {
        return rules.contains(rule);
    }
}
