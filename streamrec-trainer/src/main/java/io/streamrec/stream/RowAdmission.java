package io.streamrec.stream;

import java.nio.ByteBuffer;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * {@code rows.admission.min.events} for one user task: counts the events of users that have no row yet, and admits a
 * user (gives it a row of its own) at the event that brings its count to the threshold; the events before it train
 * without a user row (see {@code UserFirstLearner#learnWithoutUser}). As in Monolith (Liu et al. 2022), an id seen
 * only once or twice costs no factor row, in memory, in the store or on {@code model-updates}.
 *
 * <p>State: one count per waiting user in the task-state store (changelogged, so a restart keeps the counts), under
 * {@link #KEY_PREFIX}; the entry is deleted when the user is admitted. The counts commit with the pending events, so
 * events replayed after a crash learn without a row when their user was still {@link #waiting} at the last commit.
 * Counts of users that never come back are not expired (an entry is the id plus four bytes, against a row of a few
 * hundred bytes).
 */
final class RowAdmission {
    static final String KEY_PREFIX = "admission/";

    private final KeyValueStore<String, byte[]> store;
    private final int minEvents;
    private final TrainerListener listener;

    /** {@code minEvents} >= 1; 1 admits every user at its first event (no admission: the store is never read). */
    RowAdmission(KeyValueStore<String, byte[]> store, int minEvents, TrainerListener listener) {
        if (minEvents < 1) {
            throw new IllegalArgumentException(
                    TrainerConfig.ROWS_ADMISSION_MIN_EVENTS + " must be >= 1, got " + minEvents);
        }
        this.store = store;
        this.minEvents = minEvents;
        this.listener = listener;
    }

    /**
     * Counts one event of {@code id}, which has no row; true when this event admits it (its count is then cleared
     * and the admission counted in {@code streamrec.rows.admitted}).
     */
    boolean admits(String id) {
        if (minEvents == 1) {
            return true;
        }
        String key = KEY_PREFIX + id;
        byte[] v = store.get(key);
        int n = (v == null ? 0 : ByteBuffer.wrap(v).getInt()) + 1;
        if (n >= minEvents) {
            store.delete(key);
            listener.rowsAdmitted(Role.USER.label(), 1);
            return true;
        }
        store.put(key, ByteBuffer.allocate(Integer.BYTES).putInt(n).array());
        return false;
    }

    /** Whether {@code id} has counted events but no row yet. */
    boolean waiting(String id) {
        return minEvents > 1 && store.get(KEY_PREFIX + id) != null;
    }
}
