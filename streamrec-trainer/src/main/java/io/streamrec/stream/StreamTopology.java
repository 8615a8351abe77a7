package io.streamrec.stream;

import io.streamrec.learn.ItemBasis;
import io.streamrec.model.ModelKind;
import io.streamrec.model.ModelUpdates;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the training topology: a parameter server on Kafka Streams. Does no I/O.
 *
 * <pre>
 *  interactions ──► router ──(bad)──► interactions-dlq
 *                     │  └─(user not owned here)──► user-events ──┐
 *                     ▼                                  ▼
 *                 user-trainer [user-rows, user-pending, task-state-user, user-neighbourhood]   (by user)
 *                     │  ├──► model-updates (user:&lt;id&gt;, mean:&lt;p&gt;)   ├──► training-metrics
 *                     ▼
 *               item-gradients (one packed batch per flush and item partition)
 *                     ▼
 *                 item-trainer [item-rows, item-pending, task-state-item]   (partitioned by item)
 *                        ├──► model-updates (item:&lt;id&gt;)                    ├──► training-metrics
 *
 *  model-updates ──► global store global-model-rows (every instance: item rows for predictions and gradients)
 *
 *  with model.neighbourhood: user-trainer ──► residuals (one partition, purged once committed)
 *                     ▼
 *                 residual-basis [residual-basis, residual-basis-pending]   (one task)
 *                        └──► residual-bases (compacted) ──► global: every instance's user and item tasks
 * </pre>
 *
 * <h2>Topics</h2>
 * <ul>
 *   <li>{@code interactions}: key user id (string; any key or none, on any partition, is routed to the task
 *       that owns the user), value JSON
 *       {@code {"user":"196","item":"242","label":3.0,"timestamp":881250949000,"weight":1.0}}.</li>
 *   <li>{@code interactions-dlq}: the original key, value and headers, plus headers {@code streamrec.dlq.reason}
 *       (a code from {@link EventParser}), {@code streamrec.dlq.detail}, {@code streamrec.dlq.topic},
 *       {@code .partition}, {@code .offset}.</li>
 *   <li>{@code model-updates} (compacted): see {@link ModelUpdates}.</li>
 *   <li>{@code training-metrics}: see {@link TrainingMetrics}.</li>
 *   <li>{@code residuals} ({@code model.neighbourhood} only): internal, one partition, key user id, value the item
 *       id and the event's residual ({@link Codecs#encodeResidual}).</li>
 *   <li>{@code residual-bases} ({@code model.neighbourhood} only): internal, one partition, compacted, key
 *       {@code basis}, value the latest basis ({@code ItemBasis#toBytes}).</li>
 *   <li>{@code user-events}, {@code item-gradients}: internal, binary ({@link Codecs}); a gradient record packs the
 *       summed gradients of every item one user flush touched that lives in one item partition.</li>
 * </ul>
 *
 * <h2>State and staleness</h2>
 * User rows are partitioned by user, item rows by item, each in a persistent store changelogged to Kafka, with the
 * optimizer state beside each row. An item task takes one optimizer step per gradient batch (one user mini-batch),
 * as offline mini-batch training does, saves the rows it stepped every {@code item.batch.size} events' worth of
 * gradients, and publishes them once per {@code flush.interval.ms}, as the user task does its rows. Every instance
 * sees item rows through a global store fed by {@code model-updates}, whose item rows and label sums the global
 * thread also parses once for the user tasks ({@link PublishedRows}). The path from a user flush back to that
 * store is long: the gradient batch becomes visible to the item task at the user task's commit, the step is
 * published on the item task's next interval, becomes visible at the item task's commit, and is then fetched by the
 * global thread: a few hundred milliseconds, which under a backlog is tens of thousands of events. A user task
 * therefore does not predict with the published rows alone: it also steps its local copy of each item with the
 * gradients it sends, and on a newer published version (flushed at {@code updatedAt}) re-applies only its own steps
 * sent after that instant, which that version cannot contain, so no step counts twice (this assumes the instances'
 * clocks agree to well within a commit interval). What stays stale: the steps of other user tasks (other
 * partitions) on the same items, by the whole path above (asynchronous data parallelism), and for a short while a
 * task's own steps sent before an item flush but committed after it. The local steps use the task's own optimizer
 * state for the item, which with several partitions has seen only that task's share of the item's gradients. The
 * task looks for newer published versions every 20 milliseconds (a tenth of the default flush interval).
 * Measured on MovieLens-100K (batch 16, {@code StreamParityTest}): prequential RMSE within about 0.3% of offline
 * progressive validation on one partition with the whole file as a backlog; within about 0.5% on four partitions
 * and two instances when the trainer keeps up with its input, and about 3.5% when the whole file is a backlog
 * (partitions then run through their backlogs at their own pace, each predicting with items that lack what the
 * partitions behind it in time have not trained yet).
 */
public final class StreamTopology {
    static final String SOURCE = "interactions-source";
    static final String ROUTER = "router";
    static final String DLQ_SINK = "dlq-sink";
    static final String USER_EVENTS_SOURCE = "user-events-source";
    static final String USER_EVENTS_SINK = "user-events-sink";
    static final String USER_TRAINER = "user-trainer";
    static final String ITEM_GRADIENTS_SINK = "item-gradients-sink";
    static final String ITEM_GRADIENTS_SOURCE = "item-gradients-source";
    static final String ITEM_TRAINER = "item-trainer";
    static final String USER_MODEL_SINK = "user-model-updates-sink";
    static final String ITEM_MODEL_SINK = "item-model-updates-sink";
    static final String USER_METRICS_SINK = "user-metrics-sink";
    static final String ITEM_METRICS_SINK = "item-metrics-sink";
    static final String RESIDUALS_SINK = "residuals-sink";
    static final String RESIDUALS_SOURCE = "residuals-source";
    static final String RESIDUAL_BASIS = "residual-basis";
    static final String RESIDUAL_BASES_SINK = "residual-bases-sink";

    private StreamTopology() {}

    /**
     * The partition (0..partitions-1) that owns the row of {@code id}: the Java client's default partitioning of
     * the id as a key (murmur2 of its UTF-8 bytes). A user row belongs to the task of partition
     * {@code partitionOf(user, userEventsPartitions)}, which is where keying {@code user-events} by user id puts
     * it. Item rows use it with {@code slots} = {@code topic.partitions}: gradient batches carry the slot as their
     * key and the sink sends slot {@code s} to partition {@code s % partitions}.
     */
    static int partitionOf(String id, int partitions) {
        return Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /**
     * A trainer's stores: its rows (persistent: they are the model), its pending log, and its task state (in memory,
     * restored from the changelog: a few small records).
     */
    private static void addTaskStores(Topology t, String rows, String pending, Role role, String processor) {
        t.addStateStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(rows), Serdes.String(), Serdes.ByteArray())
                        .withCachingEnabled(),
                processor);
        t.addStateStore(PendingLog.builder(pending), processor);
        t.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(role.taskStateStore()),
                                Serdes.String(),
                                Serdes.ByteArray())
                        .withCachingEnabled(),
                processor);
    }

    /** Item gradients go to the partition of their slot (the item task that owns the item). */
    // partitions(topic, key, value, numPartitions) is the interface's only abstract method until Kafka removes it.
    @SuppressWarnings("removal")
    private static StreamPartitioner<Integer, byte[]> bySlot() {
        return (String topic, Integer slot, byte[] value, int numPartitions) ->
                Optional.of(Set.of(slot % numPartitions));
    }

    /** {@link #build(TrainerConfig, TrainerListener, int)} for a {@code user-events} topic of
     * {@code topic.partitions} partitions. */
    public static Topology build(TrainerConfig config, TrainerListener listener) {
        return build(config, listener, config.partitions());
    }

    /**
     * @param userEventsPartitions the partition count of {@link Topics#USER_EVENTS} as it exists on the cluster:
     *     it decides which task owns which user, whatever the partition count of the input topic
     */
    public static Topology build(TrainerConfig config, TrainerListener listener, int userEventsPartitions) {
        if (userEventsPartitions < 1) {
            throw new IllegalArgumentException("user-events partitions must be >= 1, got " + userEventsPartitions);
        }
        var hyper = config.hyperparameters();
        EventParser parser = new EventParser(hyper.minLabel(), hyper.maxLabel(), config.positives());
        Topology t = new Topology();
        t.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.INTERACTIONS);
        t.addProcessor(ROUTER, () -> new RouterProcessor(parser, listener, userEventsPartitions), SOURCE);
        t.addSink(DLQ_SINK, Topics.DLQ, new ByteArraySerializer(), new ByteArraySerializer(), ROUTER);
        t.addSink(USER_EVENTS_SINK, Topics.USER_EVENTS, new StringSerializer(), new ByteArraySerializer(), ROUTER);
        t.addSource(USER_EVENTS_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), Topics.USER_EVENTS);
        PublishedRows published = new PublishedRows(hyper.width(), config.publishedWidth());
        // The instance's latest residual basis, from residual-bases, read by every user and item task of the instance.
        AtomicReference<ItemBasis> latestBasis = config.neighbourhood() ? new AtomicReference<>() : null;
        Supplier<ItemBasis> basis = latestBasis == null ? null : latestBasis::get;
        t.addProcessor(
                USER_TRAINER,
                () -> new UserTrainerProcessor(config, listener, published, basis),
                ROUTER,
                USER_EVENTS_SOURCE);
        addTaskStores(t, Topics.USER_STORE, Topics.USER_PENDING_STORE, Role.USER, USER_TRAINER);
        if (hyper.kind() == ModelKind.FISM) {
            t.addStateStore(
                    Stores.keyValueStoreBuilder(
                                    Stores.persistentKeyValueStore(Topics.USER_FISM_STORE),
                                    Serdes.String(),
                                    Serdes.ByteArray())
                            .withCachingEnabled(),
                    USER_TRAINER);
        }
        t.addSink(
                ITEM_GRADIENTS_SINK,
                Topics.ITEM_GRADIENTS,
                new IntegerSerializer(),
                new ByteArraySerializer(),
                bySlot(),
                USER_TRAINER);
        t.addSink(
                USER_MODEL_SINK, Topics.MODEL_UPDATES, new StringSerializer(), new ByteArraySerializer(), USER_TRAINER);
        t.addSink(
                USER_METRICS_SINK,
                Topics.TRAINING_METRICS,
                new StringSerializer(),
                new ByteArraySerializer(),
                USER_TRAINER);

        t.addSource(
                ITEM_GRADIENTS_SOURCE, new IntegerDeserializer(), new ByteArrayDeserializer(), Topics.ITEM_GRADIENTS);
        t.addProcessor(
                ITEM_TRAINER,
                () -> new ItemTrainerProcessor(config, listener, published, basis),
                ITEM_GRADIENTS_SOURCE);
        addTaskStores(t, Topics.ITEM_STORE, Topics.ITEM_PENDING_STORE, Role.ITEM, ITEM_TRAINER);
        t.addSink(
                ITEM_MODEL_SINK, Topics.MODEL_UPDATES, new StringSerializer(), new ByteArraySerializer(), ITEM_TRAINER);
        t.addSink(
                ITEM_METRICS_SINK,
                Topics.TRAINING_METRICS,
                new StringSerializer(),
                new ByteArraySerializer(),
                ITEM_TRAINER);

        // The store holds every published row, users' included (a user task loads a seeded or moved user's row from
        // it): in memory that is about 590 bytes of heap per user on every instance, on disk it costs the global
        // thread more CPU (TrainerConfig.GLOBAL_STORE).
        t.addGlobalStore(
                Stores.keyValueStoreBuilder(
                                config.globalStoreOnDisk()
                                        ? Stores.persistentKeyValueStore(Topics.GLOBAL_ROWS_STORE)
                                        : Stores.inMemoryKeyValueStore(Topics.GLOBAL_ROWS_STORE),
                                Serdes.String(),
                                Serdes.ByteArray())
                        .withLoggingDisabled(),
                "model-updates-source",
                new StringDeserializer(),
                new ByteArrayDeserializer(),
                Topics.MODEL_UPDATES,
                "global-rows",
                // In memory the store is rebuilt from the topic through the processor at each start: nothing to replay.
                () -> new StoreCopyProcessor(
                        Topics.GLOBAL_ROWS_STORE,
                        published::update,
                        config.globalStoreOnDisk() ? PublishedRows.PREFIXES : List.of()));
        if (basis != null) {
            t.addStateStore(
                    Stores.keyValueStoreBuilder(
                                    Stores.persistentKeyValueStore(Topics.USER_NEIGHBOURHOOD_STORE),
                                    Serdes.String(),
                                    Serdes.ByteArray())
                            .withCachingEnabled(),
                    USER_TRAINER);
            t.addSink(
                    RESIDUALS_SINK, Topics.RESIDUALS, new StringSerializer(), new ByteArraySerializer(), USER_TRAINER);
            // The basis task: residuals' one partition, one task on one instance.
            t.addSource(RESIDUALS_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), Topics.RESIDUALS);
            t.addProcessor(RESIDUAL_BASIS, () -> new ResidualBasisProcessor(config, listener), RESIDUALS_SOURCE);
            t.addStateStore(
                    Stores.keyValueStoreBuilder(
                            Stores.persistentKeyValueStore(Topics.RESIDUAL_BASIS_STORE),
                            Serdes.String(),
                            Serdes.ByteArray()),
                    RESIDUAL_BASIS);
            t.addStateStore(PendingLog.builder(Topics.RESIDUAL_BASIS_PENDING_STORE), RESIDUAL_BASIS);
            t.addSink(
                    RESIDUAL_BASES_SINK,
                    Topics.RESIDUAL_BASES,
                    new StringSerializer(),
                    new ByteArraySerializer(),
                    RESIDUAL_BASIS);
            t.addGlobalStore(
                    Stores.keyValueStoreBuilder(
                                    Stores.inMemoryKeyValueStore(Topics.RESIDUAL_BASES_STORE),
                                    Serdes.String(),
                                    Serdes.ByteArray())
                            .withLoggingDisabled(),
                    "residual-bases-source",
                    new StringDeserializer(),
                    new ByteArrayDeserializer(),
                    Topics.RESIDUAL_BASES,
                    "residual-bases",
                    () -> new ItemBasisReceiver(latestBasis, listener));
        }
        if (hyper.kind() == ModelKind.FISM) {
            t.addGlobalStore(
                    Stores.keyValueStoreBuilder(
                                    Stores.persistentKeyValueStore(Topics.FISM_SEED_STORE),
                                    Serdes.String(),
                                    Serdes.ByteArray())
                            .withLoggingDisabled(),
                    "fism-seed-source",
                    new StringDeserializer(),
                    new ByteArrayDeserializer(),
                    Topics.FISM_SEED,
                    "fism-seed",
                    () -> new StoreCopyProcessor(Topics.FISM_SEED_STORE, (key, value) -> {}));
        }
        return t;
    }
}
