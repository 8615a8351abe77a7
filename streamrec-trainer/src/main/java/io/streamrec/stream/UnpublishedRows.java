package io.streamrec.stream;

import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The rows a task changed since its last publication to {@code model-updates}, and the marker that says, in the
 * task-state store, that some of them are saved but not yet published. The marker is written with the saved rows,
 * in the same transaction, and deleted with the publication; a task that starts and finds it looks for the saved
 * rows whose published version is behind (a crash, or a move to another instance, came in between).
 */
final class UnpublishedRows {
    private static final byte[] MARK = {1};

    private final KeyValueStore<String, byte[]> stateStore;
    private final String markerKey;
    private final RowSet rows = new RowSet();
    private boolean marked;

    UnpublishedRows(KeyValueStore<String, byte[]> stateStore, String markerKey) {
        this.stateStore = stateStore;
        this.markerKey = markerKey;
    }

    /** At task start: when the marker is there, adds the rows of the task's store that model-updates lacks. */
    void restore(RowLoader loader) {
        marked = stateStore.get(markerKey) != null;
        if (marked) {
            loader.findUnpublished(rows::add);
        }
    }

    void add(int row) {
        rows.add(row);
    }

    /** To call once changed rows are saved to the task's store: marks them as not yet published. */
    void saved() {
        if (!marked) {
            stateStore.put(markerKey, MARK);
            marked = true;
        }
    }

    int size() {
        return rows.size();
    }

    int get(int k) {
        return rows.get(k);
    }

    /** To call once every row is published. */
    void published() {
        rows.clear();
        if (marked) {
            stateStore.delete(markerKey);
            marked = false;
        }
    }
}
