package io.conversioni.cluster;

/**
 * How a request published to the cluster ({@link ClusterPublisher#tryPublish}) ends, once: the owner's verdict
 * (its HTTP status from {@code stato_http} and its answer JSON, the same bytes a single node would send), or no
 * answer at all: {@link Result#UNAVAILABLE} (the record could not be delivered to the broker) or
 * {@link Result#NO_VERDICT} (none came within {@code cluster.verdict_timeout}). For both the HTTP layer answers
 * 503 + Retry-After; a retry is then a duplicate on the owner if the first did arrive, never a second count.
 *
 * <p>Called once per accepted publish, on the verdict router's thread ({@link Result#VERDICT},
 * {@link Result#NO_VERDICT}), on the producer's network thread ({@link Result#UNAVAILABLE}) or, for what still waits
 * at {@link ClusterPublisher#close}, on the closing thread; possibly before {@code tryPublish} has returned: it must
 * hand the answer on and return, never block.
 */
@FunctionalInterface
public interface VerdictListener {
    /** How the request ended. */
    enum Result {
        /** The owner decided: {@code httpStatus} and {@code answer} are its verdict's. */
        VERDICT,
        /** The producer failed the record for good (the broker refused it, or the producer was closed): 503. */
        UNAVAILABLE,
        /**
         * No verdict within {@code cluster.verdict_timeout}: a broker or owner that is down or hangs, a record the
         * producer gave up on a timeout (it may have been written: a retry is then a duplicate), or the publisher
         * closed first: 503.
         */
        NO_VERDICT
    }

    /**
     * @param result     how it ended
     * @param httpStatus the verdict's {@code stato_http} for {@link Result#VERDICT}, otherwise 503
     * @param answer     the verdict's JSON (the record's value, not copied) for {@link Result#VERDICT}, otherwise null
     * @param attachment what the caller passed to {@code tryPublish}
     */
    void onResult(Result result, int httpStatus, byte[] answer, Object attachment);
}
