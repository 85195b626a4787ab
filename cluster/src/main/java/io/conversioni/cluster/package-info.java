/**
 * Cluster mode on Apache Kafka: the {@code cluster:} settings, the topics the nodes share, the owner's
 * consumer and its verdict replies, the receiving node's produce path and verdict wait, and the window cells
 * owners publish and every node merges into one cluster-wide view. Nothing here starts unless the configuration
 * has a {@code cluster:} section.
 */
package io.conversioni.cluster;
