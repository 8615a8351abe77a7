package io.streamrec.app;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.processor.StandbyUpdateListener;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.processor.TaskId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' lifecycle at INFO, with durations, so that a slow recovery can be read from the log:
 *
 * <ul>
 *   <li>every state transition with how long the previous state lasted ({@code REBALANCING -> RUNNING after 3.2 s});
 *       on reaching RUNNING, the tasks this instance was assigned (Kafka Streams has no public rebalance listener;
 *       the assignment is read from {@link KafkaStreams#metadataForLocalThreads()});</li>
 *   <li>each restoration of a store partition from its changelog: one line when it starts (offsets to restore), one
 *       when it ends (records restored, duration) or is suspended (the task moved away); batches are counted, not
 *       logged;</li>
 *   <li>each standby update that stops (the standby became active, or moved away), with what it loaded.</li>
 * </ul>
 *
 * <p>{@link #register} sets it on a {@link KafkaStreams} before {@code start()} (Kafka Streams refuses listeners
 * afterwards). Callbacks come from stream threads, the state updater and the global thread: the per-partition
 * bookkeeping is a concurrent map and each callback is short.
 */
public final class StreamsLifecycleLog
        implements KafkaStreams.StateListener, StateRestoreListener, StandbyUpdateListener {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsLifecycleLog.class);

    private final Consumer<String> info;
    private final LongSupplier clockMillis;
    private final Map<String, Long> restoring = new ConcurrentHashMap<>();
    /** Store partitions whose restoration had nothing to restore: neither start nor end is logged. */
    private final java.util.Set<String> empty = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Map<String, Long> standbyStarted = new ConcurrentHashMap<>();
    private volatile Supplier<String> assignment = () -> null;
    private volatile long stateSince;

    /** Logs through this class's logger at INFO, timed by the system's monotonic clock. */
    public StreamsLifecycleLog() {
        this(LOG::info, () -> System.nanoTime() / 1_000_000);
    }

    /** Logs each line to {@code info}, timed by {@code clockMillis} (monotonic, milliseconds): for tests. */
    StreamsLifecycleLog(Consumer<String> info, LongSupplier clockMillis) {
        this.info = info;
        this.clockMillis = clockMillis;
        this.stateSince = clockMillis.getAsLong();
    }

    /** Sets this as state, restore and standby listener of {@code streams}, which must not be started yet. */
    public StreamsLifecycleLog register(KafkaStreams streams) {
        streams.setStateListener(this);
        streams.setGlobalStateRestoreListener(this);
        streams.setStandbyUpdateListener(this);
        assignment = () -> describe(streams.metadataForLocalThreads());
        return this;
    }

    /** Store partitions being restored right now. */
    public int restoringPartitions() {
        return restoring.size();
    }

    // --- state ------------------------------------------------------------------------------------------

    @Override
    public void onChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        long now = clockMillis.getAsLong();
        long lasted = now - stateSince;
        stateSince = now;
        String line = oldState + " -> " + newState + " after " + seconds(lasted);
        if (newState == KafkaStreams.State.RUNNING) {
            String tasks = safeAssignment();
            if (tasks != null) {
                line += "; " + tasks;
            }
        }
        info.accept(line);
    }

    private String safeAssignment() {
        try {
            return assignment.get();
        } catch (RuntimeException e) {
            // The state may have moved on since the callback was posted; the transition line matters more.
            return null;
        }
    }

    /** "tasks: active [0_0, 1_2], standby [0_1]" over all local threads. */
    static String describe(Set<ThreadMetadata> threads) {
        Set<TaskId> active = new TreeSet<>();
        Set<TaskId> standby = new TreeSet<>();
        for (ThreadMetadata t : threads) {
            t.activeTasks().forEach(task -> active.add(task.taskId()));
            t.standbyTasks().forEach(task -> standby.add(task.taskId()));
        }
        return "tasks: active " + active + ", standby " + standby;
    }

    // --- restoration ------------------------------------------------------------------------------------

    @Override
    public void onRestoreStart(TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
        if (endingOffset <= startingOffset) {
            // Nothing to restore: every empty store partition of every start would add two lines.
            empty.add(key(storeName, partition));
            return;
        }
        restoring.put(key(storeName, partition), clockMillis.getAsLong());
        info.accept("restoring " + storeName + " from " + partition + ": " + Math.max(0, endingOffset - startingOffset)
                + " offsets (" + startingOffset + " to " + endingOffset + ")");
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
        // Kafka Streams reports the total at the end; a line per batch would flood the log.
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
        Long started = restoring.remove(key(storeName, partition));
        if (empty.remove(key(storeName, partition)) && totalRestored == 0) {
            return;
        }
        String took = started == null ? "" : " in " + seconds(clockMillis.getAsLong() - started);
        info.accept("restored " + storeName + " from " + partition + ": " + totalRestored + " records" + took
                + remaining());
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String storeName, long totalRestored) {
        Long started = restoring.remove(key(storeName, partition));
        if (empty.remove(key(storeName, partition)) && totalRestored == 0) {
            return;
        }
        String took = started == null ? "" : " after " + seconds(clockMillis.getAsLong() - started);
        info.accept("restoration of " + storeName + " from " + partition + " suspended (task moved or closed): "
                + totalRestored + " records restored" + took + remaining());
    }

    private String remaining() {
        int n = restoring.size();
        return n == 0 ? "" : "; " + n + " store partition" + (n == 1 ? "" : "s") + " still restoring";
    }

    // --- standby ----------------------------------------------------------------------------------------

    @Override
    public void onUpdateStart(TopicPartition partition, String storeName, long startingOffset) {
        standbyStarted.put(key(storeName, partition), clockMillis.getAsLong());
    }

    @Override
    public void onBatchLoaded(
            TopicPartition partition,
            String storeName,
            TaskId taskId,
            long batchEndOffset,
            long batchSize,
            long currentEndOffset) {
        // Standbys load for as long as they live; only their end is worth a line.
    }

    @Override
    public void onUpdateSuspended(
            TopicPartition partition, String storeName, long storeOffset, long currentEndOffset, SuspendReason reason) {
        Long started = standbyStarted.remove(key(storeName, partition));
        String lived = started == null ? "" : " after " + seconds(clockMillis.getAsLong() - started);
        info.accept("standby " + storeName + " from " + partition + " stopped ("
                + reason.name().toLowerCase(Locale.ROOT)
                + ")" + lived + " at offset " + storeOffset + ", " + Math.max(0, currentEndOffset - storeOffset)
                + " behind the changelog end");
    }

    // --- helpers ----------------------------------------------------------------------------------------

    private static String key(String store, TopicPartition partition) {
        return store + "@" + partition;
    }

    /** "3.2 s", or "850 ms" below a second. */
    static String seconds(long millis) {
        return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
