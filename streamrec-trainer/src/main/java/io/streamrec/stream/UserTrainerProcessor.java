package io.streamrec.stream;

import io.streamrec.learn.FismUserFirstLearner;
import io.streamrec.learn.GlobalMean;
import io.streamrec.learn.GradientAccumulator;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.ItemBasis;
import io.streamrec.learn.Model;
import io.streamrec.learn.ResidualNeighbourhood;
import io.streamrec.learn.UserFirstLearner;
import io.streamrec.learn.UserFirstLearning;
import io.streamrec.model.ModelKind;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Owns the user rows of one input partition. For each event it predicts first (progressive validation), then
 * learns it: the user row takes its step at once (the row is this task's own), and the item's gradient joins the
 * mini-batch (the event is kept in a changelogged store until flushed, so a crash loses none). Every
 * {@code train.batch.size} events the mini-batch steps the task's local copy of its items (see {@link LocalItems})
 * and its gradients join those to send (see {@link UserFirstLearner} for why users learn per event and items per
 * batch). A flush, every {@code flush.interval.ms}, sends the item gradients summed since the last one to the item
 * tasks that own them, one packed record per destination partition (each mini-batch of it one optimizer step there,
 * as Downpour SGD's workers push gradients accumulated over several steps: Dean et al. 2012), and saves the user
 * rows stepped since the last one. Summing over the interval rather than sending each mini-batch cuts the bytes
 * per event of {@code item-gradients}, the largest topic of the training, by however often an item recurs in it.
 *
 * <p>This class is the training loop and the task state (events seen, row steps, the global mean's own sums in the
 * task-state store); each concern it drives has its own class, one instance per task: {@link UserRowCache} (user
 * rows in memory, LRU eviction), {@link LocalItems} (the local item copy), {@link GradientRouter} (gradients to the
 * item partitions), {@link UserRowPublisher} (row publication), {@link PrequentialTracker} (windowed metrics),
 * {@link GlobalMeanMerge} (the other partitions' label sums) and {@link PublicationGate} (with {@code gate.enabled}:
 * held-out validation events, the quality gate on publication and the rollback; docs/gate.md).
 *
 * <p>The positives-only kinds learn label-1 events only, with sampled negatives ({@link UserFirstLearning#of});
 * events below {@code model.positives} are dropped before scoring and count in no meter (valid, not rejected).
 * {@code fism} keeps more user-side state (each user's sum and history, the task's context vectors), which
 * {@link FismTaskState} saves with the user rows at each flush and reads back when needed.
 */
final class UserTrainerProcessor implements Processor<String, Object, Object, byte[]> {
    private static final String STATE_KEY = Role.USER.label();
    /** Present in the task-state store while saved user rows are not yet published (see {@link UserRowPublisher}). */
    static final String UNPUBLISHED_KEY = "user-unpublished";
    /**
     * Most events between two flushes, whatever the interval: a bound on the memory and the work of one flush under a
     * backlog. It bounds no freshness: what a flush sends becomes visible at the commit after the interval's
     * punctuation either way, so flushing more often under a backlog would only send an item's gradients several
     * times per interval. Records stay under Kafka's limit however many events wait ({@link PendingLog#RECORD_BYTES}).
     */
    static final int MAX_UNFLUSHED_EVENTS = 65_536;

    private final TrainerConfig config;
    private final Hyperparameters hyper;
    private final TrainerListener listener;
    private final PublishedRows published;
    /** The instance's latest residual basis (null before the first); null without {@code model.neighbourhood}. */
    private final Supplier<ItemBasis> basis;
    /** The residual neighbourhood on the model's predictions; null without {@code model.neighbourhood}. */
    private ResidualNeighbourhood neighbourhood;
    /** The layer's saved state; null without {@code model.neighbourhood}. */
    private NeighbourhoodTaskState neighbourhoodState;

    private ProcessorContext<Object, byte[]> context;
    private PendingLog pending;
    private KeyValueStore<String, byte[]> stateStore;
    private Model model;
    private UserFirstLearning learner;
    /** User rows stepped since the last flush: saved and published by it. */
    private final RowSet stepped = new RowSet();
    /** Item gradients of the mini-batches since the last flush, summed per item: sent by it. */
    private GradientAccumulator toSend;

    private int unsentEvents;
    private double unsentLoss;
    private UserRowCache users;
    private LocalItems items;
    private GradientRouter router;
    private UserRowPublisher rows;
    private PrequentialTracker prequential;
    private RowAdmission admission;
    /** {@code rows.ttl.ms}; null when rows never expire. */
    private UserRowExpiry expiry;

    private StreamRanking ranking;
    private GlobalMeanMerge externalMean;
    private PublicationGate gate;
    /** The fism state's store; null for the other kinds. */
    private FismTaskState fism;
    /** The gate's check on exploded rows; null when the gate or the check is off. */
    private RowNormCheck norms;

    private long rowSteps;
    private long oldestIngest = Long.MAX_VALUE;
    /** Summed age of the published item versions predicted with since the last flush, and how many. */
    private long itemAgeMs;

    private int itemAgeEvents;
    private int partition;

    UserTrainerProcessor(TrainerConfig config, TrainerListener listener, PublishedRows published) {
        this(config, listener, published, null);
    }

    UserTrainerProcessor(
            TrainerConfig config, TrainerListener listener, PublishedRows published, Supplier<ItemBasis> basis) {
        this.config = config;
        this.published = published;
        this.basis = basis;
        this.hyper = config.hyperparameters();
        this.listener = listener;
    }

    @Override
    public void init(ProcessorContext<Object, byte[]> context) {
        this.context = context;
        this.partition = context.taskId().partition();
        KeyValueStore<String, byte[]> userStore = context.getStateStore(Topics.USER_STORE);
        pending = context.getStateStore(Topics.USER_PENDING_STORE);
        stateStore = context.getStateStore(Role.USER.taskStateStore());
        UnpublishedRows unpublished = new UnpublishedRows(stateStore, UNPUBLISHED_KEY);
        KeyValueStore<String, byte[]> global = context.getStateStore(Topics.GLOBAL_ROWS_STORE);
        byte[] st = stateStore.get(STATE_KEY);
        Codecs.TaskState ts = st == null ? Codecs.TaskState.EMPTY : Codecs.decodeTaskState(st);
        model = new Model(hyper, new GlobalMean(ts.meanSum(), ts.meanCount()), ts.eventsSeen());
        rowSteps = ts.rowSteps();
        learner = UserFirstLearning.of(model, config.negatives());
        toSend = new GradientAccumulator(hyper.width());
        ranking = new StreamRanking();
        users = new UserRowCache(model.users(), userStore, global, config.userCacheRows(), config.publishedWidth());
        expiry = UserRowExpiry.of(config.rowsTtlMs(), userStore, context, listener);
        admission = new RowAdmission(stateStore, config.rowsAdmissionMinEvents(), listener);
        items = new LocalItems(model.items(), hyper.width(), published);
        router = new GradientRouter(context, model.items(), items, config.partitions(), hyper.width());
        norms = config.gate().normCheck(hyper.minLabel(), hyper.maxLabel(), stateStore);
        rows = new UserRowPublisher(
                context,
                listener,
                model.users(),
                model.mean(),
                partition,
                unpublished,
                norms,
                // The layer is made below; by the first publication it exists.
                basis == null ? RowTail.NONE : (id, out, off) -> neighbourhood.userTail(id, out, off),
                config.publishedWidth() - hyper.width());
        prequential = new PrequentialTracker(hyper.kind() == ModelKind.LOGISTIC_MF);
        if (basis != null) {
            // Each event's residual goes to the one-partition residuals topic, from which the basis task learns the
            // basis every instance reads; the layer's own state (users' levels, histories, s_u, the fit) is saved
            // with the user rows.
            neighbourhood = new ResidualNeighbourhood(
                    model,
                    basis,
                    (user, item, residual) -> context.forward(
                            new Record<>(user, Codecs.encodeResidual(item, residual), context.currentSystemTimeMs()),
                            StreamTopology.RESIDUALS_SINK));
            neighbourhoodState = new NeighbourhoodTaskState(
                    context.getStateStore(Topics.USER_NEIGHBOURHOOD_STORE),
                    neighbourhood,
                    model.users(),
                    model.items(),
                    items);
            neighbourhoodState.restoreFit();
        }
        externalMean = new GlobalMeanMerge(published, model.mean(), config.partitions(), partition);
        externalMean.refresh();
        gate = new PublicationGate(context, listener, config.gate(), stateStore, partition);
        if (learner instanceof FismUserFirstLearner f) {
            fism = new FismTaskState(
                    context.getStateStore(Topics.USER_FISM_STORE),
                    // Null in a processor tested alone (MockProcessorContext), where the global store is not added.
                    context.getStateStore(Topics.FISM_SEED_STORE),
                    f.state(),
                    model.users(),
                    model.items(),
                    items);
            fism.restoreContexts();
        }
        // Events learned since the last flush before a crash or a rebalance (their user steps were not saved): learn
        // them again, unscored (they were scored then).
        for (byte[] e : pending.restore(ts.pendingFrom())) {
            addToBatch(Codecs.decodeEvent(e));
        }
        rows.restore(users.loader());
        FlushPunctuation.schedule(context, config.flushIntervalMs(), () -> {
            flush();
            if (gate.allows(
                    this::predict,
                    rows.problem(),
                    () -> rows.rollBack(users.loader(), context.currentSystemTimeMs()))) {
                rows.publish();
            }
            if (norms != null) {
                norms.saveTo(stateStore); // published or rolled back rows may have raised the accepted norm
            }
            // Only between a flush and the next event may rows move: no batch, gradient or unpublished set refers
            // to a row number then.
            if (unsentEvents == 0 && rows.size() == 0) {
                int evicted = users.evictLeastRecentlyUsed();
                if (evicted > 0) {
                    listener.userRowsEvicted(evicted);
                }
                int expired =
                        expiry == null ? 0 : expiry.sweep(context.currentSystemTimeMs(), users, this::expireState);
                if (fism != null && evicted + expired > 0) {
                    fism.retainLoaded();
                }
                if (neighbourhoodState != null && evicted + expired > 0) {
                    neighbourhoodState.retainLoaded();
                }
                if (evicted + expired > 0) {
                    listener.modelRows(
                            Role.USER.label(), partition, model.users().size());
                }
            }
            users.nextInterval();
        });
    }

    @Override
    public void process(Record<String, Object> record) {
        Event e = record.value() instanceof Event ev ? ev : Codecs.decodeEvent((byte[]) record.value());
        if (hyper.kind().positivesOnly() && e.label() != 1f) {
            return; // not a positive: nothing for these models to learn (see the class comment)
        }
        // Predict before the event creates any row: an unseen user or item contributes nothing (the global mean
        // fallback), as in offline progressive validation, instead of its random initial factors.
        int u = users.find(e.user());
        int i = items.row(e.item(), false);
        if (neighbourhoodState != null) {
            neighbourhoodState.load(e.user());
        }
        double plain = Double.NaN;
        if (!hyper.kind().positivesOnly()) { // their labels are all 1: ranking, below, is their online metric
            plain = model.score(u, i);
            double prediction = model.predictScore(
                    neighbourhood == null ? plain : plain + neighbourhood.predict(u < 0 ? null : e.user(), i));
            listener.prequential(e.label(), prediction);
            prequential.add(e.label(), prediction);
        }
        long publishedAt = items.publishedAt(i);
        if (publishedAt > 0) {
            itemAgeMs += Math.max(0, context.currentSystemTimeMs() - publishedAt);
            itemAgeEvents++;
        }
        int rank = ranking.evaluate(model, e.user(), u, i);
        if (rank >= 0) {
            listener.ranked(StreamRanking.CUTOFF, rank >= 1 && rank <= StreamRanking.CUTOFF);
        }
        listener.eventTrained();
        if (gate.keepsOut(e, i >= 0 ? model.items().bias(i) : Double.NaN)) {
            return; // held out as validation data, or quarantined
        }
        pending.append(Codecs.encodeEvent(e));
        u = u >= 0 ? u : admission.admits(e.user()) ? users.row(e.user()) : -1;
        i = i >= 0 ? i : items.row(e.item(), true);
        ranking.seen(e.user(), i);
        if (neighbourhood != null && u >= 0) {
            neighbourhood.learn(e.user(), u, e.item(), i, e.label(), plain);
        }
        learn(u, i, e);
        if (learner.pending() >= config.batchSize()) {
            stepBatch(context.currentSystemTimeMs());
            if (unsentEvents >= MAX_UNFLUSHED_EVENTS) {
                flush();
            }
        }
    }

    private void addToBatch(Event e) {
        int u = admission.waiting(e.user()) ? -1 : users.row(e.user());
        int i = items.row(e.item(), true);
        if (neighbourhood != null && u >= 0) {
            // As the event went then (scored then, so not again), minus the residual sent: the crash aborted it.
            neighbourhoodState.load(e.user());
            double plain = model.score(u, i);
            neighbourhood.predict(e.user(), i);
            neighbourhood.learn(e.user(), u, e.item(), i, e.label(), plain);
        }
        learn(u, i, e);
        if (learner.pending() >= config.batchSize()) {
            stepBatch(context.currentSystemTimeMs());
        }
    }

    private void learn(int u, int i, Event e) {
        if (u >= 0) { // -1: a user not yet admitted (RowAdmission)
            users.used(u);
            stepped.add(u);
            if (fism != null) {
                fism.load(e.user());
            }
        }
        learner.learn(u, i, e.label(), e.weight(), e.ingestTime());
        oldestIngest = Math.min(oldestIngest, e.ingestTime());
    }

    /** Steps the local item rows with the mini-batch's gradients, which join those to send. */
    private void stepBatch(long now) {
        GradientAccumulator itemGrads = learner.itemGradients();
        toSend.addAll(itemGrads);
        unsentEvents += learner.pending();
        unsentLoss += learner.pendingLoss();
        items.stepLocally(learner.updater(), itemGrads, learner.batchRate());
        learner.endBatch();
        if (items.advanceEpoch(now)) {
            externalMean.refresh();
        }
    }

    private void flush() {
        long now = context.currentSystemTimeMs();
        if (learner.pending() > 0) {
            stepBatch(now);
        }
        int n = unsentEvents;
        if (n == 0) {
            return;
        }
        long start = System.nanoTime();
        gate.trained(n);
        float lr = learner.batchRate();
        double loss = unsentLoss;
        router.send(toSend, now);
        items.markSent(toSend, now);
        toSend.clear();
        unsentEvents = 0;
        unsentLoss = 0;
        for (int k = 0; k < stepped.size(); k++) {
            users.save(stepped.get(k), now);
            rows.add(stepped.get(k));
        }
        if (fism != null) {
            fism.save(stepped);
        }
        if (neighbourhoodState != null) {
            neighbourhoodState.save(stepped);
        }
        rows.saved(oldestIngest);
        rowSteps += n;
        stepped.clear();
        pending.clear();
        stateStore.put(
                STATE_KEY,
                Codecs.encodeTaskState(new Codecs.TaskState(
                        model.mean().sum(),
                        model.mean().count(),
                        model.eventsSeen(),
                        rowSteps,
                        pending.flushedBefore())));
        long latency = now - oldestIngest;
        oldestIngest = Long.MAX_VALUE;
        long duration = System.nanoTime() - start;
        listener.flushed(Role.USER.label(), n, duration, loss / n, lr);
        if (itemAgeEvents > 0) {
            listener.itemStaleness(itemAgeMs, itemAgeEvents);
            itemAgeMs = 0;
            itemAgeEvents = 0;
        }
        listener.modelRows(Role.USER.label(), partition, model.users().size());
        listener.modelVersion(Role.USER.label(), partition, rowSteps);
        context.forward(
                new Record<>(
                        "user-" + partition,
                        new TrainingMetrics(
                                        partition,
                                        Role.USER,
                                        n,
                                        new TrainingMetrics.Quality(
                                                prequential.rmse(),
                                                prequential.mae(),
                                                prequential.logLoss(),
                                                prequential.auc(now),
                                                ranking.recall()),
                                        loss / n,
                                        lr,
                                        rowSteps,
                                        latency,
                                        now)
                                .encode(),
                        now),
                StreamTopology.USER_METRICS_SINK);
    }

    /** Deletes what the task keeps of expired users beside their rows. */
    private void expireState(java.util.List<String> ids) {
        if (fism != null) {
            fism.expire(ids);
        }
        if (neighbourhoodState != null) {
            neighbourhoodState.expire(ids);
        }
    }

    /** The live model's prediction, for the gate: rows as {@link #process} finds them, none created. */
    private double predict(String user, String item) {
        int u = users.find(user);
        int i = items.row(item, false);
        double score = model.score(u, i);
        if (neighbourhood != null && u >= 0) {
            // What clients are served: the layer too. Called at a flush, between events, so the features the layer
            // keeps for the next learned event are not in use.
            neighbourhoodState.load(user);
            score += neighbourhood.predict(user, i);
        }
        return model.predictScore(score);
    }

    /** The residual neighbourhood, null without it (for tests). */
    ResidualNeighbourhood neighbourhood() {
        return neighbourhood;
    }

    /** Loads a user's saved layer state as an event of the user would (for tests). */
    void loadNeighbourhood(String user) {
        neighbourhoodState.load(user);
    }

    /** The id of an item row of this task (for tests). */
    String itemId(int row) {
        return model.items().id(row);
    }

    /** User rows in memory (for tests). */
    int usersInMemory() {
        return model.users().size();
    }

    @Override
    public void close() {
        listener.taskClosed(Role.USER.label(), partition);
    }
}
