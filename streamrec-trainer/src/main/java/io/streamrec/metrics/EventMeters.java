package io.streamrec.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.streamrec.stream.TrainerListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The flow of work: events in by outcome and DLQ reason, mini-batch flushes, rows out and the ingest-to-publish
 * latency. Counts are kept in plain adders that the counters read, so nothing counted before {@link #bindTo} is
 * lost; the timers and summaries record only once bound.
 *
 * <p>Publish latency is {@code now - oldestIngestTime}: from the Kafka timestamp of the oldest input record whose
 * event the published rows include (its produce time) to the moment the rows were written. It does not use the
 * events' own timestamps, so it stays meaningful when a historical file (ML-100K, 1997-98) is replayed. Calls
 * without an ingest time ({@code oldestIngestTime <= 0}) are not recorded.
 */
final class EventMeters implements TrainerListener, MeterBinder {
    private final Clock clock;
    private final LongAdder trained = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final Map<String, LongAdder> rejectedByReason = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> published = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> batchSize = new ConcurrentHashMap<>();
    private final Map<String, Timer> flush = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;
    private volatile Timer publishLatency;

    EventMeters(Clock clock) {
        this.clock = clock;
        for (String reason : TrainerMetrics.DLQ_REASONS) {
            rejectedByReason.put(reason, new LongAdder());
        }
        rejectedByReason.put(TrainerMetrics.OTHER, new LongAdder());
        for (String kind : TrainerMetrics.KINDS) {
            published.put(kind, new LongAdder());
        }
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        String eventsHelp = "Events consumed from the interactions topic, by outcome";
        counter(registry, "streamrec.events", eventsHelp, "events", "outcome", "trained", trained);
        counter(registry, "streamrec.events", eventsHelp, "events", "outcome", "rejected", rejected);
        rejectedByReason.forEach((reason, count) -> counter(
                registry,
                "streamrec.events.rejected",
                "Events sent to the dead-letter topic, by reason",
                "events",
                "reason",
                reason,
                count));
        publishLatency = Timer.builder("streamrec.publish.latency")
                .description(
                        "Ingest time (Kafka timestamp) of the oldest event in a flush to its rows written to model-updates")
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
        this.registry = registry;
        for (String kind : List.copyOf(published.keySet())) {
            registerPublished(kind);
        }
        for (String role : TrainerMetrics.KINDS) {
            batchSize(registry, role);
            flush(registry, role);
        }
    }

    @Override
    public void eventTrained() {
        trained.increment();
    }

    @Override
    public void eventRejected(String reason) {
        String r = rejectedByReason.containsKey(reason) ? reason : TrainerMetrics.OTHER;
        rejected.increment();
        rejectedByReason.get(r).increment();
    }

    @Override
    public void flushed(String role, int batchSize, long durationNanos, double meanLoss, double learningRate) {
        MeterRegistry r = registry;
        if (r != null) {
            String bounded = TrainerMetrics.bounded(role);
            batchSize(r, bounded).record(batchSize);
            flush(r, bounded).record(Math.max(0, durationNanos), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void rowsPublished(String kind, int count, long oldestIngestTime) {
        String k = TrainerMetrics.bounded(kind);
        LongAdder rows = published.get(k);
        if (rows == null) {
            // Kind "other" gets its counter only if a caller ever passes an unexpected kind.
            rows = published.computeIfAbsent(k, x -> new LongAdder());
            if (registry != null) {
                registerPublished(k);
            }
        }
        rows.add(count);
        Timer latency = publishLatency;
        if (latency != null && oldestIngestTime > 0 && count > 0) {
            latency.record(Math.max(0, clock.wallTime() - oldestIngestTime), TimeUnit.MILLISECONDS);
        }
    }

    long trained() {
        return trained.sum();
    }

    long rejected() {
        return rejected.sum();
    }

    private void registerPublished(String kind) {
        counter(
                registry,
                "streamrec.rows.published",
                "Model rows written to the model-updates topic, by kind",
                "rows",
                "kind",
                kind,
                published.get(kind));
    }

    private DistributionSummary batchSize(MeterRegistry registry, String role) {
        return batchSize.computeIfAbsent(
                role,
                r -> DistributionSummary.builder("streamrec.batch.size")
                        .description("Events per mini-batch flush")
                        .baseUnit("events")
                        .tag("role", r)
                        .register(registry));
    }

    private Timer flush(MeterRegistry registry, String role) {
        return flush.computeIfAbsent(
                role,
                r -> Timer.builder("streamrec.flush")
                        .description("Duration of one mini-batch flush (apply gradients, write rows)")
                        .tag("role", r)
                        .publishPercentiles(0.5, 0.99)
                        .publishPercentileHistogram()
                        .register(registry));
    }

    static void counter(
            MeterRegistry registry, String name, String help, String unit, String tag, String value, LongAdder source) {
        FunctionCounter.builder(name, source, LongAdder::sum)
                .description(help)
                .baseUnit(unit)
                .tag(tag, value)
                .register(registry);
    }
}
