package io.streamrec.stream;

import io.streamrec.eval.BinaryMetrics;
import io.streamrec.eval.WindowedError;
import io.streamrec.learn.FactorTable;
import io.streamrec.learn.GlobalMean;
import io.streamrec.learn.GradientAccumulator;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.MiniBatchLearner;
import io.streamrec.learn.Model;
import io.streamrec.model.ModelKeys;
import io.streamrec.model.ModelKind;
import io.streamrec.model.ModelUpdates;
import io.streamrec.model.RowKind;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the user rows of one input partition. For each event it predicts first (progressive validation), then
 * adds the event to the mini-batch (kept in a changelogged store until flushed, so a crash loses none). A flush,
 * every {@code train.batch.size} events or {@code flush.interval.ms}, computes the batch's gradients against the item
 * rows of the global store, steps the user rows, publishes them, and sends the items' summed gradients to the item
 * tasks that own them, one packed record per destination partition.
 */
final class UserTrainerProcessor implements Processor<String, Object, Object, byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(UserTrainerProcessor.class);
    private static final String STATE_KEY = "user";
    /** Present in the task-state store while some saved user rows are not yet published (see {@link #publish}). */
    static final String UNPUBLISHED_KEY = "user-unpublished";

    private final TrainerConfig config;
    private final Hyperparameters hyper;
    private final TrainerListener listener;
    private final int batchSize;
    private final int partitions;
    private final PublishedRows published;
    private ProcessorContext<Object, byte[]> context;
    private KeyValueStore<String, byte[]> userStore;
    private PendingLog pending;
    private KeyValueStore<String, byte[]> stateStore;
    private KeyValueStore<String, byte[]> global;
    private Model model;
    private MiniBatchLearner learner;
    private RowLoader users;
    private GradientAccumulator userGrads;
    private GradientAccumulator itemGrads;
    private LocalItems items;
    private GradientRouter router;
    private final WindowedError window = new WindowedError(1000);
    private BinaryMetrics binary;
    /** The AUC of {@link #binary}, recomputed at most every {@link #AUC_EVERY_MS}: it scans the whole histogram. */
    private double auc = Double.NaN;
    private long aucAt;
    private static final long AUC_EVERY_MS = 1000;
    private long rowSteps;
    private long oldestIngest = Long.MAX_VALUE;
    private UnpublishedRows unpublished;
    private long oldestUnpublished = Long.MAX_VALUE;
    private int partition;
    /** Most user rows kept in memory ({@code user.cache.rows}); the least recently used beyond it are dropped. */
    private final int maxUsers;
    /** Per user row: the flush interval ({@link #tick}) of its last event. */
    private int[] lastUsed = new int[1024];
    private int tick;

    UserTrainerProcessor(TrainerConfig config, TrainerListener listener, PublishedRows published) {
        this.config = config;
        this.published = published;
        this.hyper = config.hyperparameters();
        this.listener = listener;
        this.batchSize = config.batchSize();
        this.partitions = config.partitions();
        this.maxUsers = config.userCacheRows();
    }

    @Override
    public void init(ProcessorContext<Object, byte[]> context) {
        this.context = context;
        this.partition = context.taskId().partition();
        userStore = context.getStateStore(Topics.USER_STORE);
        pending = context.getStateStore(Topics.USER_PENDING_STORE);
        stateStore = context.getStateStore(Topics.TASK_STATE_STORE + "-user");
        unpublished = new UnpublishedRows(stateStore, UNPUBLISHED_KEY);
        global = context.getStateStore(Topics.GLOBAL_ROWS_STORE);
        byte[] st = stateStore.get(STATE_KEY);
        Codecs.TaskState ts = st == null ? Codecs.TaskState.EMPTY : Codecs.decodeTaskState(st);
        model = new Model(hyper, new GlobalMean(ts.meanSum(), ts.meanCount()), ts.eventsSeen());
        rowSteps = ts.rowSteps();
        learner = new MiniBatchLearner(model, Integer.MAX_VALUE);
        users = new RowLoader(model.users(), userStore, global);
        userGrads = new GradientAccumulator(hyper.width());
        itemGrads = new GradientAccumulator(hyper.width());
        items = new LocalItems(model.items(), hyper.width(), published);
        router = new GradientRouter(context, model.items(), items, partitions, hyper.width());
        binary = hyper.kind() == ModelKind.LOGISTIC_MF ? new BinaryMetrics() : null;
        refreshExternalMean();
        // Events that joined a batch before a crash or a rebalance: rejoin them, unscored (they were scored then).
        for (byte[] e : pending.restore()) {
            addToBatch(Codecs.decodeEvent(e));
        }
        unpublished.restore(users);
        if (unpublished.size() > 0) {
            oldestUnpublished = context.currentSystemTimeMs();
        }
        context.schedule(Duration.ofMillis(config.flushIntervalMs()), PunctuationType.WALL_CLOCK_TIME, t -> {
            flush();
            publish();
            evictLeastRecentlyUsed();
            tick++;
        });
    }

    @Override
    public void process(Record<String, Object> record) {
        Event e = record.value() instanceof Event ev ? ev : Codecs.decodeEvent((byte[]) record.value());
        // Predict before the event creates any row: an unseen user or item contributes nothing (the global mean
        // fallback), as in offline progressive validation, instead of its random initial factors.
        int u = users.find(e.user());
        int i = items.row(e.item(), false);
        double prediction = model.predictScore(model.score(u, i));
        listener.prequential(e.label(), prediction);
        window.add(e.label(), prediction);
        if (binary != null) {
            binary.add(e.label(), prediction);
        }
        listener.eventTrained();
        pending.append(Codecs.encodeEvent(e));
        u = u >= 0 ? u : users.row(e.user());
        i = i >= 0 ? i : items.row(e.item(), true);
        used(u);
        learner.learn(u, i, e.label(), e.weight(), e.ingestTime());
        oldestIngest = Math.min(oldestIngest, e.ingestTime());
        if (learner.pending() >= batchSize) {
            flush();
        }
    }

    private void addToBatch(Event e) {
        int u = users.row(e.user());
        used(u);
        int i = items.row(e.item(), true);
        learner.learn(u, i, e.label(), e.weight(), e.ingestTime());
        oldestIngest = Math.min(oldestIngest, e.ingestTime());
    }

    private void refreshExternalMean() {
        double sum = 0;
        double count = 0;
        for (int p = 0; p < partitions; p++) {
            if (p == partition) {
                continue;
            }
            double[] m = published.mean(ModelKeys.mean(p));
            if (m != null) {
                sum += m[0];
                count += m[1];
            }
        }
        double[] seed = published.mean(ModelKeys.MEAN_SNAPSHOT_KEY);
        if (seed != null) {
            sum += seed[0];
            count += seed[1];
        }
        model.mean().setExternal(sum, count);
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
        FactorTable userTable = model.users();
        for (int row : touched) {
            users.save(row);
            unpublished.add(row);
        }
        unpublished.saved();
        rowSteps += touched.length;
        stateStore.put(STATE_KEY, Codecs.encodeTaskState(new Codecs.TaskState(model.mean().sum(),
                model.mean().count(), model.eventsSeen(), rowSteps)));
        pending.clear();
        long latency = now - oldestIngest;
        oldestUnpublished = Math.min(oldestUnpublished, oldestIngest);
        oldestIngest = Long.MAX_VALUE;
        if (items.advanceEpoch(now)) {
            refreshExternalMean();
        }
        long duration = System.nanoTime() - start;
        listener.flushed("user", n, duration, loss / n, lr);
        listener.modelRows("user", partition, userTable.size());
        listener.modelVersion("user", partition, rowSteps);
        context.forward(new Record<>("user-" + partition, TrainingMetrics.record(partition, "user", n,
                window.rmse(), window.mae(), binary == null ? Double.NaN : binary.logLoss(),
                binaryAuc(now), loss / n, lr, rowSteps, latency, now), now),
                StreamTopology.USER_METRICS_SINK);
    }

    private double binaryAuc(long now) {
        if (binary != null && now - aucAt >= AUC_EVERY_MS) {
            auc = binary.auc();
            aucAt = now;
        }
        return auc;
    }

    /**
     * Publishes every user row changed since the last publication, once, with the task's label sums: at most one
     * record per row and {@code flush.interval.ms}, however many mini-batches touched it (as a Kafka Streams
     * record cache coalesces a table's updates). Under a backlog a user's events arrive in runs, so publishing per
     * mini-batch wrote the same row several times per interval; a compacted topic's reader only keeps the last.
     * The rows are saved in the task's store at each flush; the {@link #UNPUBLISHED_KEY} marker, written in the
     * same transaction, tells a restarted task to look for saved rows that never reached {@code model-updates}.
     */
    private void publish() {
        int n = unpublished.size();
        if (n == 0) {
            return;
        }
        long now = context.currentSystemTimeMs();
        FactorTable userTable = model.users();
        int w = hyper.width();
        for (int k = 0; k < n; k++) {
            int row = unpublished.get(k);
            String id = userTable.id(row);
            if (!ModelUpdates.isFinite(userTable.params(), row * w, w)) {
                // JSON has no NaN and the client could not read the row: keep the last good one published.
                LOG.warn("user row {} has a non-finite value; not published", id);
                continue;
            }
            context.forward(new Record<>(ModelKeys.row(RowKind.USER, id), ModelUpdates.row(RowKind.USER, id,
                    userTable.params(), row * w, w, userTable.version(row), userTable.updates(row), now), now),
                    StreamTopology.USER_MODEL_SINK);
        }
        context.forward(new Record<>(ModelKeys.mean(partition),
                ModelUpdates.mean(partition, model.mean().sum(), model.mean().count()), now), StreamTopology.USER_MODEL_SINK);
        listener.rowsPublished("user", n, oldestUnpublished);
        unpublished.published();
        oldestUnpublished = Long.MAX_VALUE;
    }

    private void used(int row) {
        if (row >= lastUsed.length) {
            lastUsed = java.util.Arrays.copyOf(lastUsed, Math.max(row + 1, lastUsed.length * 2));
        }
        lastUsed[row] = tick;
    }

    /**
     * Past {@code user.cache.rows} rows in memory, drops the least recently used down to nine tenths of it (so that
     * it happens once per many intervals, not each one). Only between a flush and the next event, when no batch,
     * gradient or unpublished set refers to a row number: a dropped row is saved in the task's store (every flush
     * saves the rows it stepped; an unstepped row came from the store or the global store unchanged) and is read back
     * from there on its user's next event, optimizer state included, so dropping changes no result.
     */
    private void evictLeastRecentlyUsed() {
        FactorTable table = model.users();
        int n = table.size();
        if (n <= maxUsers || learner.pending() > 0 || unpublished.size() > 0) {
            return;
        }
        int drop = n - (maxUsers - maxUsers / 10);
        int[] sorted = java.util.Arrays.copyOf(lastUsed, n);
        java.util.Arrays.sort(sorted);
        int threshold = sorted[drop - 1];
        int below = 0;
        while (sorted[below] < threshold) {
            below++;
        }
        int atThreshold = drop - below;
        boolean[] remove = new boolean[n];
        for (int r = 0; r < n; r++) {
            if (lastUsed[r] < threshold || (lastUsed[r] == threshold && atThreshold-- > 0)) {
                remove[r] = true;
            }
        }
        table.removeRows(remove, (from, to) -> lastUsed[to] = lastUsed[from]);
        listener.modelRows("user", partition, table.size());
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
