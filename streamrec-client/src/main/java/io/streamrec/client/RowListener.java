package io.streamrec.client;

import io.streamrec.model.RowChange;

/**
 * Told of each row change of a {@link ModelClient}, in topic order per partition, on the client's poll thread
 * after the change is visible to readers. Keep it quick: the client applies nothing while it runs.
 * An exception it throws is logged and otherwise ignored.
 */
@FunctionalInterface
public interface RowListener {
    void onRowChange(RowChange change);
}
