package io.streamrec.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.http.HttpApi;
import io.streamrec.kafka.EmbeddedKafka;
import io.streamrec.testsupport.GrafanaDashboard;
import io.streamrec.testsupport.PrometheusServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every PromQL expression of the Grafana dashboard returns data from a real Prometheus scraping the real
 * {@link HttpApi}, and every metric it names is in the application's /metrics.
 *
 * <p>The application under test is made by {@link #startApplication}. FOR NOW IT IS A STAND-IN: a background
 * thread drives {@link TrainerMetrics} with realistic calls, and a passthrough Kafka Streams topology supplies
 * the Kafka client metrics (consumer lag). When the trainer is merged, its author points
 * {@code startApplication} at the real trainer (same registry set-up, same HttpApi) and deletes the driver.
 * The broker is {@link EmbeddedKafka}, from {@link #startBroker}.
 */
class DashboardQueriesTest {
    static final String APP_ID = "streamrec-dashboard-test";
    static final String INPUT = "interactions";
    static final String OUTPUT = "passthrough-out";
    static final Duration FIRST_DATA_TIMEOUT = Duration.ofSeconds(40);

    private static EmbeddedKafka broker;
    private static RunningApp app;
    private static PrometheusServer prometheus;

    @BeforeAll
    static void start() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(PrometheusServer.binary().isPresent(),
                "prometheus binary not found (apt-get install prometheus): dashboard queries skipped");
        broker = startBroker();
        app = startApplication(broker.bootstrapServers());
        prometheus = PrometheusServer.start("127.0.0.1:" + app.http().port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        if (app != null) {
            app.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** A real single-node KRaft broker in this JVM. */
    static EmbeddedKafka startBroker() {
        return new EmbeddedKafka().start();
    }

    /**
     * The application under test: metrics set-up, a Kafka Streams app bound to it, and the HTTP API.
     * STAND-IN until the trainer is merged (see the class comment).
     */
    static RunningApp startApplication(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(INPUT, 2, (short) 1), new NewTopic(OUTPUT, 2, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        MetricsSetup metrics = MetricsSetup.create(APP_ID);
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT).to(OUTPUT);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APP_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("streamrec-state").toString());
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        metrics.bindKafkaStreams(streams);
        streams.start();
        HttpApi http = HttpApi.builder().bind("127.0.0.1", 0).metrics(metrics.registry())
                .health(() -> streams.state().name()).stats(metrics.history()::view).start();
        List<Thread> threads = List.of(
                daemon("stand-in-trainer", () -> driveTrainerMetrics(metrics.listener())),
                daemon("stand-in-producer", () -> produce(bootstrap)));
        threads.forEach(Thread::start);
        System.gc(); // so the JVM GC pause meter exists (it appears with the first collection)
        return new RunningApp(metrics, streams, http, threads);
    }

    /** Roughly what the trainer reports: 1,000 events/s with a falling error, a flush per 100 events per role. */
    private static void driveTrainerMetrics(TrainerMetrics listener) {
        Random random = new Random(42);
        long events = 0;
        long version = 0;
        while (!Thread.currentThread().isInterrupted()) {
            for (int i = 0; i < 10; i++) {
                events++;
                if (random.nextInt(200) == 0) {
                    listener.eventRejected(TrainerMetrics.DLQ_REASONS.get(random.nextInt(TrainerMetrics.DLQ_REASONS.size())));
                    continue;
                }
                double label = 1 + random.nextInt(5);
                double noise = 0.8 + 1.5 / Math.sqrt(1 + events / 1000.0);
                listener.prequential(label, label + random.nextGaussian() * noise);
                listener.eventTrained();
                if (events % 100 == 0) {
                    for (String role : List.of("user", "item")) {
                        listener.flushed(role, 100, TimeUnit.MICROSECONDS.toNanos(500 + random.nextInt(3000)),
                                noise * noise, 0.01);
                        listener.rowsPublished(role, 40, System.currentTimeMillis() - 20 - random.nextInt(300));
                        listener.modelRows(role, (int) (events / 100 % 2), Math.min(943, events / 3));
                    }
                    version += 200;
                    listener.modelVersion(version);
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void produce(String bootstrap) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap, "linger.ms", "20"), new StringSerializer(), new StringSerializer())) {
            int i = 0;
            while (!Thread.currentThread().isInterrupted()) {
                producer.send(new ProducerRecord<>(INPUT, "u" + (i % 50),
                        "{\"user\":\"u" + (i % 50) + "\",\"item\":\"i" + (i % 80) + "\",\"label\":4.0}"));
                i++;
                if (i % 20 == 0) {
                    Thread.sleep(20);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            // stopping
        }
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Test
    void shouldExposeEveryMetricTheDashboardNames() throws Exception {
        // Kafka client metrics appear after assignment and the binder's refresh: wait for the lag gauge.
        long deadline = System.nanoTime() + FIRST_DATA_TIMEOUT.toNanos();
        Set<String> missing = new TreeSet<>();
        do {
            String exposition = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.http().port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Set<String> exposed = GrafanaDashboard.exposedNames(exposition);
            missing.clear();
            for (String expr : GrafanaDashboard.expressions(GrafanaDashboard.load())) {
                for (String name : GrafanaDashboard.metricNames(expr)) {
                    if (!exposed.contains(name)) {
                        missing.add(name);
                    }
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        fail("the dashboard names metrics that /metrics does not expose: " + missing);
    }

    @Test
    void shouldReturnDataForEveryDashboardQuery() {
        List<String> failures = new ArrayList<>();
        long deadline = System.nanoTime() + FIRST_DATA_TIMEOUT.toNanos();
        for (String expr : GrafanaDashboard.expressions(GrafanaDashboard.load())) {
            // Log loss and AUC are NaN for rating labels; every other figure must be a number.
            boolean mayBeNaN = expr.contains("logloss") || expr.contains("auc");
            long left = Math.max(1, deadline - System.nanoTime());
            JsonNode result = prometheus.awaitResult(expr, r -> r.size() > 0 && (mayBeNaN || anyFinite(r)),
                    Duration.ofNanos(left));
            if (result.size() == 0 || !(mayBeNaN || anyFinite(result))) {
                failures.add(expr + " -> " + result);
            }
        }
        assertTrue(failures.isEmpty(), () -> "dashboard queries without data:\n" + String.join("\n", failures)
                + "\nprometheus log:\n" + prometheus.log());
    }

    private static boolean anyFinite(JsonNode result) {
        for (JsonNode series : result) {
            String v = series.path("value").path(1).asText("NaN");
            if (!v.equals("NaN") && !v.contains("Inf")) {
                return true;
            }
        }
        return false;
    }

    /** The running application; closing stops it in reverse order of start. */
    record RunningApp(MetricsSetup metrics, KafkaStreams streams, HttpApi http, List<Thread> threads)
            implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            for (Thread t : threads) {
                t.interrupt();
            }
            for (Thread t : threads) {
                t.join(5_000);
            }
            http.close();
            streams.close(Duration.ofSeconds(10));
            metrics.close();
        }
    }
}
