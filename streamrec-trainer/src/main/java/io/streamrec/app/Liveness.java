package io.streamrec.app;

import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Whether the process is alive, for {@code /health/live}: a failing liveness probe tells the orchestrator to restart
 * the process, so it fails only for what a restart cures. Kafka Streams in ERROR, PENDING_ERROR or NOT_RUNNING
 * (every stream thread died, or the client shut itself down), or RUNNING / REBALANCING with no stream thread left,
 * is dead. Starting up (CREATED, REBALANCING before the first RUNNING), rebalancing, restoring state and a stall
 * are alive: a restart would only start them over, and readiness ({@link ProgressWatchdog}) takes the instance out
 * of service meanwhile. PENDING_SHUTDOWN is alive too: the process is closing on purpose.
 *
 * @param alive         whether the process should be left running
 * @param state         the Kafka Streams state read for this verdict
 * @param streamThreads stream threads alive (-1 when the state does not tell: not RUNNING or REBALANCING)
 * @param reason        one line for people
 */
public record Liveness(boolean alive, String state, int streamThreads, String reason) {
    private static final Set<KafkaStreams.State> DEAD =
            Set.of(KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.NOT_RUNNING);

    /** The verdict for {@code streams} now. */
    public static Liveness of(KafkaStreams streams) {
        return of(streams::state, () -> streams.metadataForLocalThreads().size());
    }

    /** The verdict from a state and, asked only while RUNNING or REBALANCING, the count of live stream threads. */
    static Liveness of(Supplier<KafkaStreams.State> state, IntSupplier streamThreads) {
        KafkaStreams.State s = state.get();
        if (DEAD.contains(s)) {
            return new Liveness(false, s.name(), -1, "Kafka Streams is " + s + ": restart the process");
        }
        if (s != KafkaStreams.State.RUNNING && s != KafkaStreams.State.REBALANCING) {
            return new Liveness(true, s.name(), -1, "Kafka Streams is " + s);
        }
        int threads;
        try {
            threads = streamThreads.getAsInt();
        } catch (IllegalStateException e) {
            // The state moved on between the two reads: judge again on the next probe.
            return new Liveness(true, s.name(), -1, "Kafka Streams is changing state from " + s);
        }
        return threads > 0
                ? new Liveness(
                        true, s.name(), threads, "Kafka Streams is " + s + " with " + threads + " stream threads")
                : new Liveness(false, s.name(), 0, "Kafka Streams is " + s + " but no stream thread is alive");
    }
}
