package io.streamrec.app;

import io.streamrec.client.ModelClient;
import io.streamrec.http.HttpApi;
import io.streamrec.http.RecommendationHandlers;
import io.streamrec.learn.FactorTable;
import io.streamrec.learn.Model;
import io.streamrec.learn.ModelSnapshot;
import io.streamrec.metrics.MetricsSetup;
import io.streamrec.model.ModelKeys;
import io.streamrec.model.ModelUpdates;
import io.streamrec.model.RowKind;
import io.streamrec.stream.CompositeListener;
import io.streamrec.stream.MetaRecord;
import io.streamrec.stream.StreamTopology;
import io.streamrec.stream.Topics;
import io.streamrec.stream.TrainerConfig;
import io.streamrec.stream.TrainerListener;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running trainer: creates missing topics, seeds a new application id from a snapshot, starts Kafka Streams
 * with the training topology, binds metrics and serves HTTP. {@code run} and {@code demo} both use it.
 *
 * <p>With HTTP, the app also owns a {@link ModelClient} that follows the whole of {@code model-updates} (every
 * partition, not only this instance's tasks) and serves {@link RecommendationHandlers} from it, so any instance
 * answers for any user: {@code /users/{id}/recommendations?k=10}, {@code /predict?user=..&item=..},
 * {@code /items/{id}/similar?k=10}.
 *
 * <p>Kafka Streams' state transitions, task assignments and restorations are logged at INFO by
 * {@link StreamsLifecycleLog}. {@link #readiness()} says whether the instance keeps up with its input
 * ({@link ProgressWatchdog}); a background check every second logs when that verdict flips. Liveness is the Kafka
 * Streams state alone ({@code /health}).
 */
public final class TrainerApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerApp.class);

    private final TrainerConfig config;
    private final MetricsSetup metrics;
    private final KafkaStreams streams;
    private final HttpApi http;
    private final ModelClient modelClient;
    private final ProgressWatchdog watchdog;
    private final ScheduledExecutorService readinessChecks;
    private final Admin readinessAdmin;

    private TrainerApp(
            TrainerConfig config,
            MetricsSetup metrics,
            KafkaStreams streams,
            HttpApi http,
            ModelClient modelClient,
            ProgressWatchdog watchdog,
            ScheduledExecutorService readinessChecks,
            Admin readinessAdmin) {
        this.config = config;
        this.metrics = metrics;
        this.streams = streams;
        this.http = http;
        this.modelClient = modelClient;
        this.watchdog = watchdog;
        this.readinessChecks = readinessChecks;
        this.readinessAdmin = readinessAdmin;
    }

    /**
     * Starts the trainer.
     *
     * @param extra    another listener to tell (a demo's summary), or {@link TrainerListener#NONE}
     * @param withHttp whether to serve {@code /metrics}, {@code /health}, the live page and the recommendation
     *                 endpoints (the latter from a {@link ModelClient} started here)
     */
    public static TrainerApp start(TrainerConfig config, TrainerListener extra, boolean withHttp) throws IOException {
        int userEventsPartitions;
        try (Admin admin = Admin.create(config.clientProperties())) {
            try {
                createTopics(admin, config);
                userEventsPartitions = partitionCount(admin, Topics.USER_EVENTS);
            } catch (RuntimeException e) {
                throw new IllegalStateException(
                        "cannot set up the topics on Kafka at " + config.bootstrapServers()
                                + " (is it reachable, and may this client create topics?): " + e.getMessage(),
                        e);
            }
            if (config.initModel() != null && isFirstStart(admin, config.applicationId())) {
                seed(config);
            } else {
                publishMeta(config, null);
            }
        }
        MetricsSetup metrics = MetricsSetup.create(config.applicationId());
        // The publication gate's meters (docs/gate.md) beside the trainer's own.
        io.streamrec.metrics.GateMetrics gateMetrics = new io.streamrec.metrics.GateMetrics();
        gateMetrics.bindTo(metrics.registry());
        TrainerListener listener = new CompositeListener(metrics.listener(), gateMetrics, extra);
        KafkaStreams streams = new KafkaStreams(
                StreamTopology.build(config, listener, userEventsPartitions), config.streamsProperties());
        metrics.bindKafkaStreams(streams);
        new StreamsLifecycleLog().register(streams);
        var trainer = metrics.listener();
        Admin readinessAdmin = Admin.create(config.clientProperties());
        CommittedLag committed = new CommittedLag(
                readinessAdmin, config.applicationId(), () -> ownedPartitions(streams, Topics.INTERACTIONS));
        ProgressWatchdog watchdog = ProgressWatchdog.of(
                streams,
                config.readinessMaxStallMs(),
                Topics.INTERACTIONS,
                () -> trainer.eventsTrained() + trainer.eventsRejected(),
                () -> inputWaiting(streams, committed));
        streams.start();
        watchdog.check();
        ScheduledExecutorService readinessChecks = startReadinessChecks(watchdog);
        HttpApi http = null;
        ModelClient modelClient = null;
        if (withHttp) {
            http = HttpApi.builder()
                    .bind(config.httpBind(), config.httpPort())
                    .metrics(metrics.registry())
                    .health(() -> streams.state().name())
                    .readiness(() -> {
                        Readiness r = watchdog.latest();
                        return new HttpApi.Probe(r.ready(), r);
                    })
                    .stats(metrics.history()::view)
                    .start();
            modelClient = startModelClient(config);
            new RecommendationHandlers(modelClient).registerWith(http::route);
            ModelClient gates = modelClient;
            // The publication gates as clients see them on model-updates (docs/gate.md).
            http.route("/api/gate", ex -> HttpApi.sendJson(ex, 200, GateView.of(gates)));
            LOG.info(
                    "serving http://{}:{}/ (metrics at /metrics, health at /health and /health/ready, recommendations at /users/<id>/recommendations)",
                    config.httpBind(),
                    http.port());
        }
        return new TrainerApp(config, metrics, streams, http, modelClient, watchdog, readinessChecks, readinessAdmin);
    }

    /**
     * Records waiting on the input: the larger of the main consumers' last-fetch lag ({@link InputLag}) and the
     * owned partitions' end minus committed offsets ({@link CommittedLag}), which stays true when the consumers
     * stop fetching. When the brokers do not answer, the consumer metric alone.
     */
    private static long inputWaiting(KafkaStreams streams, CommittedLag committed) {
        long fromMetrics = InputLag.recordsWaiting(streams.metrics(), Topics.INTERACTIONS);
        try {
            return Math.max(fromMetrics, committed.recordsWaiting());
        } catch (RuntimeException e) {
            LOG.debug("committed lag unavailable, using the consumer metric: {}", e.toString());
            return fromMetrics;
        }
    }

    /** The partitions of {@code topic} that this instance's active tasks own; none when Kafka Streams is not running. */
    static Set<TopicPartition> ownedPartitions(KafkaStreams streams, String topic) {
        Set<TopicPartition> owned = new HashSet<>();
        try {
            streams.metadataForLocalThreads()
                    .forEach(t -> t.activeTasks()
                            .forEach(task -> task.topicPartitions().stream()
                                    .filter(tp -> tp.topic().equals(topic))
                                    .forEach(owned::add)));
        } catch (RuntimeException e) {
            // Not running or rebalancing: it owns nothing to wait on.
        }
        return owned;
    }

    /**
     * Checks readiness every second, so that a flip is logged when it happens rather than at the next probe, and
     * a probe reads the latest verdict without waiting for the brokers.
     */
    private static ScheduledExecutorService startReadinessChecks(ProgressWatchdog watchdog) {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "streamrec-readiness");
            t.setDaemon(true);
            return t;
        });
        s.scheduleWithFixedDelay(
                () -> {
                    try {
                        watchdog.check();
                    } catch (RuntimeException e) {
                        // An exception would cancel the schedule; the next check tries again.
                        LOG.warn("readiness check failed: {}", e.toString());
                    }
                },
                1,
                1,
                TimeUnit.SECONDS);
        return s;
    }

    /** Creates the topics that are missing, with the configured partitions and replication. */
    static void createTopics(Admin admin, TrainerConfig config) {
        int p = config.partitions();
        short r = config.replicationFactor();
        NewTopic updates = new NewTopic(Topics.MODEL_UPDATES, p, r)
                .configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
                        "0"));
        List<NewTopic> topics = List.of(
                new NewTopic(Topics.INTERACTIONS, p, r),
                new NewTopic(Topics.DLQ, p, r),
                updates,
                new NewTopic(Topics.TRAINING_METRICS, p, r),
                new NewTopic(Topics.USER_EVENTS, p, r),
                new NewTopic(Topics.ITEM_GRADIENTS, p, r));
        io.streamrec.kafka.TopicAdmin.ensureTopics(admin, topics);
    }

    /**
     * The partition count of {@code topic} as it exists, which may differ from {@code topic.partitions} when the
     * topic was created beforehand: user ownership must follow the topic itself.
     */
    static int partitionCount(Admin admin, String topic) {
        // A topic created a moment ago may not be in the broker's metadata yet.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS)
                        .get(topic)
                        .partitions()
                        .size();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while describing topic " + topic, e);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getMessage(), e);
                }
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getMessage(), e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while describing topic " + topic, e);
            }
        }
    }

    /** True when the application id has never committed an offset: its first start. */
    static boolean isFirstStart(Admin admin, String applicationId) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            return offsets == null || offsets.isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking consumer group " + applicationId, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(
                    "cannot read the offsets of consumer group " + applicationId + ": " + e.getMessage(), e);
        }
    }

    /** Publishes every row of the snapshot, its global-mean sums and the meta record to {@code model-updates}. */
    static void seed(TrainerConfig config) {
        Model snapshot = ModelSnapshot.read(config.initModel());
        if (snapshot.hyper().kind() != config.hyperparameters().kind()
                || snapshot.hyper().factors() != config.hyperparameters().factors()) {
            throw new IllegalArgumentException(TrainerConfig.INIT_MODEL + ": snapshot " + config.initModel() + " is a "
                    + snapshot.hyper().kind().id() + " with " + snapshot.hyper().factors()
                    + " factors, but the trainer is set to "
                    + config.hyperparameters().kind().id() + " with "
                    + config.hyperparameters().factors() + " factors");
        }
        long now = System.currentTimeMillis();
        try (KafkaProducer<String, byte[]> p = producer(config)) {
            for (RowKind kind : RowKind.values()) {
                FactorTable t = snapshot.table(kind);
                int w = t.width();
                for (int r = 0; r < t.size(); r++) {
                    // updates = 0: the streamed-event count starts at the snapshot.
                    p.send(new ProducerRecord<>(
                            Topics.MODEL_UPDATES,
                            ModelKeys.row(kind, t.id(r)),
                            ModelUpdates.row(kind, t.id(r), t.params(), r * w, w, t.version(r), 0, now)));
                }
            }
            p.send(new ProducerRecord<>(
                    Topics.MODEL_UPDATES,
                    ModelKeys.MEAN_SNAPSHOT_KEY,
                    ModelUpdates.mean(-1, snapshot.mean().sum(), snapshot.mean().count())));
            p.send(new ProducerRecord<>(
                    Topics.MODEL_UPDATES,
                    ModelKeys.META,
                    MetaRecord.of(
                            config.hyperparameters(),
                            snapshot.globalMean(),
                            config.initModel().getFileName().toString(),
                            now)));
            p.flush();
        }
        LOG.info(
                "seeded {} with {} user and {} item rows from {}",
                Topics.MODEL_UPDATES,
                snapshot.users().size(),
                snapshot.items().size(),
                config.initModel());
    }

    static void publishMeta(TrainerConfig config, String snapshot) {
        try (KafkaProducer<String, byte[]> p = producer(config)) {
            var h = config.hyperparameters();
            p.send(new ProducerRecord<>(
                    Topics.MODEL_UPDATES,
                    ModelKeys.META,
                    MetaRecord.of(h, (h.minLabel() + h.maxLabel()) / 2.0, snapshot, System.currentTimeMillis())));
            p.flush();
        }
    }

    /** A reader of the whole model with the cluster's client settings (security included). */
    private static ModelClient startModelClient(TrainerConfig config) {
        Map<String, Object> props = new java.util.HashMap<>(config.clientProperties());
        props.keySet()
                .removeIf(k ->
                        !ConsumerConfig.configNames().contains(k) && !k.startsWith("sasl") && !k.startsWith("ssl"));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-model-client");
        return new ModelClient(config.bootstrapServers(), Topics.MODEL_UPDATES, props).start();
    }

    private static KafkaProducer<String, byte[]> producer(TrainerConfig config) {
        Map<String, Object> props = new java.util.HashMap<>(config.clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.keySet()
                .removeIf(k ->
                        !ProducerConfig.configNames().contains(k) && !k.startsWith("sasl") && !k.startsWith("ssl"));
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    public KafkaStreams streams() {
        return streams;
    }

    public MetricsSetup metrics() {
        return metrics;
    }

    /** The reader of {@code model-updates} behind the recommendation endpoints, or null when started without HTTP. */
    public ModelClient modelClient() {
        return modelClient;
    }

    /** The HTTP server, or null when started without one. */
    public HttpApi http() {
        return http;
    }

    public TrainerConfig config() {
        return config;
    }

    /**
     * Whether this instance should receive traffic now: Kafka Streams RUNNING (or REBALANCING for at most
     * {@code readiness.max.stall.ms} after having run) and input processed within {@code readiness.max.stall.ms},
     * or no records waiting on {@code interactions}. See {@link ProgressWatchdog}. The verdict of the background
     * check, at most about a second old: it never waits for the brokers, so it suits a probe. Never null.
     */
    public Readiness readiness() {
        return watchdog.latest();
    }

    /** Waits until Kafka Streams is RUNNING; false on timeout or when it failed. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return awaitRunning(streams, timeout);
    }

    /** Waits until {@code streams} is RUNNING; false on timeout or when it failed. */
    public static boolean awaitRunning(KafkaStreams streams, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            KafkaStreams.State s = streams.state();
            if (s == KafkaStreams.State.RUNNING) {
                return true;
            }
            if (s == KafkaStreams.State.ERROR
                    || s == KafkaStreams.State.NOT_RUNNING
                    || s == KafkaStreams.State.PENDING_ERROR) {
                return false;
            }
            Thread.sleep(50);
        }
        return false;
    }

    @Override
    public void close() {
        readinessChecks.shutdownNow();
        readinessAdmin.close(Duration.ofSeconds(5));
        if (http != null) {
            http.close();
        }
        if (modelClient != null) {
            modelClient.close();
        }
        // Leave the group: without it the remaining instances wait a whole session timeout (45 s by default)
        // before they take this instance's tasks over, and training of its partitions stops meanwhile.
        streams.close(org.apache.kafka.streams.CloseOptions.groupMembershipOperation(
                        org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        metrics.close();
    }
}
