/**
 * Cluster mode on Apache Kafka: the {@code cluster:} settings, the topics the nodes share, the owner's
 * consumer and its verdict replies, and the receiving node's produce path and verdict wait. Nothing here
 * starts unless the configuration has a {@code cluster:} section.
 */
package io.conversioni.cluster;
