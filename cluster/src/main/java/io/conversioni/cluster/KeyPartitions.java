package io.conversioni.cluster;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The partition Kafka's default partitioner gives a record key ({@code murmur2} of its bytes, made positive,
 * modulo the partition count): the one the events producer sends an {@code id_cliente} to, so any part of
 * the cluster can tell which partition, and so which owner, an {@code id_cliente} belongs to without asking
 * the broker. Reconciliation keeps the CRM rows of the owned partitions with {@link #owning}.
 *
 * <p>Pure functions: any thread; the {@code byte[]} form allocates nothing, the {@code String} form one
 * array (the key's UTF-8 bytes, as the producer sends them).
 */
public final class KeyPartitions {
    private KeyPartitions() {
    }

    /** The partition of a record keyed by {@code keyUtf8} in a topic of {@code partitions} partitions. */
    public static int partitionOf(final byte[] keyUtf8, final int partitions) {
        return Utils.toPositive(Utils.murmur2(keyUtf8)) % partitions;
    }

    /** {@link #partitionOf(byte[], int)} of {@code key}'s UTF-8 bytes. */
    public static int partitionOf(final String key, final int partitions) {
        return partitionOf(key.getBytes(StandardCharsets.UTF_8), partitions);
    }

    /**
     * True for the keys whose partition is among {@code owned} (a topic of {@code partitions} partitions); always
     * false when {@code owned} is empty. The array is copied.
     */
    public static Predicate<String> owning(final int[] owned, final int partitions) {
        final int[] sorted = owned.clone();
        Arrays.sort(sorted);
        return key -> key != null && Arrays.binarySearch(sorted, partitionOf(key, partitions)) >= 0;
    }
}
