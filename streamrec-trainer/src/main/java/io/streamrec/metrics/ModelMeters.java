package io.streamrec.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.streamrec.stream.TrainerListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The model this instance holds: rows and row steps of its open tasks, user rows evicted from memory, and how old
 * the published item versions are that the user tasks predict with.
 *
 * <p>Rows and the model version are gauges summed over this instance's open tasks (a task reports its figure after
 * each flush and is forgotten when it closes), so summed over instances they cover the whole model. Model version is
 * the sum over tasks of the optimizer steps each applied to its rows: the streamed part of the model version of
 * docs/contracts.md. Staleness is a pair of counters (total age, predictions), exported like a summary, so its mean
 * over any instances and window is a ratio of rates.
 */
final class ModelMeters implements TrainerListener, MeterBinder {
    private final Map<String, Map<Integer, Long>> rowsByKindAndPartition = new ConcurrentHashMap<>();
    private final Map<String, Map<Integer, Long>> stepsByKindAndPartition = new ConcurrentHashMap<>();
    private final LongAdder evicted = new LongAdder();
    private final Map<String, LongAdder> expired = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> admitted = new ConcurrentHashMap<>();
    private final LongAdder stalenessMs = new LongAdder();
    private final LongAdder stalenessEvents = new LongAdder();
    private final LongAdder residuals = new LongAdder();
    private volatile long basisVersion = -1;
    private volatile int basisUsers;

    ModelMeters() {
        for (String kind : TrainerMetrics.KINDS) {
            rowsByKindAndPartition.put(kind, new ConcurrentHashMap<>());
            stepsByKindAndPartition.put(kind, new ConcurrentHashMap<>());
            expired.put(kind, new LongAdder());
            admitted.put(kind, new LongAdder());
        }
        expired.put(TrainerMetrics.OTHER, new LongAdder());
        admitted.put(TrainerMetrics.OTHER, new LongAdder());
        rowsByKindAndPartition.put(TrainerMetrics.OTHER, new ConcurrentHashMap<>());
        stepsByKindAndPartition.put(TrainerMetrics.OTHER, new ConcurrentHashMap<>());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (String kind : TrainerMetrics.KINDS) {
            Gauge.builder("streamrec.model.rows", this, m -> m.rows(kind))
                    .description("Model rows held by this instance's tasks, by kind")
                    .baseUnit("rows")
                    .tag("kind", kind)
                    .strongReference(true)
                    .register(registry);
        }
        FunctionCounter.builder("streamrec.neighbourhood.residuals", this, m -> m.residuals.sum())
                .description("Residuals the basis task learned from on this instance (model.neighbourhood; after a"
                        + " restart, those it had not saved learned again)")
                .register(registry);
        Gauge.builder("streamrec.neighbourhood.basis.version", this, m -> m.basisVersion)
                .description("Version of the latest residual basis this instance read from residual-bases; -1 before"
                        + " the first (model.neighbourhood; the same on every instance once each has read the topic)")
                .strongReference(true)
                .register(registry);
        Gauge.builder("streamrec.neighbourhood.basis.users", this, m -> m.basisUsers)
                .description("Users whose recent residuals the basis task keeps, on the instance that runs it"
                        + " (model.neighbourhood; at most user.cache.rows, the least recently active dropped first)")
                .baseUnit("users")
                .strongReference(true)
                .register(registry);
        Gauge.builder("streamrec.model.version", this, ModelMeters::version)
                .description(
                        "Optimizer steps applied to model rows by this instance's tasks (streamed part of the model version)")
                .strongReference(true)
                .register(registry);
        FunctionCounter.builder("streamrec.user.cache.evictions", evicted, LongAdder::sum)
                .description("User rows dropped from memory past user.cache.rows (kept in the task's store)")
                .baseUnit("rows")
                .register(registry);
        for (String kind : TrainerMetrics.KINDS) {
            FunctionCounter.builder("streamrec.rows.expired", expired.get(kind), LongAdder::sum)
                    .description("Rows deleted and tombstoned after rows.ttl.ms without training, by kind")
                    .baseUnit("rows")
                    .tag("kind", kind)
                    .register(registry);
            FunctionCounter.builder("streamrec.rows.admitted", admitted.get(kind), LongAdder::sum)
                    .description("Ids given a row of their own after rows.admission.min.events events, by kind")
                    .baseUnit("rows")
                    .tag("kind", kind)
                    .register(registry);
        }
        FunctionTimer.builder(
                        "streamrec.item.staleness",
                        this,
                        m -> m.stalenessEvents.sum(),
                        m -> m.stalenessMs.sum(),
                        TimeUnit.MILLISECONDS)
                .description("Age of the published item version each prediction used (now minus its updatedAt)")
                .register(registry);
    }

    @Override
    public void modelRows(String kind, int partition, long rows) {
        rowsByKindAndPartition.get(TrainerMetrics.bounded(kind)).put(partition, rows);
    }

    @Override
    public void taskClosed(String kind, int partition) {
        rowsByKindAndPartition.get(TrainerMetrics.bounded(kind)).remove(partition);
        stepsByKindAndPartition.get(TrainerMetrics.bounded(kind)).remove(partition);
    }

    @Override
    public void modelVersion(String kind, int partition, long rowSteps) {
        stepsByKindAndPartition.get(TrainerMetrics.bounded(kind)).put(partition, rowSteps);
    }

    @Override
    public void userRowsEvicted(int rows) {
        evicted.add(rows);
    }

    @Override
    public void rowsExpired(String kind, int rows) {
        expired.get(TrainerMetrics.bounded(kind)).add(rows);
    }

    @Override
    public void residualsLearned(long residuals, int users) {
        this.residuals.add(residuals);
        this.basisUsers = users;
    }

    @Override
    public void basisReceived(io.streamrec.learn.ItemBasis basis) {
        this.basisVersion = basis.version();
    }

    @Override
    public void rowsAdmitted(String kind, int rows) {
        admitted.get(TrainerMetrics.bounded(kind)).add(rows);
    }

    @Override
    public void itemStaleness(long totalAgeMs, int events) {
        stalenessMs.add(totalAgeMs);
        stalenessEvents.add(events);
    }

    /** Rows of {@code kind} held by this instance's open tasks. */
    long rows(String kind) {
        long sum = 0;
        for (long rows :
                rowsByKindAndPartition.get(TrainerMetrics.bounded(kind)).values()) {
            sum += rows;
        }
        return sum;
    }

    /** Optimizer steps applied to model rows by this instance's open tasks, all kinds together. */
    long version() {
        long sum = 0;
        for (Map<Integer, Long> byPartition : stepsByKindAndPartition.values()) {
            for (long steps : byPartition.values()) {
                sum += steps;
            }
        }
        return sum;
    }
}
