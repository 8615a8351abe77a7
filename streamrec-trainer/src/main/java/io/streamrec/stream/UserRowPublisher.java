package io.streamrec.stream;

import io.streamrec.learn.FactorTable;
import io.streamrec.learn.GlobalMean;
import io.streamrec.model.ModelKeys;
import io.streamrec.model.ModelUpdates;
import io.streamrec.model.RowKind;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a user task's changed user rows, and its label sums, to {@code model-updates} through
 * {@link StreamTopology#USER_MODEL_SINK}: key {@code ModelKeys.row(USER, id)} with a {@code ModelUpdates.row} value,
 * and key {@code ModelKeys.mean(partition)} with a {@code ModelUpdates.mean} value.
 *
 * <p>State: one instance per user task (input partition). The set of rows changed since the last publication is in
 * memory, with a marker in the task-state store (see {@link UnpublishedRows}) so that a restarted task republishes
 * the saved rows that never reached {@code model-updates}.
 */
final class UserRowPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(UserRowPublisher.class);

    private final ProcessorContext<Object, byte[]> context;
    private final TrainerListener listener;
    private final FactorTable userTable;
    private final GlobalMean mean;
    private final int partition;
    private final UnpublishedRows unpublished;
    /** The gate's check on exploded rows; null when the gate or the check is off. */
    private final RowNormCheck norms;
    /** The residual neighbourhood's coordinates of each user row; null without it. */
    private final RowTail tail;

    private final int tailLength;
    /** What {@link #problem} found last time, so that an exploded row is logged once, not at every check. */
    private QualityGate.Reason lastProblem = QualityGate.Reason.NONE;
    /** Ingest time of the oldest event whose row change is not yet published. */
    private long oldestUnpublished = Long.MAX_VALUE;

    /**
     * @param tail       what user rows carry after the model's parameters ({@link RowTail#NONE}: nothing)
     * @param tailLength its length
     */
    UserRowPublisher(
            ProcessorContext<Object, byte[]> context,
            TrainerListener listener,
            FactorTable userTable,
            GlobalMean mean,
            int partition,
            UnpublishedRows unpublished,
            RowNormCheck norms,
            RowTail tail,
            int tailLength) {
        this.tail = tail;
        this.tailLength = tailLength;
        this.context = context;
        this.listener = listener;
        this.userTable = userTable;
        this.mean = mean;
        this.partition = partition;
        this.unpublished = unpublished;
        this.norms = norms;
    }

    /** At task start: finds the saved rows that model-updates lacks (after a crash or a move), to publish them. */
    void restore(RowLoader users) {
        unpublished.restore(users);
        if (unpublished.size() > 0) {
            oldestUnpublished = context.currentSystemTimeMs();
        }
    }

    /** A row changed and saved in the task's store. */
    void add(int row) {
        unpublished.add(row);
    }

    /**
     * To call once the changed rows of a batch whose oldest event was ingested at {@code oldestIngest} are saved:
     * writes the marker, in the same transaction.
     */
    void saved(long oldestIngest) {
        unpublished.saved();
        oldestUnpublished = Math.min(oldestUnpublished, oldestIngest);
    }

    /**
     * What is wrong with a changed row, for the gate: {@code NON_FINITE} when one holds a non-finite value, else
     * {@code NORM} when one has exploded ({@link RowNormCheck}), else {@code NONE}.
     */
    QualityGate.Reason problem() {
        int w = userTable.width();
        float[] params = userTable.params();
        QualityGate.Reason found = QualityGate.Reason.NONE;
        for (int k = 0; k < unpublished.size(); k++) {
            int at = unpublished.get(k) * w;
            if (!ModelUpdates.isFinite(params, at, w)) {
                lastProblem = QualityGate.Reason.NON_FINITE;
                return lastProblem;
            }
            if (found == QualityGate.Reason.NONE && norms != null && norms.exploded(params, at, w)) {
                found = QualityGate.Reason.NORM;
                if (lastProblem == found) {
                    continue;
                }
                LOG.warn(
                        "user row {} has exploded: norm {} above {} (gate.norm.factor times the accepted model's)",
                        userTable.id(unpublished.get(k)),
                        RowNormCheck.norm(params, at, w),
                        norms.bound());
            }
        }
        lastProblem = found;
        return found;
    }

    /**
     * The gate's rollback: sets every changed row back to its published version (the last accepted model), or to a
     * row that contributes nothing when none was published, and saves it; nothing is left to publish.
     */
    void rollBack(RowLoader users, long now) {
        int w = userTable.width();
        for (int k = 0; k < unpublished.size(); k++) {
            users.revert(unpublished.get(k), now);
            if (norms != null) {
                // The published version is the accepted model's, so its norm is an accepted one.
                norms.accepted(userTable.params(), unpublished.get(k) * w, w);
            }
        }
        unpublished.published();
        oldestUnpublished = Long.MAX_VALUE;
    }

    /** Rows changed and not yet published. */
    int size() {
        return unpublished.size();
    }

    /**
     * Publishes every user row changed since the last publication, once, with the task's label sums: at most one
     * record per row and {@code flush.interval.ms}, however many mini-batches touched it (as a Kafka Streams
     * record cache coalesces a table's updates). Under a backlog a user's events arrive in runs, so publishing per
     * mini-batch wrote the same row several times per interval; a compacted topic's reader only keeps the last.
     * The rows are saved in the task's store at each flush; the marker of {@link UnpublishedRows}, written in the
     * same transaction, tells a restarted task to look for saved rows that never reached {@code model-updates}.
     */
    void publish() {
        int n = unpublished.size();
        if (n == 0) {
            return;
        }
        long now = context.currentSystemTimeMs();
        int w = userTable.width();
        for (int k = 0; k < n; k++) {
            int row = unpublished.get(k);
            String id = userTable.id(row);
            if (!ModelUpdates.isFinite(userTable.params(), row * w, w)) {
                // JSON has no NaN and the client could not read the row: keep the last good one published.
                LOG.warn("user row {} has a non-finite value; not published", id);
                continue;
            }
            context.forward(
                    new Record<>(
                            ModelKeys.row(RowKind.USER, id),
                            RowTail.row(
                                    RowKind.USER,
                                    id,
                                    userTable.params(),
                                    row * w,
                                    w,
                                    tail,
                                    tailLength,
                                    userTable.version(row),
                                    userTable.updates(row),
                                    now),
                            now),
                    StreamTopology.USER_MODEL_SINK);
            if (norms != null) {
                norms.accepted(userTable.params(), row * w, w);
            }
        }
        context.forward(
                new Record<>(ModelKeys.mean(partition), ModelUpdates.mean(partition, mean.sum(), mean.count()), now),
                StreamTopology.USER_MODEL_SINK);
        listener.rowsPublished(Role.USER.label(), n, oldestUnpublished);
        unpublished.published();
        oldestUnpublished = Long.MAX_VALUE;
    }
}
