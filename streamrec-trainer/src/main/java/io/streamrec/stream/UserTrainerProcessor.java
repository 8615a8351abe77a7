package io.streamrec.stream;

import io.streamrec.learn.BatchLearner;
import io.streamrec.learn.GlobalMean;
import io.streamrec.learn.GradientAccumulator;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.Model;
import io.streamrec.model.ModelKind;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Owns the user rows of one input partition. For each event it predicts first (progressive validation), then
 * adds the event to the mini-batch (kept in a changelogged store until flushed, so a crash loses none). A flush,
 * every {@code train.batch.size} events or {@code flush.interval.ms}, computes the batch's gradients against the item
 * rows of the global store, steps the user rows, publishes them, and sends the items' summed gradients to the item
 * tasks that own them, one packed record per destination partition.
 *
 * <p>This class is the training loop and the task state (events seen, row steps, the global mean's own sums in the
 * task-state store); each concern it drives has its own class, one instance per task: {@link UserRowCache} (user
 * rows in memory, LRU eviction), {@link LocalItems} (the local item copy), {@link GradientRouter} (gradients to the
 * item partitions), {@link UserRowPublisher} (row publication), {@link PrequentialTracker} (windowed metrics) and
 * {@link GlobalMeanMerge} (the other partitions' label sums).
 */
final class UserTrainerProcessor implements Processor<String, Object, Object, byte[]> {
    private static final String STATE_KEY = "user";
    /** Present in the task-state store while saved user rows are not yet published (see {@link UserRowPublisher}). */
    static final String UNPUBLISHED_KEY = "user-unpublished";

    private final TrainerConfig config;
    private final Hyperparameters hyper;
    private final TrainerListener listener;
    private final int batchSize;
    private final int partitions;
    private final PublishedRows published;
    private ProcessorContext<Object, byte[]> context;
    private PendingLog pending;
    private KeyValueStore<String, byte[]> stateStore;
    private Model model;
    private BatchLearner learner;
    private UserRowCache users;
    private GradientAccumulator userGrads;
    private GradientAccumulator itemGrads;
    private LocalItems items;
    private GradientRouter router;
    private UserRowPublisher rows;
    private PrequentialTracker prequential;
    private StreamRanking ranking;
    private GlobalMeanMerge externalMean;
    private long rowSteps;
    private long oldestIngest = Long.MAX_VALUE;
    private int partition;

    UserTrainerProcessor(TrainerConfig config, TrainerListener listener, PublishedRows published) {
        this.config = config;
        this.published = published;
        this.hyper = config.hyperparameters();
        this.listener = listener;
        this.batchSize = config.batchSize();
        this.partitions = config.partitions();
    }

    @Override
    public void init(ProcessorContext<Object, byte[]> context) {
        this.context = context;
        this.partition = context.taskId().partition();
        KeyValueStore<String, byte[]> userStore = context.getStateStore(Topics.USER_STORE);
        pending = context.getStateStore(Topics.USER_PENDING_STORE);
        stateStore = context.getStateStore(Topics.TASK_STATE_STORE + "-user");
        UnpublishedRows unpublished = new UnpublishedRows(stateStore, UNPUBLISHED_KEY);
        KeyValueStore<String, byte[]> global = context.getStateStore(Topics.GLOBAL_ROWS_STORE);
        byte[] st = stateStore.get(STATE_KEY);
        Codecs.TaskState ts = st == null ? Codecs.TaskState.EMPTY : Codecs.decodeTaskState(st);
        model = new Model(hyper, new GlobalMean(ts.meanSum(), ts.meanCount()), ts.eventsSeen());
        rowSteps = ts.rowSteps();
        learner = BatchLearner.of(model, Integer.MAX_VALUE, config.negatives());
        ranking = new StreamRanking(config.userCacheRows());
        users = new UserRowCache(model.users(), userStore, global, config.userCacheRows());
        userGrads = new GradientAccumulator(hyper.width());
        itemGrads = new GradientAccumulator(hyper.width());
        items = new LocalItems(model.items(), hyper.width(), published);
        router = new GradientRouter(context, model.items(), items, partitions, hyper.width());
        rows = new UserRowPublisher(context, listener, model.users(), model.mean(), partition, unpublished);
        prequential = new PrequentialTracker(hyper.kind() == ModelKind.LOGISTIC_MF);
        externalMean = new GlobalMeanMerge(published, model.mean(), partitions, partition);
        externalMean.refresh();
        // Events that joined a batch before a crash or a rebalance: rejoin them, unscored (they were scored then).
        for (byte[] e : pending.restore()) {
            addToBatch(Codecs.decodeEvent(e));
        }
        rows.restore(users.loader());
        context.schedule(Duration.ofMillis(config.flushIntervalMs()), PunctuationType.WALL_CLOCK_TIME, t -> {
            flush();
            rows.publish();
            // Only between a flush and the next event may rows move: no batch, gradient or unpublished set refers
            // to a row number then.
            if (learner.pending() == 0 && rows.size() == 0 && users.evictLeastRecentlyUsed()) {
                listener.modelRows("user", partition, model.users().size());
            }
            users.nextInterval();
        });
    }

    @Override
    public void process(Record<String, Object> record) {
        Event e = record.value() instanceof Event ev ? ev : Codecs.decodeEvent((byte[]) record.value());
        // Predict before the event creates any row: an unseen user or item contributes nothing (the global mean
        // fallback), as in offline progressive validation, instead of its random initial factors.
        boolean positivesOnly = hyper.kind().positivesOnly();
        if (positivesOnly && e.label() != 1f) {
            return; // not a positive (below model.positives, or labeled 0): nothing for these models to learn
        }
        int u = users.find(e.user());
        int i = items.row(e.item(), false);
        if (!positivesOnly) {
            double prediction = model.predictScore(model.score(u, i));
            listener.prequential(e.label(), prediction);
            prequential.add(e.label(), prediction);
        }
        int rank = ranking.evaluate(model, e.user(), u, i);
        if (rank >= 0) {
            listener.ranked(StreamRanking.CUTOFF, rank >= 1 && rank <= StreamRanking.CUTOFF);
        }
        listener.eventTrained();
        pending.append(Codecs.encodeEvent(e));
        u = u >= 0 ? u : users.row(e.user());
        i = i >= 0 ? i : items.row(e.item(), true);
        users.used(u);
        ranking.seen(e.user(), i);
        learner.learn(u, i, e.label(), e.weight(), e.ingestTime());
        oldestIngest = Math.min(oldestIngest, e.ingestTime());
        if (learner.pending() >= batchSize) {
            flush();
        }
    }

    private void addToBatch(Event e) {
        int u = users.row(e.user());
        users.used(u);
        int i = items.row(e.item(), true);
        learner.learn(u, i, e.label(), e.weight(), e.ingestTime());
        oldestIngest = Math.min(oldestIngest, e.ingestTime());
    }

    private void flush() {
        int n = learner.pending();
        if (n == 0) {
            return;
        }
        long start = System.nanoTime();
        long now = context.currentSystemTimeMs();
        float lr = (float) hyper.schedule().rate(model.eventsSeen());
        double loss = learner.computeGradients(model.items().params(), userGrads, itemGrads);
        router.send(itemGrads, now);
        items.stepLocally(learner.updater(), itemGrads, lr, now);
        int[] touched = new int[userGrads.size()];
        for (int s = 0; s < touched.length; s++) {
            touched[s] = userGrads.row(s);
        }
        learner.applyUsers(userGrads, lr);
        for (int row : touched) {
            users.save(row);
            rows.add(row);
        }
        rows.saved(oldestIngest);
        rowSteps += touched.length;
        stateStore.put(
                STATE_KEY,
                Codecs.encodeTaskState(
                        new Codecs.TaskState(model.mean().sum(), model.mean().count(), model.eventsSeen(), rowSteps)));
        pending.clear();
        long latency = now - oldestIngest;
        oldestIngest = Long.MAX_VALUE;
        if (items.advanceEpoch(now)) {
            externalMean.refresh();
        }
        long duration = System.nanoTime() - start;
        listener.flushed("user", n, duration, loss / n, lr);
        listener.modelRows("user", partition, model.users().size());
        listener.modelVersion("user", partition, rowSteps);
        context.forward(
                new Record<>(
                        "user-" + partition,
                        TrainingMetrics.record(
                                partition,
                                "user",
                                n,
                                prequential.rmse(),
                                prequential.mae(),
                                prequential.logLoss(),
                                prequential.auc(now),
                                ranking.recall(),
                                loss / n,
                                lr,
                                rowSteps,
                                latency,
                                now),
                        now),
                StreamTopology.USER_METRICS_SINK);
    }

    /** User rows in memory (for tests). */
    int usersInMemory() {
        return model.users().size();
    }

    @Override
    public void close() {
        listener.taskClosed("user", partition);
    }
}
