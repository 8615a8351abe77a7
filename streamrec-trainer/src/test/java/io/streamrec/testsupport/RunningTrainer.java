package io.streamrec.testsupport;

import io.streamrec.app.TrainerApp;
import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.kafka.EmbeddedKafka;
import io.streamrec.stream.Topics;
import io.streamrec.stream.TrainerConfig;
import io.streamrec.stream.TrainerListener;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The real trainer for tests: an {@link EmbeddedKafka} broker of its own (the topic names are fixed constants),
 * {@link TrainerApp} with HTTP on a free loopback port, and a producer thread that streams synthetic ratings
 * keyed by user, as {@code produce --synthetic} does, at a steady rate so that rates over a minute have data.
 * Every {@link #MALFORMED_EVERY}-th record is malformed, cycling through {@link #MALFORMED}, so the dead-letter
 * meters have data by reason.
 */
public final class RunningTrainer implements AutoCloseable {
    public static final int MALFORMED_EVERY = 100;
    /** DLQ reason code -> a record value that the router rejects with it. */
    public static final List<Map.Entry<String, String>> MALFORMED = List.of(
            Map.entry("not-json", "{not json"),
            Map.entry("missing-user", "{\"item\":\"i1\",\"label\":3.0}"),
            Map.entry("bad-label", "{\"user\":\"u1\",\"item\":\"i1\",\"label\":\"three\"}"),
            Map.entry("label-out-of-range", "{\"user\":\"u1\",\"item\":\"i1\",\"label\":42.0}"));

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final EmbeddedKafka broker;
    private final TrainerApp app;
    private final Thread producer;
    private final AtomicLong produced = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();

    private RunningTrainer(EmbeddedKafka broker, TrainerApp app, double eventsPerSecond) {
        this.broker = broker;
        this.app = app;
        this.producer = new Thread(() -> produce(eventsPerSecond), "test-producer");
        producer.setDaemon(true);
    }

    /**
     * Starts a broker and the trainer (2 partitions, batches of 32), waits for RUNNING, then starts producing
     * {@code eventsPerSecond} records per second until closed.
     */
    public static RunningTrainer start(String applicationId, double eventsPerSecond)
            throws IOException, InterruptedException {
        return start(applicationId, eventsPerSecond, Map.of());
    }

    /** As {@link #start(String, double)}, with {@code more} settings. */
    public static RunningTrainer start(String applicationId, double eventsPerSecond, Map<String, String> more)
            throws IOException, InterruptedException {
        EmbeddedKafka broker = new EmbeddedKafka().start();
        try {
            Map<String, String> settings = new HashMap<>();
            settings.put(TrainerConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
            settings.put(TrainerConfig.APPLICATION_ID, applicationId);
            settings.put(TrainerConfig.PARTITIONS, "2");
            settings.put(TrainerConfig.BATCH_SIZE, "32");
            settings.put(TrainerConfig.HTTP_PORT, "0");
            settings.put(TrainerConfig.HTTP_BIND, "127.0.0.1");
            // The publication gate on, so that its meters (and the dashboard's gate panels) carry figures.
            settings.put(io.streamrec.stream.GateConfig.ENABLED, "true");
            settings.putAll(more);
            settings.put(
                    "state.dir", Files.createTempDirectory("streamrec-state").toString());
            TrainerApp app = TrainerApp.start(TrainerConfig.of(settings), TrainerListener.NONE, true);
            RunningTrainer t = new RunningTrainer(broker, app, eventsPerSecond);
            if (!app.awaitRunning(Duration.ofSeconds(60))) {
                t.close();
                throw new IllegalStateException(
                        "Kafka Streams did not reach RUNNING: " + app.streams().state());
            }
            t.producer.start();
            return t;
        } catch (RuntimeException | IOException | InterruptedException e) {
            broker.close();
            throw e;
        }
    }

    private void produce(double eventsPerSecond) {
        Iterator<Rating> source = new SyntheticRatings(SyntheticRatings.Spec.explicit(2_000, 500, 8, 42)).iterator();
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG,
                "5");
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            long n = 0;
            while (!Thread.currentThread().isInterrupted()) {
                n++;
                if (n % MALFORMED_EVERY == 0) {
                    long m = malformed.getAndIncrement();
                    String value = MALFORMED.get((int) (m % MALFORMED.size())).getValue();
                    p.send(new ProducerRecord<>(
                            Topics.INTERACTIONS, "bad-" + m, value.getBytes(StandardCharsets.UTF_8)));
                } else {
                    Rating r = source.next();
                    p.send(new ProducerRecord<>(
                            Topics.INTERACTIONS, r.user(), io.streamrec.app.InteractionProducer.toJson(r)));
                    produced.incrementAndGet();
                }
                long wait = start + (long) (n / eventsPerSecond * 1e9) - System.nanoTime();
                if (wait > 1_000_000) {
                    Thread.sleep(wait / 1_000_000);
                }
            }
        } catch (InterruptedException | org.apache.kafka.common.errors.InterruptException e) {
            // closing
        }
    }

    public TrainerApp app() {
        return app;
    }

    /** Valid events produced so far. */
    public long produced() {
        return produced.get();
    }

    /** Malformed records produced so far. */
    public long malformed() {
        return malformed.get();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + app.http().port();
    }

    /** GET of a path on the trainer's HTTP API; the body. */
    public String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(baseUrl() + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** Waits until the trainer has trained at least {@code events} events; false on timeout. */
    public boolean awaitTrained(long events, Duration timeout) {
        try {
            Awaitility.await()
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> app.metrics().listener().eventsTrained() >= events);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        producer.interrupt();
        producer.join(5_000);
        app.close();
        broker.close();
    }
}
