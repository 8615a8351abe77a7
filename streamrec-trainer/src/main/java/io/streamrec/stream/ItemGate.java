package io.streamrec.stream;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * An item task's side of the publication gate (docs/gate.md). Item rows take gradients from every user partition,
 * so an item task withholds its changed rows while the gate of any user partition is closed, as published on
 * {@code model-updates} ({@link PublishedRows#gatesOpen}), and rolls its changed rows back to their published
 * versions when a user partition has rolled back since it last looked.
 *
 * <p>State: one instance per item task; the rollbacks it has followed are in the task-state store under key
 * {@code gate-rollbacks}, so that a restarted task neither repeats nor misses one. A user partition's gate record
 * reaches the item tasks a commit after it is written: rows of that interval may still be published.
 */
final class ItemGate {
    private static final String STATE_KEY = "gate-rollbacks";

    private final PublishedRows published;
    private final KeyValueStore<String, byte[]> stateStore;
    private long rollbacksSeen;

    ItemGate(PublishedRows published, KeyValueStore<String, byte[]> stateStore) {
        this.published = published;
        this.stateStore = stateStore;
        byte[] saved = stateStore.get(STATE_KEY);
        rollbacksSeen =
                saved == null ? published.gateRollbacks() : Long.parseLong(new String(saved, StandardCharsets.UTF_8));
    }

    /** Whether changed item rows may be published now; first runs {@code rollBack} when a partition rolled back. */
    boolean allows(Runnable rollBack) {
        long rollbacks = published.gateRollbacks();
        if (rollbacks > rollbacksSeen) {
            rollBack.run();
            rollbacksSeen = rollbacks;
            stateStore.put(STATE_KEY, Long.toString(rollbacks).getBytes(StandardCharsets.UTF_8));
        }
        return published.gatesOpen();
    }
}
