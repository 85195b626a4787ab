package io.conversioni.cluster;

/**
 * The cluster cannot start or go on: the broker does not answer, or a topic is not what the configuration
 * says. {@link #code()} is a stable lower snake_case code (listed in docs/cluster.md); the message names
 * the setting or topic involved and says what to do. Start-up and admin paths only: it has a stack trace.
 */
public final class ClusterException extends Exception {
    private static final long serialVersionUID = 1L;

    /** No broker answered within the bounded timeout. */
    public static final String KAFKA_UNREACHABLE = "kafka_unreachable";
    /** An existing topic's partition count differs from {@code cluster.partitions}. */
    public static final String TOPIC_PARTITIONS_MISMATCH = "topic_partitions_mismatch";
    /** An existing topic's settings would break the design (a cells topic that is not compacted). */
    public static final String TOPIC_MISCONFIGURED = "topic_misconfigured";
    /** The broker refused to create or describe a topic (authorisation, too few brokers for the replication). */
    public static final String TOPIC_REFUSED = "topic_refused";

    private final String code;

    public ClusterException(final String code, final String message) {
        super(code + ": " + message);
        this.code = code;
    }

    public ClusterException(final String code, final String message, final Throwable cause) {
        super(code + ": " + message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
