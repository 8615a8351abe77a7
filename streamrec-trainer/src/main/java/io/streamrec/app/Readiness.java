package io.streamrec.app;

/**
 * Whether this instance should receive traffic, and why: what {@link ProgressWatchdog} concluded at one moment.
 *
 * @param ready               true when Kafka Streams runs and the instance keeps up with its input
 * @param state               the Kafka Streams state read for this verdict ({@code RUNNING}, {@code REBALANCING}, ...)
 * @param reason              one line for people: why ready, or why not ("no progress for 31 s with 1200 records
 *                            waiting on interactions")
 * @param millisSinceProgress time since the processed-input count last rose (since Kafka Streams first reached
 *                            RUNNING when it has not risen since), or -1 before the first RUNNING
 */
public record Readiness(boolean ready, String state, String reason, long millisSinceProgress) {
    public Readiness {
        if (state == null || reason == null) {
            throw new IllegalArgumentException(
                    "state and reason are required, got state=" + state + ", reason=" + reason);
        }
    }
}
