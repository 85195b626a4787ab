/**
 * Cluster mode on Apache Kafka: the {@code cluster:} settings, the topics the nodes share, and (later)
 * the produce path, the owner's consumer and the verdict replies. Nothing here starts unless the
 * configuration has a {@code cluster:} section.
 */
package io.conversioni.cluster;
