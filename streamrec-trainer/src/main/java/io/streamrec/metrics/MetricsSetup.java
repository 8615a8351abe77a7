package io.streamrec.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The application's metrics in one place: a {@link PrometheusMeterRegistry} with the common tag
 * {@code application=<application id>}, JVM (memory, GC, threads, class loading), processor and uptime
 * meters, the {@link TrainerMetrics} listener and its {@link StatsHistory} for the live page, and, once
 * the streams client exists, its Kafka client metrics.
 *
 * <pre>{@code
 * try (MetricsSetup metrics = MetricsSetup.create(appId, false)) {
 *     KafkaStreams streams = new KafkaStreams(topology, props);   // topology uses metrics.listener()
 *     metrics.bindKafkaStreams(streams);
 *     ...
 * }
 * }</pre>
 */
public final class MetricsSetup implements AutoCloseable {
    /**
     * How often the Kafka binder looks for client metrics that appeared since the last look (per-partition
     * lag appears after assignment). Micrometer's default is one minute; a dashboard wants them sooner.
     */
    public static final Duration KAFKA_METRICS_REFRESH = Duration.ofSeconds(10);

    private final String applicationId;
    private final PrometheusMeterRegistry registry;
    private final TrainerMetrics trainerMetrics;
    private final StatsHistory history;
    private final JvmGcMetrics gcMetrics;
    private KafkaStreamsMetrics kafkaStreamsMetrics;
    private ScheduledExecutorService kafkaRefresher;

    private MetricsSetup(String applicationId, TrainerMetrics trainerMetrics, StatsHistory history) {
        this.applicationId = applicationId;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("application", applicationId);
        // Kafka Streams tags state-store meters with the store type (rocksdb.state.id, in.memory.state.id); the
        // Prometheus registry refuses a name with two tag-key sets, so the second kind of store was dropped.
        for (String storeTag : List.of("rocksdb.state.id", "in.memory.state.id")) {
            registry.config().meterFilter(MeterFilter.renameTag("kafka.stream.state", storeTag, "state.id"));
        }
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        this.trainerMetrics = trainerMetrics;
        trainerMetrics.bindTo(registry);
        this.history = history;
    }

    /**
     * Registry, JVM meters and trainer meters for {@code applicationId}; the history starts sampling.
     * {@code binaryLabels}: the model is logistic (0/1 labels), so log loss is counted.
     */
    public static MetricsSetup create(String applicationId, boolean binaryLabels) {
        if (applicationId == null || applicationId.isBlank()) {
            throw new IllegalArgumentException(
                    "application id must be a non-empty string, got '" + applicationId + "'");
        }
        TrainerMetrics trainer = new TrainerMetrics(TrainerMetrics.DEFAULT_WINDOW, Clock.SYSTEM, binaryLabels);
        return new MetricsSetup(applicationId, trainer, new StatsHistory(trainer).start());
    }

    /** Same, with a caller-made listener and history (tests pick windows and intervals); starts nothing. */
    public static MetricsSetup create(String applicationId, TrainerMetrics trainerMetrics, StatsHistory history) {
        return new MetricsSetup(applicationId, trainerMetrics, history);
    }

    /**
     * Binds the Kafka Streams client's metrics (consumer lag, fetch and commit rates, ...) as {@code kafka.*}
     * meters. Call once, before or after {@code streams.start()}.
     */
    public synchronized void bindKafkaStreams(KafkaStreams streams) {
        if (kafkaStreamsMetrics != null) {
            throw new IllegalStateException("a KafkaStreams client is already bound");
        }
        kafkaRefresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "streamrec-kafka-metrics");
            t.setDaemon(true);
            return t;
        });
        kafkaStreamsMetrics = new KafkaStreamsMetrics(streams, List.of(), kafkaRefresher, KAFKA_METRICS_REFRESH);
        kafkaStreamsMetrics.bindTo(registry);
    }

    public String applicationId() {
        return applicationId;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The listener to hand to the stream processors. */
    public TrainerMetrics listener() {
        return trainerMetrics;
    }

    public StatsHistory history() {
        return history;
    }

    /** Stops the history and the Kafka binder, and closes the registry. */
    @Override
    public synchronized void close() {
        history.close();
        if (kafkaStreamsMetrics != null) {
            kafkaStreamsMetrics.close();
            kafkaRefresher.shutdownNow();
        }
        gcMetrics.close();
        registry.close();
    }
}
