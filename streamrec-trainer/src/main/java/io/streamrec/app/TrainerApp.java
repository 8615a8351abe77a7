package io.streamrec.app;

import io.streamrec.client.ModelClient;
import io.streamrec.http.HttpApi;
import io.streamrec.http.RecommendationHandlers;
import io.streamrec.metrics.MetricsSetup;
import io.streamrec.stream.CompositeListener;
import io.streamrec.stream.StreamTopology;
import io.streamrec.stream.Topics;
import io.streamrec.stream.TrainerConfig;
import io.streamrec.stream.TrainerListener;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
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
 * ({@link ProgressWatchdog}); a background check every second logs when that verdict flips. {@code /health/ready}
 * adds that the served model is loaded; {@code /health/live} is {@link Liveness}; {@code /health} (RUNNING or
 * REBALANCING) stays for existing probes.
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
    private final ScheduledExecutorService hangingChecks;
    private final Admin readinessAdmin;

    private TrainerApp(
            TrainerConfig config,
            MetricsSetup metrics,
            KafkaStreams streams,
            HttpApi http,
            ModelClient modelClient,
            ProgressWatchdog watchdog,
            ScheduledExecutorService readinessChecks,
            ScheduledExecutorService hangingChecks,
            Admin readinessAdmin) {
        this.config = config;
        this.metrics = metrics;
        this.streams = streams;
        this.http = http;
        this.modelClient = modelClient;
        this.watchdog = watchdog;
        this.readinessChecks = readinessChecks;
        this.hangingChecks = hangingChecks;
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
                TopicSetup.createTopics(admin, config);
                userEventsPartitions = TopicSetup.partitionCount(admin, Topics.USER_EVENTS);
            } catch (RuntimeException e) {
                throw new IllegalStateException(
                        "cannot set up the topics on Kafka at " + config.bootstrapServers()
                                + " (is it reachable, and may this client create topics?): " + e.getMessage(),
                        e);
            }
            if (config.initModel() != null && TopicSetup.isFirstStart(admin, config.applicationId())) {
                ModelSeeder.seed(config);
            } else {
                ModelSeeder.publishMeta(config, null);
            }
        }
        MetricsSetup metrics = MetricsSetup.create(
                config.applicationId(), config.hyperparameters().kind() == io.streamrec.model.ModelKind.LOGISTIC_MF);
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
        HangingTransactionCheck hanging = HangingTransactionCheck.ofTrainer(readinessAdmin, config);
        hanging.bindTo(metrics.registry());
        streams.start();
        watchdog.check();
        ScheduledExecutorService readinessChecks = startReadinessChecks(watchdog);
        ScheduledExecutorService hangingChecks = startHangingChecks(hanging, config.hangingTransactionMs());
        if (config.neighbourhood()) {
            schedulePurge(hangingChecks, streams, new ResidualsPurge(readinessAdmin, config.applicationId()), config);
        }
        HttpApi http = null;
        ModelClient modelClient = null;
        // Set once the model client is started, after the HTTP server that serves its readiness.
        var served = new java.util.concurrent.atomic.AtomicReference<ModelClient>();
        if (withHttp) {
            http = HttpApi.builder()
                    .bind(config.httpBind(), config.httpPort())
                    .metrics(metrics.registry())
                    .health(() -> streams.state().name())
                    .liveness(() -> {
                        Liveness l = Liveness.of(streams);
                        return new HttpApi.Probe(l.alive(), l);
                    })
                    .readiness(() -> ready(watchdog.latest(), served.get()))
                    .stats(metrics.history()::view)
                    .start();
            modelClient = startModelClient(config);
            served.set(modelClient);
            new RecommendationHandlers(modelClient).registerWith(http::route);
            ModelClient gates = modelClient;
            // The publication gates as clients see them on model-updates (docs/gate.md).
            http.route("/api/gate", ex -> HttpApi.sendJson(ex, 200, GateView.of(gates)));
            LOG.info(
                    "serving http://{}:{}/ (metrics at /metrics, health at /health and /health/ready, recommendations at /users/<id>/recommendations)",
                    config.httpBind(),
                    http.port());
        }
        return new TrainerApp(
                config, metrics, streams, http, modelClient, watchdog, readinessChecks, hangingChecks, readinessAdmin);
    }

    /**
     * {@code /health/ready}: the watchdog's verdict, and the model the recommendation endpoints serve loaded (the
     * model client has read {@code model-updates} up to where it stood at start).
     */
    private static HttpApi.Probe ready(Readiness r, ModelClient served) {
        if (r.ready() && (served == null || !served.isReady())) {
            r = new Readiness(false, r.state(), "model not loaded yet: reading model-updates", r.millisSinceProgress());
        }
        return new HttpApi.Probe(r.ready(), r);
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
        return repeat("streamrec-readiness", 1000, "readiness check", watchdog::check);
    }

    /**
     * Looks for hanging transactions four times per {@code hanging.transaction.ms} (at most once a minute, at least
     * once a second), on a thread of its own: a check may wait for the brokers.
     */
    private static ScheduledExecutorService startHangingChecks(HangingTransactionCheck hanging, long hangingMs) {
        long period = Math.max(1000, Math.min(60_000, hangingMs / 4));
        return repeat("streamrec-hanging-transactions", period, "hanging-transaction check", () -> {
            try {
                hanging.check();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * Purges {@code residuals} behind the basis task on the instance that runs it, every
     * {@code repartition.purge.interval.ms} (Kafka Streams' own setting for its repartition topics).
     */
    private static void schedulePurge(
            ScheduledExecutorService on, KafkaStreams streams, ResidualsPurge purge, TrainerConfig config) {
        long period = Long.parseLong(config.streamsProperties()
                .getOrDefault(org.apache.kafka.streams.StreamsConfig.REPARTITION_PURGE_INTERVAL_MS_CONFIG, "30000")
                .toString());
        on.scheduleWithFixedDelay(
                () -> {
                    try {
                        if (!ownedPartitions(streams, Topics.RESIDUALS).isEmpty()) {
                            purge.purge();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                        LOG.warn("purging {} failed: {}", Topics.RESIDUALS, e.toString());
                    }
                },
                period,
                period,
                TimeUnit.MILLISECONDS);
    }

    /** Runs {@code check} every {@code periodMs} on a daemon thread named {@code thread}. */
    private static ScheduledExecutorService repeat(String thread, long periodMs, String what, Runnable check) {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, thread);
            t.setDaemon(true);
            return t;
        });
        s.scheduleWithFixedDelay(
                () -> {
                    try {
                        check.run();
                    } catch (RuntimeException e) {
                        // An exception would cancel the schedule; the next run tries again.
                        LOG.warn("{} failed: {}", what, e.toString());
                    }
                },
                periodMs,
                periodMs,
                TimeUnit.MILLISECONDS);
        return s;
    }

    /** A reader of the whole model with the cluster's client settings (security included). */
    private static ModelClient startModelClient(TrainerConfig config) {
        Map<String, Object> props = config.clientProperties(ConsumerConfig.configNames());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-model-client");
        return new ModelClient(config.bootstrapServers(), Topics.MODEL_UPDATES, props).start();
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
        hangingChecks.shutdownNow();
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
