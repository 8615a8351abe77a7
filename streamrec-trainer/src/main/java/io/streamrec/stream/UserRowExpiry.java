package io.streamrec.stream;

import io.streamrec.model.ModelKeys;
import io.streamrec.model.RowKind;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * {@code rows.ttl.ms} for a user task: deletes the user rows no flush saved for longer than the TTL from the store
 * and memory and tombstones them on {@code model-updates}. The task calls it where it evicts, when no batch,
 * gradient or unpublished set refers to a row number. A user who comes back starts from an initial row (or, for the
 * moment the tombstone takes to reach this instance's global store, from the last published one).
 */
final class UserRowExpiry {
    private final RowExpiry expiry;
    private final ProcessorContext<Object, byte[]> context;
    private final TrainerListener listener;

    private UserRowExpiry(RowExpiry expiry, ProcessorContext<Object, byte[]> context, TrainerListener listener) {
        this.expiry = expiry;
        this.context = context;
        this.listener = listener;
    }

    /** Null when {@code ttlMs} is 0: rows never expire. */
    static UserRowExpiry of(
            long ttlMs,
            KeyValueStore<String, byte[]> userStore,
            ProcessorContext<Object, byte[]> context,
            TrainerListener listener) {
        return ttlMs > 0
                ? new UserRowExpiry(new RowExpiry(userStore, ttlMs, context.currentSystemTimeMs()), context, listener)
                : null;
    }

    /** Sweeps when due; returns the number of rows dropped. {@code alsoExpire} is told their ids. */
    int sweep(long now, UserRowCache users, java.util.function.Consumer<List<String>> alsoExpire) {
        if (!expiry.due(now)) {
            return 0;
        }
        List<String> expired = expiry.sweep(now);
        if (expired.isEmpty()) {
            return 0;
        }
        users.drop(expired);
        alsoExpire.accept(expired);
        for (String id : expired) {
            context.forward(
                    new Record<Object, byte[]>(ModelKeys.row(RowKind.USER, id), null, now),
                    StreamTopology.USER_MODEL_SINK);
        }
        listener.rowsExpired(Role.USER.label(), expired.size());
        return expired.size();
    }
}
